using Akka.Actor;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Sessions.OAuth;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>
/// The async steps of a session's jobs (a well-known fetch, a refresh, an API call, the wait for the
/// browser, the code exchange). Each ends as exactly one <see cref="SessionStepResult"/> tagged with its
/// job's id, which the session pipes to itself; a failure is classified here, so nothing is thrown at the actor.
/// </summary>
internal sealed class SessionSteps(SessionHttp http, TokenClient tokenClient, string clientId)
{
    /// <summary>Starts a well-known fetch, a refresh of <paramref name="tokens"/> or an API call with their access token.</summary>
    public Task<SessionStepResult> Start(SessionJob job, SessionStep step, OAuthTokens? tokens) => step switch
    {
        SessionStep.FetchWellKnown fetch => Run(job, http.FetchWellKnownAsync(fetch.BaseUrl, job.Cancellation.Token),
            document => new SessionStepResult.WellKnownLoaded(job.Id, fetch.BaseUrl, document)),
        SessionStep.Refresh refresh => Run(job, tokenClient.RefreshAsync(refresh.TokenEndpoint, clientId, tokens!, job.Cancellation.Token),
            refreshed => new SessionStepResult.TokensReceived(job.Id, refreshed)),
        SessionStep.CallApi call => Run(job, http.CallAsync(call.Method, call.Url, tokens!.AccessToken, call.Form, call.Accept, call.Timeout, job.Cancellation.Token),
            response => new SessionStepResult.ApiAnswered(job.Id, response)),
        _ => throw new ArgumentException($"{step.GetType().Name} is not an async step.", nameof(step)),
    };

    /// <summary>Waits for the browser to come back to <paramref name="authorization"/>'s listener.</summary>
    public Task<SessionStepResult> AwaitCallback(SessionJob job, AuthorizationInProgress authorization) =>
        Run(job, authorization.Callback, outcome => new SessionStepResult.CallbackArrived(job.Id, outcome));

    /// <summary>Exchanges the callback's <paramref name="code"/> for tokens.</summary>
    public Task<SessionStepResult> Exchange(SessionJob job, AuthorizationInProgress authorization, string code) =>
        Run(job, authorization.ExchangeAsync(tokenClient, code, job.Cancellation.Token), tokens => new SessionStepResult.TokensReceived(job.Id, tokens));

    /// <summary>The result of <paramref name="task"/> as a message; a refused refresh and every failure as theirs.</summary>
    internal static async Task<SessionStepResult> Run<T>(SessionJob job, Task<T> task, Func<T, SessionStepResult> success)
    {
        try
        {
            return success(await task.ConfigureAwait(false));
        }
        catch (Exception e)
        {
            return SessionFailures.IsRefreshRejected(e)
                ? new SessionStepResult.RefreshRejected(job.Id)
                : new SessionStepResult.StepFailed(job.Id, SessionFailures.OfStep(e, job.Cancellation.IsCancellationRequested));
        }
    }
}

/// <summary>How a job's async step ended; results of a job that has ended since are dropped by <see cref="JobId"/>.</summary>
internal abstract record SessionStepResult(int JobId) : INoSerializationVerificationNeeded
{
    /// <summary>The well-known document of <paramref name="BaseUrl"/> was fetched.</summary>
    public sealed record WellKnownLoaded(int JobId, string BaseUrl, WellKnownDocument Document) : SessionStepResult(JobId);

    /// <summary>The step failed with a typed failure.</summary>
    public sealed record StepFailed(int JobId, SessionFailure Failure) : SessionStepResult(JobId);

    /// <summary>A refresh or code exchange gave new tokens (not stored yet).</summary>
    public sealed record TokensReceived(int JobId, OAuthTokens Tokens) : SessionStepResult(JobId);

    /// <summary>The server no longer accepts the refresh token.</summary>
    public sealed record RefreshRejected(int JobId) : SessionStepResult(JobId);

    /// <summary>The browser came back to the listener.</summary>
    public sealed record CallbackArrived(int JobId, CallbackOutcome Outcome) : SessionStepResult(JobId);

    /// <summary>No browser came back in time (the session's timer).</summary>
    public sealed record CallbackTimedOut(int JobId) : SessionStepResult(JobId);

    /// <summary>The API answered (any status).</summary>
    public sealed record ApiAnswered(int JobId, HttpResponse Response) : SessionStepResult(JobId)
    {
        /// <inheritdoc/>
        public override string ToString() => $"ApiAnswered {{ JobId = {JobId}, Status = {(int)Response.Status} }}";
    }
}
