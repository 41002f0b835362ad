using EduVpnActors.Messages.Errors;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Messages.Sessions;

/// <summary>Categories of everything that can go wrong in a server session (OAuth or API call).</summary>
public enum SessionErrorKind
{
    /// <summary>No usable tokens and the request was not interactive (e.g. auto-connect at start-up).</summary>
    AuthorizationRequired,
    /// <summary>The user refused (<c>error=access_denied</c> on the callback).</summary>
    AccessDenied,
    /// <summary>Any other error callback or a token endpoint refusing the code.</summary>
    AuthorizationFailed,
    /// <summary>The callback's <c>state</c> did not match the request.</summary>
    StateMismatch,
    /// <summary>The callback's <c>iss</c> (RFC 9207) did not match the server's issuer.</summary>
    IssuerMismatch,
    /// <summary>The host or the engine cancelled the authorization or call.</summary>
    Cancelled,
    /// <summary>No callback arrived within the configured time.</summary>
    TimedOut,
    /// <summary>The server answered 403 (e.g. the user may not use this profile): never a re-authorization loop.</summary>
    Forbidden,
    /// <summary>404 on an API call (e.g. unknown profile on <c>/connect</c>).</summary>
    NotFound,
    /// <summary>406 on <c>/connect</c>: none of the offered protocols is available.</summary>
    NotAcceptable,
    /// <summary>Any other non-success status (5xx, unexpected 4xx).</summary>
    ServerError,
    /// <summary>The server could not be reached safely (network, TLS, time-out, http redirect, oversized body).</summary>
    Unreachable,
    /// <summary>A document (well-known, token, <c>/info</c>) was malformed or violated the rules (e.g. http endpoints).</summary>
    MalformedResponse,
    /// <summary>The session's storage failed (e.g. a full disk): new tokens could not be stored, or the stored ones not read; nothing was kept.</summary>
    Storage,
}

/// <summary>A typed session failure. <see cref="Message"/> never contains a token or code.</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Message">English and technical, for logs.</param>
/// <param name="HttpStatus">The status the server answered, when it answered.</param>
/// <param name="Http">The kind of HTTP failure, when the request itself failed.</param>
public sealed record SessionFailure(SessionErrorKind Kind, string Message, int? HttpStatus = null, HttpErrorKind? Http = null)
{
    /// <summary>
    /// The server's own error text (the <c>error</c> of its JSON answer, capped; client rule 32), shown and
    /// logged as data for support; null when the server said nothing usable. Never branched on.
    /// </summary>
    public string? ServerMessage { get; init; }

    /// <summary>What stopped the request below HTTP (refused, host not found, certificate, handshake), when known.</summary>
    public TransportFailureKind? Transport { get; init; }
}

/// <summary>
/// Routes <paramref name="Request"/> to the session actor of <paramref name="Server"/> (created on first
/// use). The session authorizes at <paramref name="AuthorizationBaseUrl"/> (institute/custom: the server;
/// Secure Internet: the home server of <paramref name="OrganizationId"/>, whose
/// <paramref name="AuthenticationUrlTemplate"/> from discovery applies the Skip-WAYF rewrite).
/// Replies go to the original sender.
/// </summary>
public sealed record SessionEnvelope(
    ServerId Server,
    string AuthorizationBaseUrl,
    string? OrganizationId,
    string? AuthenticationUrlTemplate,
    ISessionRequest Request);

/// <summary>A request to one server session; every reply carries the same <see cref="RequestId"/>.</summary>
public interface ISessionRequest
{
    /// <summary>Chosen by the sender to match the reply.</summary>
    string RequestId { get; }
}

/// <summary>
/// Makes sure usable tokens exist. Interactive: starts an authorization when needed (the sender first
/// gets <see cref="AuthorizationUrlReady"/>); not interactive: fails with
/// <see cref="SessionErrorKind.AuthorizationRequired"/> instead. Replies <see cref="SessionAuthorized"/>.
/// </summary>
public sealed record EnsureAuthorized(string RequestId, bool Interactive) : ISessionRequest;

/// <summary><c>GET /info</c> of the API at <paramref name="ApiBaseUrl"/> (for Secure Internet: the location) with this session's token. Replies <see cref="InfoFetched"/>.</summary>
public sealed record FetchInfo(string RequestId, string ApiBaseUrl, bool Interactive) : ISessionRequest;

/// <summary>
/// <c>POST /connect</c> of the API at <paramref name="ApiBaseUrl"/> with the form fields and <c>Accept</c>
/// values given (built by the caller; the form holds only the public key). Replies <see cref="ConfigReceived"/>.
/// </summary>
public sealed record RequestConfig(
    string RequestId,
    string ApiBaseUrl,
    IReadOnlyList<KeyValuePair<string, string>> Form,
    IReadOnlyList<string> Accept,
    bool Interactive) : ISessionRequest;

/// <summary><c>POST /disconnect</c>, best effort with its own short time-out, never interactive. Replies <see cref="ConfigReleased"/>.</summary>
public sealed record ReleaseConfig(string RequestId, string ApiBaseUrl) : ISessionRequest;

/// <summary>Drops the tokens (renew session, remove server). Replies <see cref="TokensForgotten"/>.</summary>
public sealed record ForgetTokens(string RequestId) : ISessionRequest;

/// <summary>
/// Cancels the interactive request <paramref name="RequestId"/> in whatever phase it is (it fails with
/// <see cref="SessionErrorKind.Cancelled"/>). A cancel naming another request changes nothing: a late
/// cancel must not stop a newer authorization of the same server.
/// </summary>
public sealed record CancelAuthorization(string RequestId) : ISessionRequest;

/// <summary>Asks what the session holds. Replies <see cref="SessionStatus"/>.</summary>
public sealed record GetSessionStatus(string RequestId) : ISessionRequest;

/// <summary>Sent to the requester while an interactive request waits for the user: open this URL in a browser.</summary>
public sealed record AuthorizationUrlReady(string RequestId, ServerId Server, Uri Url)
{
    /// <summary>Without the query: it carries the flow's <c>state</c>, which should not reach logs (e.g. dead letters).</summary>
    public override string ToString() =>
        $"AuthorizationUrlReady {{ RequestId = {RequestId}, Server = {Server}, Url = {Url.GetLeftPart(UriPartial.Path)} }}";
}

/// <summary>The session holds usable tokens.</summary>
public sealed record SessionAuthorized(string RequestId, ServerId Server, DateTimeOffset AuthorizedAt);

/// <summary>
/// The profiles of <c>/info</c>. <paramref name="AuthorizedAt"/>: when the tokens used were obtained, which is
/// newer than before the call when a 401 needed a new login on the way.
/// </summary>
public sealed record InfoFetched(string RequestId, IReadOnlyList<Profile> Profiles, DateTimeOffset? AuthorizedAt = null);

/// <summary>
/// A <c>/connect</c> answer, unprocessed. <see cref="Body"/> may hold key material (OpenVPN), so it is never printed.
/// <paramref name="AuthorizedAt"/>: as for <see cref="InfoFetched"/>.
/// </summary>
public sealed record ConfigReceived(string RequestId, string? ContentType, string? Expires, string Body, DateTimeOffset? AuthorizedAt = null)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"ConfigReceived {{ RequestId = {RequestId}, ContentType = {ContentType}, Expires = {Expires}, Body = <{Body.Length} chars redacted> }}";
}

/// <summary>The <c>/disconnect</c> call ended; <paramref name="Reached"/> is false when it failed (best effort).</summary>
public sealed record ConfigReleased(string RequestId, bool Reached);

/// <summary>The tokens are gone (from memory and from the journal).</summary>
public sealed record TokensForgotten(string RequestId);

/// <summary>What a session holds, without any secret.</summary>
public sealed record SessionStatus(
    string RequestId,
    ServerId Server,
    bool HasTokens,
    DateTimeOffset? AuthorizedAt,
    DateTimeOffset? AccessTokenExpiresAt);

/// <summary>The request failed; the session itself is still usable.</summary>
public sealed record SessionRequestFailed(string RequestId, SessionFailure Failure);
