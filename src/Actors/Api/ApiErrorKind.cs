namespace EduVpnActors.Actors.Api;

/// <summary>Why a server-API step (URL handling, well-known, /info, profile choice, /connect) failed.</summary>
public enum ApiErrorKind
{
    /// <summary>A server URL could not be parsed or normalised.</summary>
    InvalidUrl,
    /// <summary>The well-known document is not the expected JSON or lacks the API v3 entry.</summary>
    WellKnownInvalid,
    /// <summary>The well-known API endpoint is not https, or the OAuth endpoints use another scheme.</summary>
    WellKnownInsecure,
    /// <summary>The <c>/info</c> response is not the expected JSON.</summary>
    InfoInvalid,
    /// <summary>The server lists no profiles for this account.</summary>
    NoProfiles,
    /// <summary>The chosen profile ID is not one of the server's profiles.</summary>
    InvalidProfile,
    /// <summary>The client offered no VPN protocol.</summary>
    NoProtocols,
    /// <summary>The client offered a protocol it cannot request.</summary>
    UnknownProtocol,
    /// <summary>The <c>/connect</c> response has no <c>Expires</c> header.</summary>
    MissingExpires,
    /// <summary>The <c>Expires</c> header is not an HTTP date.</summary>
    InvalidExpires,
    /// <summary>The configuration has already expired.</summary>
    ConfigExpired,
    /// <summary>The <c>/connect</c> response has a content type that is no VPN profile.</summary>
    InvalidContentType,
    /// <summary>The server sent WireGuard although the client did not offer it.</summary>
    WireGuardNotOffered,
    /// <summary>The WireGuard configuration could not be rewritten (see the inner exception).</summary>
    InvalidWireGuardConfig,
    /// <summary>The text is not a CIDR address.</summary>
    InvalidCidr,
    /// <summary>The network has no room for a gateway after its network address.</summary>
    GatewayOutsideNetwork,
    /// <summary>A server URL carries a user name or password (<c>https://user:pw@host/</c>): refused, never stored.</summary>
    UrlWithCredentials,
}

/// <summary>A typed failure of the server-API logic. Messages never contain tokens or keys.</summary>
public sealed class ApiException(ApiErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What kind of failure this is.</summary>
    public ApiErrorKind Kind { get; } = kind;
}
