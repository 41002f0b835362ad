namespace EduVpnActors.Messages.Connection;

/// <summary>A VPN protocol; the numbers are eduvpn-common's.</summary>
public enum VpnProtocol
{
    /// <summary>Not known (any string other than <c>openvpn</c> or <c>wireguard</c>).</summary>
    Unknown = 0,
    /// <summary>OpenVPN (<c>openvpn</c>).</summary>
    OpenVpn = 1,
    /// <summary>WireGuard over UDP (<c>wireguard</c>).</summary>
    WireGuard = 2,
    /// <summary>WireGuard tunnelled over TCP through ProxyGuard.</summary>
    WireGuardProxy = 3,
}

/// <summary>The wire names of <see cref="VpnProtocol"/> as used in <c>vpn_proto_list</c>.</summary>
public static class VpnProtocolNames
{
    /// <summary>Maps <c>openvpn</c> and <c>wireguard</c>; everything else (including empty) is <see cref="VpnProtocol.Unknown"/>.</summary>
    public static VpnProtocol Parse(string? name) => name switch
    {
        "openvpn" => VpnProtocol.OpenVpn,
        "wireguard" => VpnProtocol.WireGuard,
        _ => VpnProtocol.Unknown,
    };

    /// <summary>
    /// The protocol's name in the server's own vocabulary (<c>vpn_proto_transport_list</c>): <c>openvpn</c>,
    /// <c>wireguard</c>, <c>wireguard+tcp</c>; <c>unknown</c> otherwise. Machine-readable output uses it.
    /// </summary>
    public static string WireName(VpnProtocol protocol) => protocol switch
    {
        VpnProtocol.OpenVpn => "openvpn",
        VpnProtocol.WireGuard => "wireguard",
        VpnProtocol.WireGuardProxy => "wireguard+tcp",
        _ => "unknown",
    };

    /// <summary>The name a person reads: <c>OpenVPN</c>, <c>WireGuard</c>, <c>WireGuard over TCP</c> (proper names, not translated).</summary>
    public static string DisplayName(VpnProtocol protocol) => protocol switch
    {
        VpnProtocol.OpenVpn => "OpenVPN",
        VpnProtocol.WireGuard => "WireGuard",
        VpnProtocol.WireGuardProxy => "WireGuard over TCP",
        _ => "unknown protocol",
    };
}
