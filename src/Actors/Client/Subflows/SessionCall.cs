using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client.Subflows;

/// <summary>A session request that may need the user, as data: a <see cref="SessionStepActor"/> builds it for each attempt.</summary>
/// <param name="Step">Names the step in request ids.</param>
public abstract record SessionCall(string Step)
{
    /// <summary>The request for one attempt at <paramref name="at"/>; <paramref name="asUser"/> lets the session open a browser.</summary>
    public abstract ISessionRequest Build(string requestId, SessionTarget at, bool asUser);

    /// <summary>When the tokens that answered were obtained (newer than stored when a login happened on the way).</summary>
    public static DateTimeOffset? AuthorizedAtOf(object reply) => reply switch
    {
        SessionAuthorized authorized => authorized.AuthorizedAt,
        InfoFetched info => info.AuthorizedAt,
        ConfigReceived received => received.AuthorizedAt,
        _ => null,
    };

    /// <summary>Usable tokens (an authorization when there are none). Replies <see cref="SessionAuthorized"/>.</summary>
    public sealed record Authorize() : SessionCall("authorize")
    {
        /// <inheritdoc/>
        public override ISessionRequest Build(string requestId, SessionTarget at, bool asUser) => new EnsureAuthorized(requestId, asUser);
    }

    /// <summary><c>/info</c> of the API. Replies <see cref="InfoFetched"/>.</summary>
    public sealed record Info() : SessionCall("info")
    {
        /// <inheritdoc/>
        public override ISessionRequest Build(string requestId, SessionTarget at, bool asUser) => new FetchInfo(requestId, at.ApiBaseUrl, asUser);
    }

    /// <summary><c>/connect</c> with the form and <c>Accept</c> values built for it. Replies <see cref="ConfigReceived"/>.</summary>
    public sealed record Connect(IReadOnlyList<KeyValuePair<string, string>> Form, IReadOnlyList<string> Accept) : SessionCall("connect")
    {
        /// <inheritdoc/>
        public override ISessionRequest Build(string requestId, SessionTarget at, bool asUser) =>
            new RequestConfig(requestId, at.ApiBaseUrl, Form, Accept, asUser);
    }
}
