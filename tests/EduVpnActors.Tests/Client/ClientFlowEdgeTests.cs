using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.TestServer;
using static EduVpnActors.Messages.Connection.ConnectionState;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// The client flow where discovery or the portal changed under a stored server: a location that went
/// away, a delisted institute, a server with no profile for the user, an expired authorization.
/// </summary>
public sealed class ClientFlowEdgeTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ClientFlowLab _lab = null!;

    private EduVpnEngine Engine => _lab.Engine;

    public async Task InitializeAsync() => _lab = await ClientFlowLab.StartAsync();

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task StoredLocationGoneFromDiscovery_AskLocation_AnswerUsedAndRemembered()
    {
        _lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.SecureInternet, ClientFlowLab.OrganizationId).WaitAsync(Wait);
        await Engine.SetLocationAsync(_lab.SecureInternet, "de").WaitAsync(Wait);
        _lab.PublishDiscovery(withSecondLocation: false);
        await _lab.StartEngineAsync();

        var getting = Engine.GetConfigAsync(_lab.SecureInternet);
        var asked = await _lab.NextQuestionAsync(Wait);
        var question = Assert.IsType<LocationQuestion>(asked.Data);
        Assert.Equal(["nl"], question.CountryCodes);
        Assert.Equal(AskLocation, (await Engine.GetConnectionStateAsync(_lab.SecureInternet).WaitAsync(Wait)).State);
        await Engine.AnswerAsync(_lab.SecureInternet, question.QuestionId, "nl");

        var got = await getting.WaitAsync(Wait);
        Assert.Equal(GotConfig, (await Engine.GetConnectionStateAsync(_lab.SecureInternet).WaitAsync(Wait)).State);
        Assert.False(string.IsNullOrEmpty(got.Configuration.Config));
        var listed = Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait));
        Assert.Equal("nl", listed.Record.LocationCountryCode);
        // The home server's token served the new location: one login in all.
        Assert.Equal(1, _lab.Logins);
    }

    [Fact]
    public async Task InstituteGoneFromDiscovery_ListedAsDelisted_AndStillConnects()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
        _lab.PublishDiscovery(withInstitute: false);
        await _lab.StartEngineAsync();

        var listed = Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait));
        Assert.True(listed.Delisted);

        var getting = Engine.GetConfigAsync(_lab.Institute);
        var question = Assert.IsType<ProfileQuestion>((await _lab.NextQuestionAsync(Wait)).Data);
        await Engine.AnswerAsync(_lab.Institute, question.QuestionId, "wg-only");
        Assert.Equal("wg-only", (await getting.WaitAsync(Wait)).ProfileId);
    }

    [Fact]
    public async Task NoProfileForTheUser_TypedNoProfilesError_BackToMain()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
        _lab.Portal.SetProfiles();

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.NoProfiles, error.Kind);
        Assert.Equal(Main, (await Engine.GetConnectionStateAsync(_lab.Institute).WaitAsync(Wait)).State);
        Assert.Empty(_lab.Portal.RequestsTo(PortalTestServer.ConnectPath));
    }

    [Fact]
    public async Task AuthorizationExpired_GetConfigAuthorizesAgain_ThenConnects()
    {
        var added = await Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
        _lab.Portal.SetProfiles(PortalProfile.Default);
        // Every authorization ends (session expired or revoked): API calls get 401, refreshes invalid_grant.
        _lab.Portal.RevokeAll();

        var got = await Engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait);

        Assert.Equal("default", got.ProfileId);
        Assert.Equal(2, _lab.Logins);
        Assert.Equal(GotConfig, (await Engine.GetConnectionStateAsync(_lab.Institute).WaitAsync(Wait)).State);
        // The state events reach the lab's follower asynchronously: wait for the last one.
        await WaitUntilAsync(() => _lab.StatesOf(_lab.Institute).Contains(GotConfig));
        Assert.Equal([AddingServer, OAuthStarted, Main, GettingConfig, OAuthStarted, Main, GettingConfig, GotConfig], _lab.StatesOf(_lab.Institute));
        // The new login is the session's start now (expiry and renewal times count from it).
        var listed = Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait));
        Assert.True(listed.Record.LastAuthorizedAt > added.LastAuthorizedAt, $"{listed.Record.LastAuthorizedAt:O} after {added.LastAuthorizedAt:O}");
    }

    [Fact]
    public async Task AuthorizationExpired_AtStartup_AuthorizationRequiredWithoutABrowser()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
        _lab.Portal.SetProfiles(PortalProfile.Default);
        _lab.Portal.RevokeAll();

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(_lab.Institute, startup: true).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.AuthorizationRequired, error.Kind);
        Assert.Equal(1, _lab.Logins);
        // Only the login of AddServer ever showed an authorization URL.
        Assert.Single(_lab.Changes, c => c.ConnectionId == _lab.Institute.ToString() && c.Data is AuthorizationUrlData);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
