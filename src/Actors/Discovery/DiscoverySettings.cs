using Akka.Configuration;

namespace EduVpnActors.Actors.Discovery;

/// <summary>The <c>eduvpn.discovery</c> configuration.</summary>
public sealed record DiscoverySettings(
    Uri BaseUrl,
    IReadOnlyList<string> TrustedKeys,
    bool RequirePrehashed,
    TimeSpan ServerListMaxAge,
    int SnapshotEvery)
{
    /// <summary>Reads <c>eduvpn.discovery</c>.</summary>
    public static DiscoverySettings FromConfig(Config config)
    {
        var section = config.GetConfig("eduvpn.discovery");
        var baseUrl = section.GetString("base-url");
        if (!baseUrl.EndsWith('/'))
        {
            baseUrl += "/";
        }
        // A host adds keys with extra-trusted-keys and keeps the production ones; replacing
        // trusted-keys (a private discovery service) is the deliberate way to drop them.
        var keys = section.GetStringList("trusted-keys")
            .Concat(section.GetStringList("extra-trusted-keys") ?? [])
            .Select(k => k.Trim())
            .Where(k => k.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (keys.Length == 0)
        {
            throw new ConfigurationException("eduvpn.discovery: no trusted key (trusted-keys and extra-trusted-keys are both empty); no discovery list could ever be verified.");
        }
        return new DiscoverySettings(
            new Uri(baseUrl, UriKind.Absolute),
            keys,
            section.GetBoolean("require-prehashed"),
            section.GetTimeSpan("server-list-max-age", TimeSpan.FromHours(1)),
            Math.Max(1, section.GetInt("snapshot-every", 20)));
    }
}
