namespace EduVpnActors.TestServer;

/// <summary>One request seen by <see cref="PortalTestServer"/>. Holds parameter names only, never secret values.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path without query.</param>
/// <param name="QueryKeys">Names of the query parameters.</param>
/// <param name="FormKeys">Names of the form fields (form-encoded bodies only).</param>
/// <param name="AuthorizationScheme">The scheme of the <c>Authorization</c> header (e.g. <c>Bearer</c>), if any.</param>
/// <param name="Accept">The raw <c>Accept</c> header, if any.</param>
/// <param name="HasReferer">Whether a <c>Referer</c> header was sent.</param>
/// <param name="Status">The status code answered.</param>
/// <param name="At">When the request arrived (server time provider).</param>
/// <param name="UserAgent">The <c>User-Agent</c> header, if any.</param>
public sealed record PortalRequest(
    string Method,
    string Path,
    IReadOnlyList<string> QueryKeys,
    IReadOnlyList<string> FormKeys,
    string? AuthorizationScheme,
    string? Accept,
    bool HasReferer,
    int Status,
    DateTimeOffset At,
    string? UserAgent = null);

/// <summary>Totals of what the portal handed out, since start.</summary>
public sealed record PortalCounters(
    int LoginsSucceeded,
    int CodesIssued,
    int CodeExchanges,
    int Refreshes,
    int InvalidGrants,
    int BearerRejections,
    int ConfigurationsIssued,
    int Disconnects);

/// <summary>A VPN configuration the portal considers active (handed out by <c>/connect</c>, not yet replaced or disconnected).</summary>
/// <param name="UserName">The portal user.</param>
/// <param name="ClientId">The OAuth client.</param>
/// <param name="AuthorizationId">Opaque id of the OAuth authorization it belongs to.</param>
/// <param name="ProfileId">The profile.</param>
/// <param name="Protocol"><c>openvpn</c> or <c>wireguard</c>.</param>
/// <param name="Transport">The chosen transport, e.g. <c>wireguard+udp</c>, <c>openvpn+tcp</c>.</param>
/// <param name="PublicKey">The client's WireGuard public key (WireGuard only).</param>
/// <param name="IpV4">The address handed out, e.g. <c>10.43.43.2</c>.</param>
/// <param name="IssuedAt">Issue time.</param>
/// <param name="ExpiresAt">The <c>Expires</c> sent (the authorization's expiry).</param>
public sealed record PortalConfiguration(
    string UserName,
    string ClientId,
    string AuthorizationId,
    string ProfileId,
    string Protocol,
    string Transport,
    string? PublicKey,
    string IpV4,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt);

/// <summary>Tokens issued directly by <see cref="PortalTestServer.IssueTokens"/> (a shortcut around the browser flow).</summary>
public sealed record PortalTokens(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt, DateTimeOffset AuthorizationExpiresAt);

/// <summary>What a new connection to a switchable portal meets (<see cref="PortalTestServer.SetTransport"/>).</summary>
public enum PortalTransport
{
    /// <summary>The portal, behind the test certificate.</summary>
    Normal,
    /// <summary>Nothing listens on the port: the connection is refused.</summary>
    Refused,
    /// <summary>The portal behind <see cref="TestCertificate.WrongHostCertificate"/> (another name, not trusted).</summary>
    WrongHostCertificate,
}
