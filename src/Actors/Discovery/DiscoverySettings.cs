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
        return new DiscoverySettings(
            new Uri(baseUrl, UriKind.Absolute),
            section.GetStringList("trusted-keys").ToArray(),
            section.GetBoolean("require-prehashed"),
            section.GetTimeSpan("server-list-max-age", TimeSpan.FromHours(1)),
            Math.Max(1, section.GetInt("snapshot-every", 20)));
    }
}
