using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Actors.Sessions.OAuth;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Sessions;

/// <summary>The token endpoint client against the portal double.</summary>
public sealed class TokenClientTests : IAsyncLifetime
{
    private readonly EngineHttpClient _http = new(TestCertificate.TrustingPolicy());
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private PortalTestServer _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Refresh_Succeeds_ExpiryCountsFromTheRequestStartAndKeepsAuthorizedAt()
    {
        var issued = _portal.IssueTokens("alice");
        var authorizedAt = _clock.GetUtcNow().AddDays(-3);
        var client = new TokenClient(_http, _clock);

        var refreshed = await client.RefreshAsync(_portal.TokenEndpoint, "org.eduvpn.app.linux",
            new OAuthTokens(issued.AccessToken, issued.RefreshToken, _clock.GetUtcNow(), authorizedAt), CancellationToken.None);

        Assert.Equal(_clock.GetUtcNow().AddHours(1), refreshed.AccessTokenExpiresAt);
        Assert.Equal(authorizedAt, refreshed.AuthorizedAt);
        Assert.NotEqual(issued.RefreshToken, refreshed.RefreshToken);
        Assert.NotEqual(issued.AccessToken, refreshed.AccessToken);
    }

    [Fact]
    public async Task Refresh_ServerSendsNoNewRefreshToken_KeepsTheOldOne()
    {
        _portal.UpdateOptions(o => o with { RefreshIssuesNewRefreshToken = false });
        var issued = _portal.IssueTokens("alice");
        var client = new TokenClient(_http, _clock);

        var refreshed = await client.RefreshAsync(_portal.TokenEndpoint, "org.eduvpn.app.linux",
            new OAuthTokens(issued.AccessToken, issued.RefreshToken, _clock.GetUtcNow(), _clock.GetUtcNow()), CancellationToken.None);

        Assert.Equal(issued.RefreshToken, refreshed.RefreshToken);
    }

    [Fact]
    public async Task Refresh_Replayed_IsRejectedAsInvalidGrant()
    {
        var issued = _portal.IssueTokens("alice");
        var client = new TokenClient(_http, _clock);
        var tokens = new OAuthTokens(issued.AccessToken, issued.RefreshToken, _clock.GetUtcNow(), _clock.GetUtcNow());
        await client.RefreshAsync(_portal.TokenEndpoint, "org.eduvpn.app.linux", tokens, CancellationToken.None);

        var error = await Assert.ThrowsAsync<RefreshRejectedException>(() =>
            client.RefreshAsync(_portal.TokenEndpoint, "org.eduvpn.app.linux", tokens, CancellationToken.None));

        Assert.DoesNotContain(issued.RefreshToken, error.Message);
        Assert.Equal(0, _portal.ActiveAuthorizationCount);
    }

    [Fact]
    public async Task Refresh_UnknownClient_IsATypedFailureNotAReauthorization()
    {
        var issued = _portal.IssueTokens("alice");
        var client = new TokenClient(_http, _clock);

        var error = await Assert.ThrowsAsync<SessionException>(() => client.RefreshAsync(_portal.TokenEndpoint, "com.example.unknown",
            new OAuthTokens(issued.AccessToken, issued.RefreshToken, _clock.GetUtcNow(), _clock.GetUtcNow()), CancellationToken.None));

        Assert.Equal(SessionErrorKind.ServerError, error.Kind);
        Assert.Equal(401, error.Failure.HttpStatus);
    }

    [Fact]
    public async Task ExchangeCode_UnknownCode_FailsAuthorizationFailed()
    {
        var client = new TokenClient(_http, _clock);

        var error = await Assert.ThrowsAsync<SessionException>(() => client.ExchangeCodeAsync(_portal.TokenEndpoint, "org.eduvpn.app.linux",
            "not-a-code", Pkce.NewRandomValue(), "http://127.0.0.1:50000/callback", CancellationToken.None));

        Assert.Equal(SessionErrorKind.AuthorizationFailed, error.Kind);
        Assert.Equal(400, error.Failure.HttpStatus);
    }
}
