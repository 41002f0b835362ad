using System.Net;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>Maps HTTP outcomes to typed session failures (messages carry URLs without queries, never tokens).</summary>
public static class SessionErrors
{
    /// <summary>A transport-level failure: anything but a status answer is <see cref="SessionErrorKind.Unreachable"/>.</summary>
    public static SessionFailure FromHttp(EngineHttpException e) =>
        e.Kind == Messages.Errors.HttpErrorKind.Status && e.StatusCode is { } status
            ? FromStatus(status, e.Message) with { Http = e.Kind, ServerMessage = e.ServerMessage }
            : new SessionFailure(SessionErrorKind.Unreachable, e.Message, (int?)e.StatusCode, e.Kind) { Transport = e.Transport };

    /// <summary>
    /// A non-success answer of an API call, with the server's own error text (client rule 32); any of
    /// <paramref name="secrets"/> the server echoes is hidden.
    /// </summary>
    public static SessionFailure FromResponse(HttpResponse response, string message, params string?[] secrets) =>
        FromStatus(response.Status, message) with { ServerMessage = ServerErrorText.From(response.Body, response.ContentType, secrets) };

    /// <summary>A non-success answer of an API call.</summary>
    public static SessionFailure FromStatus(HttpStatusCode status, string message) => (int)status switch
    {
        403 => new SessionFailure(SessionErrorKind.Forbidden, message, 403),
        404 => new SessionFailure(SessionErrorKind.NotFound, message, 404),
        406 => new SessionFailure(SessionErrorKind.NotAcceptable, message, 406),
        var other => new SessionFailure(SessionErrorKind.ServerError, message, other),
    };

    /// <summary>Any exception of an async step as a failure.</summary>
    public static SessionFailure From(Exception e) => e switch
    {
        SessionException s => s.Failure,
        EngineHttpException h => FromHttp(h),
        OperationCanceledException => new SessionFailure(SessionErrorKind.Cancelled, "The request was cancelled."),
        Api.ApiException a => new SessionFailure(SessionErrorKind.MalformedResponse, a.Message),
        AggregateException { InnerException: { } inner } => From(inner),
        _ => new SessionFailure(SessionErrorKind.ServerError, $"Unexpected failure ({e.GetType().Name})."),
    };
}
