namespace EduVpnActors.Messages.Connection;

/// <summary>
/// Where the host's ProxyGuard must listen and connect for WireGuard over TCP
/// (eduvpn-common's <c>proxy</c> object: <c>source_port</c>, <c>listen_port</c>, <c>peer</c>).
/// </summary>
/// <param name="SourcePort">A free local TCP port to connect from.</param>
/// <param name="ListenPort">A free local UDP port ProxyGuard listens on; WireGuard's Endpoint points here.</param>
/// <param name="Peer">The server's ProxyGuard URL (the removed <c>ProxyEndpoint</c>).</param>
public sealed record ProxySettings(int SourcePort, int ListenPort, string Peer);

/// <summary>
/// A VPN configuration obtained from <c>/connect</c>, ready for the host.
/// <see cref="Config"/> contains secrets (the WireGuard private key, the OpenVPN client key), so
/// <see cref="ToString"/> leaves it out.
/// </summary>
public sealed record VpnConfiguration(
    string Config,
    VpnProtocol Protocol,
    bool DefaultGateway,
    IReadOnlyList<string> DnsSearchDomains,
    bool ShouldFailover,
    ProxySettings? Proxy,
    DateTimeOffset Expires)
{
    /// <inheritdoc />
    public bool Equals(VpnConfiguration? other) =>
        other is not null
        && Config == other.Config
        && Protocol == other.Protocol
        && DefaultGateway == other.DefaultGateway
        && DnsSearchDomains.SequenceEqual(other.DnsSearchDomains)
        && ShouldFailover == other.ShouldFailover
        && Equals(Proxy, other.Proxy)
        && Expires == other.Expires;

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(Config, Protocol, DefaultGateway, DnsSearchDomains.Count, ShouldFailover, Proxy, Expires);

    /// <summary>Describes the configuration without its secret-bearing text.</summary>
    public override string ToString() =>
        $"VpnConfiguration {{ Protocol = {Protocol}, DefaultGateway = {DefaultGateway}, "
        + $"DnsSearchDomains = [{string.Join(", ", DnsSearchDomains)}], ShouldFailover = {ShouldFailover}, "
        + $"Proxy = {(Proxy is null ? "none" : Proxy.ToString())}, Expires = {Expires:O}, Config = <{Config.Length} chars redacted> }}";
}
