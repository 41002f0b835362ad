using System.Net.Sockets;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions.OAuth;

/// <summary>
/// One authorization waiting for the browser: the loopback listener, the request the user opens and the
/// token endpoint its code goes to. Disposing it closes the listener at once (before anyone hears that
/// the authorization ended); the request stays readable, since the code is exchanged after the listener closed.
/// </summary>
internal sealed class AuthorizationInProgress : IDisposable
{
    private readonly LoopbackCallbackListener _listener;

    private AuthorizationInProgress(LoopbackCallbackListener listener, AuthorizationRequest request, Uri tokenEndpoint)
    {
        _listener = listener;
        Request = request;
        TokenEndpoint = tokenEndpoint;
    }

    /// <summary>The URL the user opens, with the secrets (state, PKCE verifier) that stay here.</summary>
    public AuthorizationRequest Request { get; }

    /// <summary>Where the code is exchanged.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The first callback that belongs to this authorization; cancelled when disposed first.</summary>
    public Task<CallbackOutcome> Callback => _listener.Result;

    /// <summary>Listens on the loopback address of <paramref name="settings"/>, then builds the request with its redirect URI.</summary>
    /// <exception cref="SessionException"><see cref="SessionErrorKind.AuthorizationFailed"/>: the address cannot be listened on.</exception>
    public static AuthorizationInProgress Start(SessionSettings settings, WellKnownDocument authServer, SessionEnvelope envelope)
    {
        var issuer = CallbackValidator.IssuerOf(authServer.AuthorizationEndpoint);
        var state = Pkce.NewRandomValue();
        LoopbackCallbackListener listener;
        try
        {
            listener = LoopbackCallbackListener.Start(settings.LoopbackHost, settings.CallbackPort, settings.CallbackPath,
                query => CallbackValidator.Validate(query, state, issuer));
        }
        catch (SocketException e)
        {
            throw new SessionException(SessionFailures.CannotListen(settings, e.SocketErrorCode), e);
        }
        var request = AuthorizationRequest.Create(authServer.AuthorizationEndpoint, settings.ClientId, listener.RedirectUri,
            envelope.AuthenticationUrlTemplate, envelope.OrganizationId, state);
        return new AuthorizationInProgress(listener, request, authServer.TokenEndpoint);
    }

    /// <summary>Exchanges the callback's <paramref name="code"/> for tokens with this request's verifier and redirect URI.</summary>
    public Task<OAuthTokens> ExchangeAsync(TokenClient client, string code, CancellationToken cancellationToken) =>
        client.ExchangeCodeAsync(TokenEndpoint, Request.ClientId, code, Request.CodeVerifier, Request.RedirectUri, cancellationToken);

    /// <summary>Stops listening; a browser that comes back later finds no listener.</summary>
    public void Dispose() => _listener.Dispose();
}
