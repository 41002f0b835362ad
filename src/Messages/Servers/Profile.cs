using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Messages.Servers;

/// <summary>A VPN profile as listed by the server's <c>/info</c>.</summary>
/// <param name="Id">The <c>profile_id</c>, sent back in <c>/connect</c>.</param>
/// <param name="DisplayName">The <c>display_name</c>; a plain string becomes the entry <c>en</c>.</param>
/// <param name="DefaultGateway">Whether all traffic goes through the VPN.</param>
/// <param name="VpnProtocols">Known protocols of <c>vpn_proto_list</c>, in server order.</param>
/// <param name="VpnTransports"><c>vpn_proto_transport_list</c> (e.g. <c>wireguard+tcp</c>); empty on old servers.</param>
/// <param name="DnsSearchDomains"><c>dns_search_domain_list</c>.</param>
public sealed record Profile(
    string Id,
    LocalizedText DisplayName,
    bool DefaultGateway,
    IReadOnlyList<VpnProtocol> VpnProtocols,
    IReadOnlyList<string> VpnTransports,
    IReadOnlyList<string> DnsSearchDomains)
{
    /// <summary>Whether the profile can run over TCP (eduvpn-common's rule for <c>should_failover</c>).</summary>
    public bool SupportsTcp =>
        VpnTransports.Count == 0
            ? VpnProtocols.Contains(VpnProtocol.OpenVpn)
            : VpnTransports.Contains("wireguard+tcp") || VpnTransports.Contains("openvpn+tcp");

    /// <inheritdoc />
    public bool Equals(Profile? other) =>
        other is not null
        && Id == other.Id
        && DisplayName.Equals(other.DisplayName)
        && DefaultGateway == other.DefaultGateway
        && VpnProtocols.SequenceEqual(other.VpnProtocols)
        && VpnTransports.SequenceEqual(other.VpnTransports)
        && DnsSearchDomains.SequenceEqual(other.DnsSearchDomains);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, DisplayName, DefaultGateway);

    /// <inheritdoc />
    public override string ToString() =>
        $"Profile {{ Id = {Id}, DefaultGateway = {DefaultGateway}, VpnProtocols = [{string.Join(", ", VpnProtocols)}], "
        + $"VpnTransports = [{string.Join(", ", VpnTransports)}] }}";
}
