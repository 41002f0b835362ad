namespace EduVpnActors.TestServer;

/// <summary>A portal user (local user database).</summary>
public sealed record PortalUser(string UserName, string Password);

/// <summary>
/// A VPN profile as configured on the portal and listed by <c>/info</c>.
/// </summary>
/// <param name="ProfileId">The <c>profile_id</c>.</param>
/// <param name="DisplayName">A plain string: vpn-user-portal 3.x rejects language maps here.</param>
/// <param name="VpnProtoList"><c>openvpn</c> and/or <c>wireguard</c>.</param>
public sealed record PortalProfile(string ProfileId, string DisplayName, IReadOnlyList<string> VpnProtoList)
{
    /// <summary>
    /// <c>vpn_proto_transport_list</c>; null derives <c>wireguard+udp</c> / <c>openvpn+udp</c>,
    /// <c>openvpn+tcp</c> from <see cref="VpnProtoList"/>. Add <c>wireguard+tcp</c> for ProxyGuard.
    /// </summary>
    public IReadOnlyList<string>? VpnProtoTransportList { get; init; }

    /// <summary>When false, <c>/info</c> omits <c>vpn_proto_transport_list</c> (servers before 3.x).</summary>
    public bool ListTransports { get; init; } = true;

    /// <summary>
    /// A language map configured as the display name. vpn-user-portal 3.x refuses it: <c>/info</c> then
    /// answers 500 <c>{"error": "key \"displayName\" not of type string"}</c> (server-behaviour.md).
    /// </summary>
    public IReadOnlyDictionary<string, string>? DisplayNameTranslations { get; init; }

    public bool DefaultGateway { get; init; } = true;

    public IReadOnlyList<string> DnsSearchDomainList { get; init; } = [];

    /// <summary>The profile's <c>preferredProto</c>; null = <c>openvpn</c> when listed, else <c>wireguard</c>.</summary>
    public string? PreferredProto { get; init; }

    /// <summary>The host name put in generated configurations.</summary>
    public string HostName { get; init; } = "vpn.example.org";

    /// <summary>
    /// The <c>ProxyEndpoint</c> of a WireGuard-over-TCP configuration; null: <c>https://HostName/proxyguard</c>,
    /// the path the real server's Apache passes to proxyguard-server. Point it at a <see cref="ProxyGuardTestServer"/>.
    /// </summary>
    public string? ProxyEndpoint { get; init; }

    /// <summary>The effective transport list.</summary>
    public IReadOnlyList<string> Transports => VpnProtoTransportList ?? [
        .. VpnProtoList.Contains("wireguard") ? new[] { "wireguard+udp" } : [],
        .. VpnProtoList.Contains("openvpn") ? new[] { "openvpn+udp", "openvpn+tcp" } : [],
    ];

    /// <summary>The effective preferred protocol.</summary>
    public string Preferred => PreferredProto ?? (VpnProtoList.Contains("openvpn") ? "openvpn" : "wireguard");

    /// <summary>OpenVPN and WireGuard, OpenVPN preferred (the portal's <c>default</c> profile).</summary>
    public static PortalProfile Default { get; } = new("default", "Default", ["openvpn", "wireguard"]);

    /// <summary>WireGuard only, split tunnel with a search domain.</summary>
    public static PortalProfile WireGuardOnly { get; } = new("wg-only", "WireGuard Only", ["wireguard"])
    {
        DefaultGateway = false,
        DnsSearchDomainList = ["example.org"],
    };

    /// <summary>OpenVPN only (UDP and TCP).</summary>
    public static PortalProfile OpenVpnOnly { get; } = new("ovpn-only", "OpenVPN Only", ["openvpn"]);

    /// <summary>WireGuard over UDP and over TCP (ProxyGuard).</summary>
    public static PortalProfile WireGuardTcp { get; } = new("wg-tcp", "WireGuard TCP", ["wireguard"])
    {
        VpnProtoTransportList = ["wireguard+udp", "wireguard+tcp"],
    };
}

/// <summary>
/// A client the portal's administrator registered (vpn-user-portal ≥ 3.3, <c>oauth_client_db.json</c>).
/// Unlike the official apps it may use only its own redirect URIs: <c>{PORT}</c> in a loopback one
/// stands for any port ≥ 1024 (RFC 8252 §7.3); any other URI must match exactly.
/// </summary>
public sealed record RegisteredClient(string ClientId, IReadOnlyList<string> RedirectUris);

/// <summary>
/// The configuration of a <see cref="PortalTestServer"/>. Defaults mirror a stock vpn-user-portal 3.x.
/// </summary>
public sealed record PortalOptions
{
    /// <summary>The client IDs of the official desktop apps.</summary>
    public static readonly IReadOnlyList<string> OfficialDesktopClientIds =
    [
        "org.eduvpn.app.linux", "org.eduvpn.app.windows", "org.eduvpn.app.macos",
        "org.letsconnect-vpn.app.linux", "org.letsconnect-vpn.app.windows", "org.letsconnect-vpn.app.macos",
        "org.govvpn.app.linux", "org.govvpn.app.windows", "org.govvpn.app.macos",
    ];

    public IReadOnlyList<PortalUser> Users { get; init; } = [new("alice", "alice-password"), new("bob", "bob-password")];

    public IReadOnlyList<PortalProfile> Profiles { get; init; } = [PortalProfile.Default, PortalProfile.WireGuardOnly, PortalProfile.OpenVpnOnly];

    /// <summary>Client IDs accepted at the authorize and token endpoints with the official loopback redirect rule.</summary>
    public IReadOnlyList<string> ClientIds { get; init; } = OfficialDesktopClientIds;

    /// <summary>Self-registered clients, each limited to its own redirect URIs (wins over <see cref="ClientIds"/>).</summary>
    public IReadOnlyList<RegisteredClient> RegisteredClients { get; init; } = [];

    /// <summary>
    /// Exact redirect URIs accepted in addition to the loopback rule (e.g. mobile
    /// <c>org.eduvpn.app.ios:/api/callback</c>).
    /// </summary>
    public IReadOnlyList<string> ExtraRedirectUris { get; init; } = [];

    /// <summary><c>expires_in</c> of access tokens.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The lifetime of an authorization (the session): the <c>Expires</c> of <c>/connect</c>.</summary>
    public TimeSpan AuthorizationLifetime { get; init; } = TimeSpan.FromDays(90);

    /// <summary>How long an authorization code may be exchanged.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>When false a refresh answer has no <c>refresh_token</c> (2.x servers; the old one stays valid).</summary>
    public bool RefreshIssuesNewRefreshToken { get; init; } = true;

    /// <summary>0 refuses every <c>/connect</c> with 403; otherwise the oldest config of the user is dropped beyond it.</summary>
    public int MaxActiveApiConfigurations { get; init; } = 3;

    /// <summary>Whether the authorize redirect carries RFC 9207 <c>iss</c>.</summary>
    public bool SendIss { get; init; } = true;

    /// <summary>The <c>v</c> of the well-known document.</summary>
    public string PortalVersion { get; init; } = "3.4.0";
}
