using System.Globalization;

namespace EduVpnActors.Actors.WireGuard;

/// <summary>The rewritten WireGuard configuration and, for WireGuard over TCP, the proxy peer URL.</summary>
/// <param name="Config">The configuration with the private key (a secret: do not log it).</param>
/// <param name="ProxyPeer">The removed <c>ProxyEndpoint</c>, or null without the proxy.</param>
public sealed record WireGuardRewrite(string Config, string? ProxyPeer)
{
    /// <inheritdoc />
    public override string ToString() => $"WireGuardRewrite {{ Config = <{Config.Length} chars redacted>, ProxyPeer = {ProxyPeer} }}";
}

/// <summary>Puts the local private key into a server WireGuard configuration (behaviour reference §7.2).</summary>
public static class WireGuardConfigRewriter
{
    private const string Loopback = "127.0.0.1:";

    /// <summary>
    /// Sets <c>[Interface] PrivateKey</c> (in place, or appended at the end of the section). With
    /// <paramref name="proxyListenPort"/> (WireGuard over TCP) it also removes <c>[Peer] ProxyEndpoint</c>
    /// (returned as <see cref="WireGuardRewrite.ProxyPeer"/>) and sets <c>Endpoint = 127.0.0.1:port</c>.
    /// </summary>
    /// <exception cref="WireGuardConfigException">Empty config, missing section or missing ProxyEndpoint.</exception>
    public static WireGuardRewrite Rewrite(string config, WireGuardPrivateKey privateKey, int? proxyListenPort)
    {
        var ini = WireGuardIni.Parse(config);
        if (ini.IsEmpty)
        {
            throw new WireGuardConfigException(WireGuardErrorKind.Empty, "parsed ini is empty");
        }
        ini.RequireSection("Interface").Set("PrivateKey", privateKey.ToBase64());
        string? peer = null;
        if (proxyListenPort is { } port)
        {
            var peerSection = ini.RequireSection("Peer");
            peer = peerSection.Remove("ProxyEndpoint");
            peerSection.Set("Endpoint", LoopbackEndpoint(port));
        }
        return new WireGuardRewrite(ini.ToString(), peer);
    }

    /// <summary>
    /// The port of <c>[Peer] Endpoint</c> when it is <c>127.0.0.1:port</c> (where a WireGuard-over-TCP configuration
    /// points WireGuard at the local proxy), else null.
    /// </summary>
    public static int? LoopbackEndpointPort(string config)
    {
        var endpoint = WireGuardIni.Parse(config).Section("Peer")?.Get("Endpoint");
        return endpoint is not null && endpoint.StartsWith(Loopback, StringComparison.Ordinal)
            && int.TryParse(endpoint.AsSpan(Loopback.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : null;
    }

    /// <summary>
    /// <paramref name="config"/> with <c>[Peer] Endpoint = 127.0.0.1:port</c> (in place, or appended to the section): WireGuard
    /// pointed at a proxy whose listen port differs from the one the configuration was rewritten for.
    /// </summary>
    /// <exception cref="WireGuardConfigException">The configuration has no <c>[Peer]</c> section.</exception>
    public static string PointEndpointAt(string config, int listenPort)
    {
        var ini = WireGuardIni.Parse(config);
        ini.RequireSection("Peer").Set("Endpoint", LoopbackEndpoint(listenPort));
        return ini.ToString();
    }

    private static string LoopbackEndpoint(int port) => Loopback + port.ToString(CultureInfo.InvariantCulture);
}
