using Akka.Actor;
using EduVpnActors.Actors.Sessions.OAuth;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>
/// The request a session is serving and how far it got. Owned by the session actor and changed on its
/// thread only; disposing it closes the authorization in progress and cancels the running step.
/// </summary>
internal sealed class SessionJob(int id, IActorRef requester, SessionEnvelope envelope, CancellationTokenSource cancellation) : IDisposable
{
    /// <summary>Tags the job's piped step results, so late answers of an ended job are dropped.</summary>
    public int Id { get; } = id;

    /// <summary>Whoever asked; every answer of the job goes there.</summary>
    public IActorRef Requester { get; } = requester;

    /// <summary>The request with the servers it concerns.</summary>
    public SessionEnvelope Envelope { get; } = envelope;

    /// <summary>Whether the job may ask the user (see <see cref="SessionRequests.IsInteractive"/>).</summary>
    public bool Interactive { get; } = SessionRequests.IsInteractive(envelope.Request);

    /// <summary>Cancelled when the job ends or the actor stops.</summary>
    public CancellationTokenSource Cancellation { get; } = cancellation;

    /// <summary>The tokens were obtained in this job: use them even when <c>expires_in</c> is tiny.</summary>
    public bool TokensFresh { get; set; }

    /// <summary>An API call was answered 401 once already and retried after a refresh.</summary>
    public bool RetriedAfter401 { get; set; }

    /// <summary>The job asked the user once; it never asks twice.</summary>
    public bool AuthorizationStarted { get; set; }

    /// <summary>The authorization waiting for the browser, if any.</summary>
    public AuthorizationInProgress? Authorization { get; private set; }

    /// <summary>How far the job got, for <see cref="SessionJobPlan.Next"/>.</summary>
    public SessionJobProgress Progress => new(Interactive, AuthorizationStarted, TokensFresh);

    /// <summary>An API call was refused with 401: the tokens must be refreshed, and the call is retried once.</summary>
    public void RetryAfterRefresh()
    {
        RetriedAfter401 = true;
        TokensFresh = false;
    }

    /// <summary>Asks the user (once per job): listens for the browser and keeps the authorization until it ends.</summary>
    /// <exception cref="SessionException">The callback address cannot be listened on.</exception>
    public AuthorizationInProgress StartAuthorization(SessionSettings settings, Api.WellKnownDocument authServer)
    {
        AuthorizationStarted = true;
        Authorization?.Dispose();
        Authorization = AuthorizationInProgress.Start(settings, authServer, Envelope);
        return Authorization;
    }

    /// <summary>The callback arrived: stops listening, and hands over the authorization whose code is exchanged now.</summary>
    public AuthorizationInProgress EndAuthorization()
    {
        var authorization = Authorization!;
        authorization.Dispose();
        Authorization = null;
        return authorization;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Authorization?.Dispose();
        Authorization = null;
        Cancellation.Cancel();
        Cancellation.Dispose();
    }
}
