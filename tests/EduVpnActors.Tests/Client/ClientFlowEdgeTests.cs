using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using static EduVpnActors.Messages.Connection.ConnectionState;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// The client flow where discovery or the portal changed under a stored server: a location that went
/// away, a delisted institute, a server with no profile for the user, an expired authorization.
/// </summary>
public sealed class ClientFlowEdgeTests : ClientFlowTestBase
{
    [Fact]
    public async Task StoredLocationGoneFromDiscovery_AskLocation_AnswerUsedAndRemembered()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.SecureInternet, ClientFlowLab.OrganizationId).WaitAsync(Wait);
        await Engine.SetLocationAsync(Lab.SecureInternet, "de").WaitAsync(Wait);
        Lab.PublishDiscovery(withSecondLocation: false);
        await Lab.StartEngineAsync();

        var getting = Engine.GetConfigAsync(Lab.SecureInternet);
        var asked = await Lab.NextQuestionAsync(Wait);
        var question = Assert.IsType<LocationQuestion>(asked.Data);
        Assert.Equal(["nl"], question.CountryCodes);
        Assert.Equal(AskLocation, (await Engine.GetConnectionStateAsync(Lab.SecureInternet).WaitAsync(Wait)).State);
        await Engine.AnswerAsync(Lab.SecureInternet, question.QuestionId, "nl");

        var got = await getting.WaitAsync(Wait);
        Assert.Equal(GotConfig, (await Engine.GetConnectionStateAsync(Lab.SecureInternet).WaitAsync(Wait)).State);
        Assert.False(string.IsNullOrEmpty(got.Configuration.Config));
        var listed = Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait));
        Assert.Equal("nl", listed.Record.LocationCountryCode);
        // The home server's token served the new location: one login in all.
        Assert.Equal(1, Lab.Logins);
    }

    [Fact]
    public async Task InstituteGoneFromDiscovery_ListedAsDelisted_AndStillConnects()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Lab.PublishDiscovery(withInstitute: false);
        await Lab.StartEngineAsync();

        var listed = Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait));
        Assert.True(listed.Delisted);

        var getting = Engine.GetConfigAsync(Lab.Institute);
        var question = Assert.IsType<ProfileQuestion>((await Lab.NextQuestionAsync(Wait)).Data);
        await Engine.AnswerAsync(Lab.Institute, question.QuestionId, "wg-only");
        Assert.Equal("wg-only", (await getting.WaitAsync(Wait)).ProfileId);
    }

    [Fact]
    public async Task NoProfileForTheUser_TypedNoProfilesError_BackToMain()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Lab.Portal.SetProfiles();

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.NoProfiles, error.Kind);
        Assert.Equal(Main, (await Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait)).State);
        Assert.Empty(Lab.Portal.RequestsTo(PortalTestServer.ConnectPath));
    }

    [Fact]
    public async Task AuthorizationExpired_GetConfigAuthorizesAgain_ThenConnects()
    {
        var added = await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Lab.Portal.SetProfiles(PortalProfile.Default);
        // Every authorization ends (session expired or revoked): API calls get 401, refreshes invalid_grant.
        Lab.Portal.RevokeAll();

        var got = await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);

        Assert.Equal("default", got.ProfileId);
        Assert.Equal(2, Lab.Logins);
        Assert.Equal(GotConfig, (await Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait)).State);
        // The state events reach the lab's follower asynchronously: wait for the last one.
        await Eventually.HoldsAsync(() => Lab.StatesOf(Lab.Institute).Contains(GotConfig), Wait, "the lab never saw GotConfig");
        Assert.Equal([AddingServer, OAuthStarted, Main, GettingConfig, OAuthStarted, Main, GettingConfig, GotConfig], Lab.StatesOf(Lab.Institute));
        // The new login is the session's start now (expiry and renewal times count from it).
        var listed = Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait));
        Assert.True(listed.Record.LastAuthorizedAt > added.LastAuthorizedAt, $"{listed.Record.LastAuthorizedAt:O} after {added.LastAuthorizedAt:O}");
    }

    [Fact]
    public async Task AuthorizationExpired_AtStartup_AuthorizationRequiredWithoutABrowser()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Lab.Portal.SetProfiles(PortalProfile.Default);
        Lab.Portal.RevokeAll();

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(Lab.Institute, startup: true).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.AuthorizationRequired, error.Kind);
        Assert.Equal(1, Lab.Logins);
        // Only the login of AddServer ever showed an authorization URL.
        Assert.Single(Lab.Changes, c => c.ConnectionId == Lab.Institute.ToString() && c.Data is AuthorizationUrlData);
    }
}
