using System.Reflection;
using Akka.Configuration;

namespace EduVpnActors.Actors.Configuration;

/// <summary>
/// Builds the engine's HOCON: host overrides first, then the defaults from the <c>hocon/</c> files
/// that ship inside this library, with the SQLite connection string derived from the data directory.
/// </summary>
public static class EngineConfiguration
{
    private static readonly string[] DefaultFiles = ["engine.conf", "persistence.conf", "failover.conf"];

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
    /// The full configuration for an engine whose database lives in <paramref name="dataDirectory"/>
    /// (created 0700 if missing; the database file 0600). <paramref name="overrides"/> win over every default.
    /// </summary>
    public static Config ForDataDirectory(string dataDirectory, Config? overrides = null)
    {
        var merged = (overrides ?? Config.Empty).WithFallback(Defaults());
        var fileName = EngineFiles.RequirePlainFileName("eduvpn.database-file-name", merged.GetString("eduvpn.database-file-name"));
        var databasePath = DataDirectory.PrepareDatabaseFile(dataDirectory, fileName);
        // The directory wins over the shipped `data-directory = ""` (as a fallback it never applied, and the
        // token key went to the default directory instead of the one holding the database).
        return ConfigurationFactory.ParseString($"eduvpn.data-directory = {Quote(dataDirectory)}")
            .WithFallback(WithConnectionString(merged, $"Data Source={databasePath};Pooling=False"));
    }

    /// <summary>Points the journal, read journal and snapshot store at one SQLite connection string.</summary>
    public static Config WithConnectionString(Config config, string connectionString)
    {
        var quoted = Quote(connectionString);
        var hocon = $"""
            akka.persistence.journal.sql.connection-string = {quoted}
            akka.persistence.query.journal.sql.connection-string = {quoted}
            akka.persistence.snapshot-store.sql.connection-string = {quoted}
            """;
        return ConfigurationFactory.ParseString(hocon).WithFallback(config);
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
