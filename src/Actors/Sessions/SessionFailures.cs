using System.Net.Sockets;
using Akka.Event;
using EduVpnActors.Actors.Sessions.OAuth;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>
/// The failures a session makes itself (their texts hold no secret), how a failed step's exception is
/// classified, and what a failed request hears and logs.
/// </summary>
internal static class SessionFailures
{
    /// <summary>A request type the session does not serve.</summary>
    public static SessionFailure UnknownRequest(ISessionRequest request) =>
        new(SessionErrorKind.ServerError, $"Unknown session request {request.GetType().Name}.");

    /// <summary>No usable tokens, and the request may not (or may no longer) ask the user.</summary>
    public static SessionFailure AuthorizationRequired { get; } =
        new(SessionErrorKind.AuthorizationRequired, "The server needs a new authorization, and this request may not ask the user.");

    /// <summary>The requester cancelled its interactive request.</summary>
    public static SessionFailure AuthorizationCancelled { get; } = new(SessionErrorKind.Cancelled, "The authorization was cancelled.");

    /// <summary>A step was cancelled because its job ended or the session stopped.</summary>
    public static SessionFailure RequestCancelled { get; } = new(SessionErrorKind.Cancelled, "The request was cancelled.");

    /// <summary>The browser did not come back within <paramref name="timeout"/>.</summary>
    public static SessionFailure CallbackTimedOut(TimeSpan timeout) =>
        new(SessionErrorKind.TimedOut, $"No authorization arrived within {timeout.TotalSeconds:0} seconds.");

    /// <summary>
    /// The loopback callback address cannot be listened on. Named with the port when it is fixed: a busy
    /// registered port is the likely cause, not the host.
    /// </summary>
    public static SessionFailure CannotListen(SessionSettings settings, SocketError error)
    {
        var where = settings.CallbackPort == 0 ? settings.LoopbackHost : $"{settings.LoopbackHost}:{settings.CallbackPort}";
        return new SessionFailure(SessionErrorKind.AuthorizationFailed, $"Could not listen for the authorization callback on {where}: {error}.");
    }

    /// <summary>The token protector could not encrypt: nothing is stored unencrypted, and the request fails instead of hanging.</summary>
    public static SessionFailure TokensNotStorable(Exception cause) =>
        new(SessionErrorKind.AuthorizationFailed, $"The tokens could not be stored securely ({cause.GetType().Name}).");

    /// <summary>Whether <paramref name="cause"/> is a protector's failure to encrypt (rather than a bug).</summary>
    public static bool IsProtectionFailure(Exception cause) =>
        cause is Tokens.TokenProtectionException or System.Security.Cryptography.CryptographicException or IOException;

    /// <summary>The journal refused or failed to write the session's event.</summary>
    public static SessionFailure Storage(Exception cause) =>
        new(SessionErrorKind.Storage, $"The session could not be stored ({cause.GetType().Name}: {cause.Message}); nothing was kept.");

    /// <summary>The server no longer accepts the refresh token: the tokens are dropped, not the request failed.</summary>
    public static bool IsRefreshRejected(Exception cause) => Unwrap(cause) is RefreshRejectedException;

    /// <summary>A failed async step as a typed failure; <paramref name="jobCancelled"/>: the job's own cancellation ended it.</summary>
    public static SessionFailure OfStep(Exception cause, bool jobCancelled) => Unwrap(cause) switch
    {
        OperationCanceledException when jobCancelled => RequestCancelled,
        var other => SessionErrors.From(other),
    };

    /// <summary>What the requester of a failed <paramref name="request"/> hears: a release only says it did not reach the server.</summary>
    public static object ReplyOf(ISessionRequest request, SessionFailure failure) => request is ReleaseConfig release
        ? new ConfigReleased(release.RequestId, false)
        : new SessionRequestFailed(request.RequestId, failure);

    /// <summary>
    /// The log line of a failed request. Client rule 32: the server's own words are logged for support (as
    /// data; never branched on), as a warning.
    /// </summary>
    public static FailureLogEntry LogEntryOf(ServerId server, ISessionRequest request, SessionFailure failure) => failure.ServerMessage is { } said
        ? new FailureLogEntry(LogLevel.WarningLevel, "Session {Server}: {Request} failed: {Kind} ({Reason}); the server said: {ServerMessage}",
            [server, request.GetType().Name, failure.Kind, failure.Message, said])
        : new FailureLogEntry(LogLevel.InfoLevel, "Session {Server}: {Request} failed: {Kind} ({Reason})",
            [server, request.GetType().Name, failure.Kind, failure.Message]);

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerException: { } inner } ? Unwrap(inner) : e;
}

/// <summary>A log line with a named template and its values.</summary>
/// <param name="Level">Warning when the server said something, else info.</param>
/// <param name="Template">A named message template.</param>
/// <param name="Args">The template's values, in order.</param>
internal sealed record FailureLogEntry(LogLevel Level, string Template, object[] Args)
{
    /// <summary>Writes the line to <paramref name="log"/> at its level.</summary>
    public void WriteTo(ILoggingAdapter log)
    {
        if (Level == LogLevel.WarningLevel)
        {
            log.Warning(Template, Args);
        }
        else
        {
            log.Info(Template, Args);
        }
    }
}
