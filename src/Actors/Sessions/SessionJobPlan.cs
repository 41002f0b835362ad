using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>How far a job got: what <see cref="SessionJobPlan.Next"/> needs to know about it.</summary>
/// <param name="Interactive">The job may ask the user.</param>
/// <param name="AuthorizationStarted">The job asked the user already (it never asks twice).</param>
/// <param name="TokensFresh">The tokens were obtained in this job: used even when they look expired.</param>
internal readonly record struct SessionJobProgress(bool Interactive, bool AuthorizationStarted, bool TokensFresh);

/// <summary>The next thing a job does.</summary>
internal abstract record SessionStep
{
    private SessionStep()
    {
    }

    /// <summary>Fetch the well-known document of <paramref name="BaseUrl"/> (once per run).</summary>
    public sealed record FetchWellKnown(string BaseUrl) : SessionStep;

    /// <summary>The job cannot go on: it fails with <paramref name="Failure"/>.</summary>
    public sealed record Fail(SessionFailure Failure) : SessionStep;

    /// <summary>Ask the user to authorize at the server of <paramref name="AuthServer"/>.</summary>
    public sealed record Authorize(WellKnownDocument AuthServer) : SessionStep;

    /// <summary>Refresh the (expired) tokens at <paramref name="TokenEndpoint"/>.</summary>
    public sealed record Refresh(Uri TokenEndpoint) : SessionStep;

    /// <summary>The API refused the access token: mark it expired, refresh it and call again (once per job).</summary>
    public sealed record RetryAfterRefresh : SessionStep;

    /// <summary>Drop the tokens (nothing else is needed to forget them).</summary>
    public sealed record Forget : SessionStep;

    /// <summary>Nothing is missing: the job answers with <paramref name="Reply"/>.</summary>
    public sealed record Answer(object Reply) : SessionStep;

    /// <summary>Call the API with the access token; <paramref name="Timeout"/> replaces the policy's when set.</summary>
    public sealed record CallApi(HttpMethod Method, Uri Url, IReadOnlyList<KeyValuePair<string, string>>? Form, IReadOnlyList<string>? Accept, TimeSpan? Timeout) : SessionStep;
}

/// <summary>
/// Decides a job's next step from what the session has: the well-known documents fetched this run, the
/// tokens and the clock. Pure: the session actor carries the step out and asks again when its result is in.
/// </summary>
/// <param name="server">The session's server (named in <see cref="SessionAuthorized"/>).</param>
/// <param name="expiryMargin">An access token counts as expired this long before it does.</param>
/// <param name="releaseTimeout">The time-out of <c>/disconnect</c> (the engine's disconnect time-out).</param>
internal sealed class SessionJobPlan(ServerId server, TimeSpan expiryMargin, TimeSpan releaseTimeout)
{
    /// <summary>The next step of the job serving <paramref name="envelope"/>.</summary>
    public SessionStep Next(SessionEnvelope envelope, SessionJobProgress progress, IReadOnlyDictionary<string, WellKnownDocument> wellKnown, OAuthTokens? tokens, DateTimeOffset now)
    {
        if (envelope.Request is ForgetTokens)
        {
            return new SessionStep.Forget();
        }
        if (!wellKnown.TryGetValue(envelope.AuthorizationBaseUrl, out var authServer))
        {
            return new SessionStep.FetchWellKnown(envelope.AuthorizationBaseUrl);
        }
        var apiBase = SessionRequests.ApiBaseOf(envelope.Request);
        WellKnownDocument? api = null;
        if (apiBase is not null && !wellKnown.TryGetValue(apiBase, out api))
        {
            return new SessionStep.FetchWellKnown(apiBase);
        }
        if (tokens is null)
        {
            return !progress.Interactive || progress.AuthorizationStarted
                ? new SessionStep.Fail(SessionFailures.AuthorizationRequired)
                : new SessionStep.Authorize(authServer);
        }
        if (!progress.TokensFresh && tokens.IsExpired(now, expiryMargin))
        {
            return new SessionStep.Refresh(authServer.TokenEndpoint);
        }
        return envelope.Request switch
        {
            EnsureAuthorized ensure => new SessionStep.Answer(new SessionAuthorized(ensure.RequestId, server, tokens.AuthorizedAt)),
            FetchInfo => new SessionStep.CallApi(HttpMethod.Get, api!.ApiCall("/info"), null, null, null),
            RequestConfig config => new SessionStep.CallApi(HttpMethod.Post, api!.ApiCall("/connect"), config.Form, config.Accept, null),
            ReleaseConfig => new SessionStep.CallApi(HttpMethod.Post, api!.ApiCall("/disconnect"), [], null, releaseTimeout),
            var other => new SessionStep.Fail(SessionFailures.UnknownRequest(other)),
        };
    }
}
