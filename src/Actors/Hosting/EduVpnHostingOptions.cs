using System.Globalization;
using Akka.Configuration;
using EduVpnActors.Actors.Sessions.Tokens;
using Microsoft.Extensions.Configuration;

namespace EduVpnActors.Actors.Hosting;

/// <summary>
/// How <see cref="ServiceCollectionExtensions.AddEduVpnEngine(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{EduVpnHostingOptions}?)"/>
/// starts the engine. Bound from the configuration section <see cref="SectionName"/> first; the
/// host's delegate runs after and wins. Only overrides live here: every default stays in the HOCON
/// files that ship inside the library.
/// </summary>
public sealed class EduVpnHostingOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "EduVpn";

    /// <summary>Where the SQLite journal and the token key live (null: the user's data directory).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Language of translated error messages and discovery names (null: the current UI culture).</summary>
    public string? Language { get; set; }

    /// <summary>Free-form HOCON over the defaults (e.g. <c>eduvpn.client.id = "…"</c>).</summary>
    public string? Hocon { get; set; }

    /// <summary>
    /// Single HOCON keys over the defaults and over <see cref="Hocon"/> (path to value, e.g. <c>eduvpn.discovery.base-url</c>).
    /// A value starting with <c>[</c> or <c>{</c> is HOCON (a list or object); any other value is a string.
    /// </summary>
    public IDictionary<string, string> Overrides { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>HOCON the host builds in code; wins over <see cref="Hocon"/> and <see cref="Overrides"/>.</summary>
    public Config? Config { get; set; }

    /// <summary>Clock of the engine (tests pass a manual one; null: the system clock).</summary>
    public TimeProvider? Time { get; set; }

    /// <summary>Encrypts the stored OAuth tokens (null: AES-GCM with a key file in the data directory).</summary>
    public ITokenProtector? TokenProtector { get; set; }

    /// <summary>How failover probes ping and read the tunnel's received bytes (null: real ICMP and <c>/sys/class/net</c>).</summary>
    public Failover.FailoverDependencies? Failover { get; set; }

    /// <summary>Route Akka's log to <c>Microsoft.Extensions.Logging</c> (default); false keeps Akka's own loggers from the HOCON.</summary>
    public bool UseMicrosoftLogging { get; set; } = true;

    /// <summary>Reads <see cref="DataDirectory"/>, <see cref="Language"/>, <see cref="Hocon"/> and the key/value pairs under <c>Overrides</c> from <paramref name="section"/>.</summary>
    public void Bind(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section["DataDirectory"] is { Length: > 0 } dataDirectory)
        {
            DataDirectory = dataDirectory;
        }
        if (section["Language"] is { Length: > 0 } language)
        {
            Language = language;
        }
        if (section["Hocon"] is { Length: > 0 } hocon)
        {
            Hocon = hocon;
        }
        foreach (var pair in section.GetSection("Overrides").AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null)
            {
                // Configuration paths use ':' where HOCON paths use '.'.
                Overrides[pair.Key.Replace(':', '.')] = pair.Value;
            }
        }
    }

    /// <summary>The culture of <see cref="Language"/>, or the current UI culture.</summary>
    public CultureInfo Culture() =>
        string.IsNullOrWhiteSpace(Language) ? CultureInfo.CurrentUICulture : CultureInfo.GetCultureInfo(Language);

    /// <summary>Every override as one <see cref="Akka.Configuration.Config"/>: <see cref="Config"/> over <see cref="Overrides"/> over <see cref="Hocon"/>.</summary>
    public Config ToOverrides()
    {
        // Checked like a --config file (issue 11 §5): a typed error instead of the parser's crash or endless loop.
        var config = string.IsNullOrWhiteSpace(Hocon) ? Akka.Configuration.Config.Empty : Configuration.HoconFiles.ParseText(Hocon);
        if (Overrides.Count > 0)
        {
            var lines = Overrides.Select(pair => $"{pair.Key} = {EngineConfigurationQuote(pair.Value)}");
            config = ConfigurationFactory.ParseString(string.Join('\n', lines)).WithFallback(config);
        }
        return Config is null ? config : Config.WithFallback(config);
    }

    private static string EngineConfigurationQuote(string value) =>
        // Lists and objects pass through as HOCON; everything else is a quoted string.
        value.TrimStart() is ['[', ..] or ['{', ..] ? value : Configuration.EngineConfiguration.Quote(value);
}
