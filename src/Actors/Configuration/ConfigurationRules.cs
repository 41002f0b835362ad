using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Actors.Sessions;

namespace EduVpnActors.Actors.Configuration;

/// <summary>
/// Every <c>eduvpn.*</c> key the engine reads, with the kind of value it must hold; and the check of a
/// whole configuration against them (<see cref="EngineConfiguration.Validate"/>). Akka's own getters
/// throw overflow, format or null-reference exceptions for a bad value and say nothing about the key;
/// here each value is read once, up front, and any problem is an <see cref="EngineConfigurationException"/>
/// naming it. A key not listed is refused as unknown (a typo would otherwise be ignored silently).
/// </summary>
internal static partial class ConfigurationRules
{
    /// <summary>The kinds of value a key can hold.</summary>
    internal enum ValueKind
    {
        /// <summary>Any string (may be empty).</summary>
        Text,
        /// <summary>A string that is not empty or blank.</summary>
        NonEmptyText,
        /// <summary>on/off, true/false, yes/no.</summary>
        Switch,
        /// <summary>A list of strings.</summary>
        TextList,
        /// <summary>A duration above zero (<c>10s</c>, <c>5m</c>).</summary>
        PositiveDuration,
        /// <summary>A duration of zero or more.</summary>
        Duration,
        /// <summary>A whole number within the key's bounds.</summary>
        Number,
        /// <summary>An absolute https URL.</summary>
        HttpsUrl,
        /// <summary>Empty, or the path of a readable certificate file (PEM or DER).</summary>
        CertificateFile,
        /// <summary>A plain file name, kept inside the data directory (<see cref="EngineFiles.RequirePlainFileName"/>).</summary>
        PlainFileName,
    }

    /// <summary>One key: its path, kind and, for numbers, the inclusive bounds.</summary>
    internal sealed record Rule(string Key, ValueKind Kind, long Min = 0, long Max = int.MaxValue);

    /// <summary>Every key under <c>eduvpn</c> of the shipped <c>hocon/*.conf</c> files.</summary>
    internal static readonly IReadOnlyList<Rule> Rules =
    [
        new("eduvpn.data-directory", ValueKind.Text),
        new("eduvpn.database-file-name", ValueKind.PlainFileName),
        new("eduvpn.data-directory-lock-wait", ValueKind.Duration),
        new("eduvpn.client.id", ValueKind.NonEmptyText),
        new("eduvpn.client.version", ValueKind.NonEmptyText),
        new("eduvpn.client.friendly-name", ValueKind.Text),
        new("eduvpn.oauth.loopback-host", ValueKind.NonEmptyText),
        new("eduvpn.oauth.callback-port", ValueKind.Number, 0, 65535),
        new("eduvpn.oauth.callback-path", ValueKind.NonEmptyText),
        new("eduvpn.oauth.callback-timeout", ValueKind.PositiveDuration),
        new("eduvpn.oauth.expiry-margin", ValueKind.Duration),
        new("eduvpn.oauth.token-key-file-name", ValueKind.PlainFileName),
        new("eduvpn.connection.protocols", ValueKind.TextList),
        new("eduvpn.connection.prefer-wireguard", ValueKind.Switch),
        new("eduvpn.connection.expiry-policy", ValueKind.NonEmptyText),
        new("eduvpn.connection.reply-timeout", ValueKind.PositiveDuration),
        new("eduvpn.connection.question-timeout", ValueKind.PositiveDuration),
        new("eduvpn.connection.idle-timeout", ValueKind.PositiveDuration),
        new("eduvpn.http.timeout", ValueKind.PositiveDuration),
        new("eduvpn.http.disconnect-timeout", ValueKind.PositiveDuration),
        new("eduvpn.http.max-response-bytes", ValueKind.Number, 1, long.MaxValue),
        new("eduvpn.http.max-redirects", ValueKind.Number, 0, 100),
        new("eduvpn.http.minimum-tls", ValueKind.NonEmptyText),
        new("eduvpn.http.extra-trusted-certificate", ValueKind.CertificateFile),
        new("eduvpn.discovery.base-url", ValueKind.HttpsUrl),
        new("eduvpn.discovery.trusted-keys", ValueKind.TextList),
        new("eduvpn.discovery.extra-trusted-keys", ValueKind.TextList),
        new("eduvpn.discovery.require-prehashed", ValueKind.Switch),
        new("eduvpn.discovery.server-list-max-age", ValueKind.PositiveDuration),
        new("eduvpn.discovery.snapshot-every", ValueKind.Number, 1, 1_000_000),
        new("eduvpn.registry.snapshot-every", ValueKind.Number, 1, 1_000_000),
        new("eduvpn.failover.interval", ValueKind.PositiveDuration),
        new("eduvpn.failover.count", ValueKind.Number, 1, 1000),
        new("eduvpn.failover.reply-timeout", ValueKind.PositiveDuration),
        new("eduvpn.failover.mtu-overhead", ValueKind.Number, 0, 1000),
        new("eduvpn.failover.mtu-overhead-ipv6", ValueKind.Number, 0, 1000),
        new("eduvpn.proxyguard.connect-timeout", ValueKind.PositiveDuration),
        new("eduvpn.proxyguard.handshake-timeout", ValueKind.PositiveDuration),
        new("eduvpn.proxyguard.read-timeout", ValueKind.PositiveDuration),
        new("eduvpn.proxyguard.resolve-timeout", ValueKind.PositiveDuration),
        // A list of durations: its items are checked by ProxyGuardSettings' reader (Section below).
        new("eduvpn.proxyguard.backoff", ValueKind.TextList),
        new("eduvpn.proxyguard.backoff-reset-after", ValueKind.PositiveDuration),
        new("eduvpn.proxyguard.max-consecutive-tls-failures", ValueKind.Number, 0, 1000),
        new("eduvpn.proxyguard.queue-bytes", ValueKind.Number, 65536, 1 << 30),
        new("eduvpn.proxyguard.tcp-keepalive", ValueKind.PositiveDuration),
    ];

    private static readonly Dictionary<string, Rule> ByKey = Rules.ToDictionary(r => r.Key, StringComparer.Ordinal);

    /// <summary>
    /// Checks <paramref name="config"/> (overrides over the shipped defaults): first every key on its own,
    /// then the rules that combine keys, by reading each section as the engine will.
    /// </summary>
    /// <exception cref="EngineConfigurationException">The first problem found, naming its key.</exception>
    public static void Check(Config config)
    {
        foreach (var key in LeafKeys(config))
        {
            if (Rules.FirstOrDefault(r => key.StartsWith(r.Key + ".", StringComparison.Ordinal)) is { } parent)
            {
                throw Problem(parent.Key, "must be a single value, not an object");
            }
            if (!ByKey.ContainsKey(key))
            {
                throw new EngineConfigurationException(
                    ByKey.Keys.Any(k => k.StartsWith(key + ".", StringComparison.Ordinal))
                        ? $"{key} must be an object (a section of keys), not a value."
                        : $"{key} is not a setting of the engine (a typo?).", key);
            }
        }
        foreach (var rule in Rules)
        {
            CheckValue(config, rule);
        }
        // The rules across keys live where the settings are read: each reader runs once here, so a
        // mistake surfaces now, typed, and not when an actor starts.
        Section(config, "eduvpn.client", c => ClientIdentity.UserAgent(c));
        Section(config, "eduvpn.oauth", c => SessionSettings.FromConfig(c));
        Section(config, "eduvpn.connection", c => ClientSettings.FromConfig(c));
        Section(config, "eduvpn.http", c => HttpPolicy.FromConfig(c, "validation"));
        Section(config, "eduvpn.discovery", c => DiscoverySettings.FromConfig(c));
        Section(config, "eduvpn.registry", c => ServerRegistrySettings.FromConfig(c));
        Section(config, "eduvpn.failover", c => FailoverSettings.FromConfig(c));
        Section(config, "eduvpn.proxyguard", c => ProxyGuardSettings.FromConfig(c));
    }

    private static void CheckValue(Config config, Rule rule)
    {
        var value = config.GetValue(rule.Key);
        if (value is null || value.IsEmpty)
        {
            throw Problem(rule.Key, "is missing");
        }
        var expectsList = rule.Kind == ValueKind.TextList;
        if (value.IsObject() || IsList(value) != expectsList)
        {
            throw Problem(rule.Key, expectsList ? "must be a list of strings, e.g. [a, b]" : "must be a single value, not a list or an object");
        }
        try
        {
            switch (rule.Kind)
            {
                case ValueKind.NonEmptyText when string.IsNullOrWhiteSpace(value.GetString()):
                    throw Problem(rule.Key, "must not be empty");
                case ValueKind.Switch:
                    value.GetBoolean();
                    break;
                case ValueKind.TextList when value.IsArray() && value.GetArray().Any(item => item.IsObject() || IsList(item)):
                    throw Problem(rule.Key, "must be a list of strings, e.g. [a, b]");
                case ValueKind.PositiveDuration or ValueKind.Duration:
                    CheckDuration(rule, value);
                    break;
                case ValueKind.Number:
                    var number = value.GetLong();
                    if (number < rule.Min || number > rule.Max)
                    {
                        throw Problem(rule.Key, $"must be between {rule.Min} and {rule.Max}, not {number}");
                    }
                    break;
                case ValueKind.HttpsUrl:
                    if (!Uri.TryCreate(value.GetString(), UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
                    {
                        throw Problem(rule.Key, $"must be an absolute https URL, not '{value.GetString()}'");
                    }
                    break;
                case ValueKind.CertificateFile:
                    CheckCertificate(rule.Key, value.GetString());
                    break;
                case ValueKind.PlainFileName:
                    EngineFiles.RequirePlainFileName(rule.Key, value.GetString());
                    break;
            }
        }
        catch (EngineConfigurationException)
        {
            throw;
        }
        catch (ConfigurationException e)
        {
            throw new EngineConfigurationException(e.Message, rule.Key, innerException: e);
        }
        catch (Exception e) when (e is FormatException or OverflowException or NotSupportedException or ArgumentException or InvalidCastException)
        {
            throw Problem(rule.Key, $"'{value.GetString()}' is not {Expected(rule)}", e);
        }
    }

    // Akka's IsArray is false for an empty list ([]), which is a list all the same.
    private static bool IsList(HoconValue value) => value.Values.Any(element => element is HoconArray);

    private static void CheckDuration(Rule rule, HoconValue value)
    {
        // Akka reads "infinite" as -1 ms and some negative numbers without complaint: only a real,
        // non-negative duration is accepted.
        var duration = value.GetTimeSpan(allowInfinite: false);
        if (duration < TimeSpan.Zero || (rule.Kind == ValueKind.PositiveDuration && duration == TimeSpan.Zero))
        {
            throw Problem(rule.Key, $"'{value.GetString()}' is not {Expected(rule)}");
        }
    }

    private static void CheckCertificate(string key, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }
        if (!File.Exists(path))
        {
            throw new EngineConfigurationException($"{key} names the file '{path}', which does not exist.", key, path);
        }
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new EngineConfigurationException($"{key} names the file '{path}', which is not a readable certificate (PEM or DER).", key, path, e);
        }
    }

    private static void Section(Config config, string section, Action<Config> read)
    {
        try
        {
            read(config);
        }
        catch (EngineConfigurationException)
        {
            throw;
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or OverflowException or ArgumentException
            or NotSupportedException or CryptographicException or IOException or UnauthorizedAccessException)
        {
            // The readers' own messages name their key; the first one mentioned is the key of the error.
            var key = KeyInText().Match(e.Message) is { Success: true } match ? match.Value.TrimEnd('.') : section;
            throw new EngineConfigurationException(e is ConfigurationException ? e.Message : $"{section}: {e.Message}", key, innerException: e);
        }
    }

    /// <summary>Every leaf path under <c>eduvpn</c> in any layer of <paramref name="config"/> (overrides and fallbacks).</summary>
    internal static IEnumerable<string> LeafKeys(Config config)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        for (var layer = config; layer is not null; layer = layer.Fallback)
        {
            if (!layer.IsEmpty && layer.Root is { } root && root.IsObject() && root.GetObject().Items.TryGetValue("eduvpn", out var eduvpn))
            {
                Collect(eduvpn, "eduvpn", keys);
            }
        }
        return keys;
    }

    private static void Collect(HoconValue value, string path, SortedSet<string> keys)
    {
        if (!value.IsObject())
        {
            keys.Add(path);
            return;
        }
        foreach (var (name, child) in value.GetObject().Items)
        {
            Collect(child, $"{path}.{name}", keys);
        }
    }

    private static string Expected(Rule rule) => rule.Kind switch
    {
        ValueKind.PositiveDuration => "a duration above zero, e.g. 10s or 5m",
        ValueKind.Duration => "a duration of zero or more, e.g. 0s or 30s",
        ValueKind.Number => $"a whole number between {rule.Min} and {rule.Max}",
        ValueKind.Switch => "on or off",
        _ => "a valid value",
    };

    private static EngineConfigurationException Problem(string key, string what, Exception? inner = null) =>
        new($"{key} {what}.", key, innerException: inner);

    [GeneratedRegex(@"eduvpn(\.[a-z0-9-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex KeyInText();
}
