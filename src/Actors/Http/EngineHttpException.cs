using System.Net;
using EduVpnActors.Messages.Errors;

namespace EduVpnActors.Actors.Http;

/// <summary>
/// A typed failure of an engine HTTP request. The message names the URL without its query (which
/// may carry codes or state) and never includes request headers or bodies sent.
/// </summary>
public sealed class EngineHttpException : Exception
{
    /// <summary>Creates the exception for a failure of <paramref name="kind"/> on <paramref name="url"/>.</summary>
    public EngineHttpException(HttpErrorKind kind, Uri? url, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Url = url;
    }

    /// <summary>What kind of failure this is.</summary>
    public HttpErrorKind Kind { get; }

    /// <summary>The URL without query or fragment.</summary>
    public Uri? Url { get; }

    /// <summary>What stopped the request below HTTP (refused, host not found, certificate, handshake), when known.</summary>
    public TransportFailureKind? Transport { get; init; }

    /// <summary>The HTTP status, when the server answered.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>At most the first 4 KiB of an error response body, for support logs.</summary>
    public string? ResponseBody { get; init; }

    /// <summary>The server's own error text in that body (<see cref="ServerErrorText"/>), or null.</summary>
    public string? ServerMessage { get; init; }

    internal static string Redact(Uri? url) =>
        url is null ? "(none)" : url.GetLeftPart(UriPartial.Path);
}
