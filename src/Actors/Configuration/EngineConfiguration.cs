using System.Reflection;
using Akka.Configuration;

namespace EduVpnActors.Actors.Configuration;

/// <summary>
/// Builds the engine's HOCON: host overrides first, then the defaults from the <c>hocon/</c> files
/// that ship inside this library, with the SQLite connection string derived from the data directory.
/// </summary>
public static class EngineConfiguration
{
    private static readonly string[] DefaultFiles = ["engine.conf", "persistence.conf", "failover.conf", "proxyguard.conf"];

    /// <summary>The shipped defaults (all files of <c>hocon/</c>), without any data directory applied.</summary>
    public static Config Defaults()
    {
        var config = Config.Empty;
        foreach (var file in DefaultFiles)
        {
            config = config.WithFallback(ConfigurationFactory.ParseString(ReadResource(file)));
        }
        return config;
    }

    /// <summary>
    /// Checks a whole configuration (overrides over the defaults) once, up front: every <c>eduvpn.*</c> key
    /// has a value of its kind and range (durations, numbers, switches, lists, URLs, files that exist), no
    /// unknown key is set, and every settings reader accepts its section.
    /// </summary>
    /// <exception cref="EngineConfigurationException">The first problem, naming its key (or file).</exception>
    public static void Validate(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ConfigurationRules.Check(config);
    }

    /// <summary>
    /// The full configuration for an engine whose database lives in <paramref name="dataDirectory"/>
    /// (created 0700 if missing; the database file 0600). <paramref name="overrides"/> win over every default;
    /// the result is checked (<see cref="Validate"/>) before anything is created. The persistence plugin is not
    /// in it: the boot path adds it from <see cref="Persistence.EnginePersistence"/> on <see cref="ConnectionString"/>.
    /// </summary>
    /// <exception cref="EngineConfigurationException">A key of the configuration is not usable.</exception>
    public static Config ForDataDirectory(string dataDirectory, Config? overrides = null)
    {
        var merged = (overrides ?? Config.Empty).WithFallback(Defaults());
        Validate(merged);
        return ForCheckedDataDirectory(dataDirectory, merged);
    }

    /// <summary><see cref="ForDataDirectory"/> for a configuration <see cref="Validate"/> has already accepted.</summary>
    internal static Config ForCheckedDataDirectory(string dataDirectory, Config merged)
    {
        // A plain file name inside the data directory: the rule of eduvpn.database-file-name.
        DataDirectory.PrepareDatabaseFile(dataDirectory, merged.GetString("eduvpn.database-file-name"));
        // The directory wins over the shipped `data-directory = ""` (as a fallback it never applied, and the
        // token key went to the default directory instead of the one holding the database).
        return ConfigurationFactory.ParseString($"eduvpn.data-directory = {Quote(dataDirectory)}").WithFallback(merged);
    }

    /// <summary>The SQLite connection string of the database a configuration from <see cref="ForDataDirectory"/> names.</summary>
    public static string ConnectionString(Config config)
    {
        var path = Path.Combine(Path.GetFullPath(config.GetString("eduvpn.data-directory")), config.GetString("eduvpn.database-file-name"));
        return $"Data Source={path};Pooling=False";
    }

    internal static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string ReadResource(string file)
    {
        var name = $"EduVpnActors.hocon.{file}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded HOCON '{name}' is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
