using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.TestServer;
using static EduVpnActors.Messages.Connection.ConnectionState;

using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// The client flow end to end through the facade: real discovery server, real portal double, real
/// SQLite journal, a user who logs in with a browser double.
/// </summary>
public sealed class ClientFlowTests : ClientFlowTestBase
{
    [Fact]
    public async Task TypicalFlow_RegisterAddConnectDisconnectRemove_RestartShowsTheExpectedState()
    {
        var added = await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Assert.Equal(Lab.Institute, added.Id);
        Assert.NotNull(added.LastAuthorizedAt);

        var getting = Engine.GetConfigAsync(Lab.Institute);
        var question = await Lab.NextQuestionAsync(Wait);
        var profiles = Assert.IsType<ProfileQuestion>(question.Data);
        Assert.Equal(["default", "wg-only", "ovpn-only"], profiles.Profiles.Select(p => p.Id));
        // The engine answers state queries while it waits for the host (eduvpn-common deadlocks here).
        Assert.Equal(AskProfile, (await Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait)).State);
        await Engine.AnswerAsync(Lab.Institute, profiles.QuestionId, "wg-only");
        var config = await getting.WaitAsync(Wait);

        Assert.Equal("wg-only", config.ProfileId);
        Assert.Equal(VpnProtocol.WireGuard, config.Configuration.Protocol);
        Assert.Contains("PrivateKey = ", config.Configuration.Config);
        Assert.True(config.Configuration.Expires > DateTimeOffset.UtcNow);

        foreach (var state in new[] { Connecting, Connected, Disconnecting, Disconnected })
        {
            await Engine.SetConnectionStateAsync(Lab.Institute, state).WaitAsync(Wait);
        }
        Assert.True(await Engine.CleanupAsync(Lab.Institute).WaitAsync(Wait));
        Assert.Single(Lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));

        Assert.Equal(
            [AddingServer, OAuthStarted, Main, GettingConfig, AskProfile, GettingConfig, GotConfig, Connecting, Connected, Disconnecting, Disconnected],
            Lab.StatesOf(Lab.Institute));

        // Restart: the server, its profile and times are back; a new config needs no new login.
        await Lab.StartEngineAsync();
        var listed = Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait));
        Assert.Equal("wg-only", listed.Record.ProfileId);
        Assert.True(listed.IsCurrent);
        Assert.False(listed.Delisted);
        var again = await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);
        Assert.Equal("wg-only", again.ProfileId);
        Assert.Equal(1, Lab.Logins);

        await Engine.RemoveServerAsync(Lab.Institute).WaitAsync(Wait);
        await Lab.StartEngineAsync();
        Assert.Empty(await Engine.ListServersAsync().WaitAsync(Wait));
    }

    [Fact]
    public async Task ProfileQuestion_Cancelled_TypedErrorAndBackToMain()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        var getting = Engine.GetConfigAsync(Lab.Institute);
        await Lab.NextQuestionAsync(Wait);

        await Engine.CancelAsync(Lab.Institute).WaitAsync(Wait);

        var error = await Assert.ThrowsAsync<EduVpnException>(() => getting.WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.Cancelled, error.Kind);
        await WaitForStateAsync(Lab.Institute, Main);
        Assert.Empty(Lab.Portal.RequestsTo(PortalTestServer.ConnectPath));
    }

    [Fact]
    public async Task AddServer_CancelledBeforeTheUrl_TheSessionStopsToo_TheNextAddProceedsAtOnce()
    {
        // The session's first well-known request is held open: the authorization has started, no URL yet.
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 1;
        Lab.Portal.Intercept = async context =>
        {
            if (context.Request.Path != PortalTestServer.WellKnownPath || Interlocked.Exchange(ref first, 0) == 0)
            {
                return false;
            }
            arrived.TrySetResult();
            try
            {
                await release.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return true;
            }
            return false;
        };
        var adding = Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl);
        await arrived.Task.WaitAsync(Wait);

        await Engine.CancelAsync(Lab.Institute).WaitAsync(Wait);
        var error = await Assert.ThrowsAsync<EduVpnException>(() => adding.WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.Cancelled, error.Kind);
        // Had the session's job carried on, this answer would let it listen for a callback now.
        release.TrySetResult();

        // Well within the reply time-out (30 s), far from the session's callback time-out (5 min).
        var started = DateTime.UtcNow;
        var added = await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotNull(added.LastAuthorizedAt);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
        Assert.Equal(1, Lab.Logins);
        // The lab reads the state stream on its own task: the last change may still be on its way to it.
        await Eventually.HoldsAsync(() => Lab.StatesOf(Lab.Institute).Count >= 5, Wait, "the lab never saw the last state");
        Assert.Equal([AddingServer, Main, AddingServer, OAuthStarted, Main], Lab.StatesOf(Lab.Institute));
    }

    [Fact]
    public async Task WrongProfileAnswer_QuestionStaysOpen()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        var getting = Engine.GetConfigAsync(Lab.Institute);
        var question = Assert.IsType<ProfileQuestion>((await Lab.NextQuestionAsync(Wait)).Data);

        var wrong = await Assert.ThrowsAsync<EduVpnException>(() => Engine.AnswerAsync(Lab.Institute, question.QuestionId, "no-such-profile").WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.InvalidState, wrong.Kind);
        await Engine.AnswerAsync(Lab.Institute, question.QuestionId, "ovpn-only").WaitAsync(Wait);

        var config = await getting.WaitAsync(Wait);
        Assert.Equal(VpnProtocol.OpenVpn, config.Configuration.Protocol);
        Assert.EndsWith("\nscript-security 0", config.Configuration.Config);
    }

    [Fact]
    public async Task TwoServersAtOnce_InstituteAndSecureInternet_BothConnected()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        var secure = await Engine.AddServerAsync(ServerType.SecureInternet, ClientFlowLab.OrganizationId).WaitAsync(Wait);
        Assert.Equal("nl", secure.LocationCountryCode);

        var first = await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);
        var second = await Engine.GetConfigAsync(Lab.SecureInternet).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(Lab.Institute, Connecting);
        await Engine.SetConnectionStateAsync(Lab.SecureInternet, Connecting);
        await Engine.SetConnectionStateAsync(Lab.Institute, Connected);
        await Engine.SetConnectionStateAsync(Lab.SecureInternet, Connected);

        Assert.Equal(Connected, (await Engine.GetConnectionStateAsync(Lab.Institute)).State);
        Assert.Equal(Connected, (await Engine.GetConnectionStateAsync(Lab.SecureInternet)).State);
        Assert.NotEqual(first.Configuration.Config, second.Configuration.Config);
        // A tunnel that is up cannot be removed from under the host.
        var refused = await Assert.ThrowsAsync<EduVpnException>(() => Engine.RemoveServerAsync(Lab.Institute).WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.InvalidState, refused.Kind);
    }

    [Fact]
    public async Task StateOfAServer_NeverAddedOrRemoved_UnknownServer()
    {
        var never = new ServerId(ServerType.InstituteAccess, "https://never-added.example.org/");
        var unknown = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConnectionStateAsync(never).WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.UnknownServer, unknown.Kind);

        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Assert.Equal(Main, (await Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait)).State);
        await Engine.RemoveServerAsync(Lab.Institute).WaitAsync(Wait);

        var removed = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.UnknownServer, removed.Kind);
        // Added again, it is an ordinary server once more.
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Assert.Equal(Main, (await Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait)).State);
    }

    [Fact]
    public async Task SecureInternet_SecondLocation_UsesTheHomeTokenWithoutANewLogin()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.SecureInternet, ClientFlowLab.OrganizationId).WaitAsync(Wait);
        await Engine.GetConfigAsync(Lab.SecureInternet).WaitAsync(Wait);

        var moved = await Engine.SetLocationAsync(Lab.SecureInternet, "de").WaitAsync(Wait);
        Assert.Equal(Lab.SecondLocationUrl, moved.LocationBaseUrl);
        var config = await Engine.GetConfigAsync(Lab.SecureInternet).WaitAsync(Wait);

        Assert.Equal("default", config.ProfileId);
        Assert.Equal(1, Lab.Logins);
        var unknown = await Assert.ThrowsAsync<EduVpnException>(() => Engine.SetLocationAsync(Lab.SecureInternet, "xx").WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.UnknownLocation, unknown.Kind);
    }

    [Fact]
    public async Task ChangeProfile_RefusedWhileTheTunnelIsUp_AfterwardsTheLiveConfigIsReleasedFirst()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        var getting = Engine.GetConfigAsync(Lab.Institute);
        var question = Assert.IsType<ProfileQuestion>((await Lab.NextQuestionAsync(Wait)).Data);
        await Engine.AnswerAsync(Lab.Institute, question.QuestionId, "wg-only").WaitAsync(Wait);
        await getting.WaitAsync(Wait);

        // The same profile changes nothing and keeps the configuration.
        Assert.Equal("wg-only", (await Engine.SetProfileAsync(Lab.Institute, "wg-only").WaitAsync(Wait)).ProfileId);
        Assert.Equal(GotConfig, (await Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait)).State);

        await Engine.SetConnectionStateAsync(Lab.Institute, Connecting).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(Lab.Institute, Connected).WaitAsync(Wait);
        var refused = await Assert.ThrowsAsync<EduVpnException>(() => Engine.SetProfileAsync(Lab.Institute, "ovpn-only").WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.InvalidState, refused.Kind);
        Assert.Equal(Connected, (await Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait)).State);
        Assert.Empty(Lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));
        Assert.Equal("wg-only", Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait)).Record.ProfileId);

        await Engine.SetConnectionStateAsync(Lab.Institute, Disconnecting).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(Lab.Institute, Disconnected).WaitAsync(Wait);
        var changed = await Engine.SetProfileAsync(Lab.Institute, "ovpn-only").WaitAsync(Wait);

        // Rule 33: switching the profile calls /disconnect; rule 35: the old config is gone.
        Assert.Equal("ovpn-only", changed.ProfileId);
        Assert.Null(changed.ConfigExpiresAt);
        Assert.Single(Lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));
        Assert.Equal(Main, (await Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait)).State);
        var config = await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);
        Assert.Equal(("ovpn-only", VpnProtocol.OpenVpn), (config.ProfileId, config.Configuration.Protocol));
    }

    [Fact]
    public async Task ChangeLocation_RefusedWhileTheTunnelIsUp_AfterwardsTheLiveConfigIsReleasedFirst()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.SecureInternet, ClientFlowLab.OrganizationId).WaitAsync(Wait);
        await Engine.GetConfigAsync(Lab.SecureInternet).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(Lab.SecureInternet, Connecting).WaitAsync(Wait);

        var refused = await Assert.ThrowsAsync<EduVpnException>(() => Engine.SetLocationAsync(Lab.SecureInternet, "de").WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.InvalidState, refused.Kind);
        Assert.Equal("nl", Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait)).Record.LocationCountryCode);
        Assert.Empty(Lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));

        await Engine.SetConnectionStateAsync(Lab.SecureInternet, Disconnecting).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(Lab.SecureInternet, Disconnected).WaitAsync(Wait);
        var moved = await Engine.SetLocationAsync(Lab.SecureInternet, "de").WaitAsync(Wait);

        Assert.Equal("de", moved.LocationCountryCode);
        Assert.Null(moved.ConfigExpiresAt);
        Assert.Single(Lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));
        Assert.Equal(Main, (await Engine.GetConnectionStateAsync(Lab.SecureInternet).WaitAsync(Wait)).State);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Remove_WithAnUnreleasedConfig_DisconnectsFirstBestEffort(bool cleanedUpBefore, bool disconnectFails)
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);
        if (cleanedUpBefore)
        {
            await Engine.CleanupAsync(Lab.Institute).WaitAsync(Wait);
        }
        if (disconnectFails)
        {
            Lab.Portal.FailNext(PortalTestServer.DisconnectPath, 500);
        }

        await Engine.RemoveServerAsync(Lab.Institute).WaitAsync(Wait);

        // One /disconnect in all: by the cleanup, or by the remove (also when it fails: best effort).
        Assert.Single(Lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));
        Assert.Empty(await Engine.ListServersAsync().WaitAsync(Wait));
    }

    [Theory]
    [InlineData(404, SessionErrorKind.NotFound)]
    [InlineData(406, SessionErrorKind.NotAcceptable)]
    [InlineData(403, SessionErrorKind.Forbidden)]
    [InlineData(500, SessionErrorKind.ServerError)]
    public async Task ConnectFails_TypedErrorAndTheEngineStaysUsable(int status, SessionErrorKind expected)
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Lab.Portal.FailNext(PortalTestServer.ConnectPath, status);

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.Session, error.Kind);
        Assert.Equal(expected, error.Error.Session?.Kind);
        Assert.False(string.IsNullOrWhiteSpace(error.LocalizedMessage));
        var config = await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);
        Assert.Equal("default", config.ProfileId);
        Assert.Equal(1, Lab.Logins);
    }

    [Fact]
    public async Task StartupConnect_WithoutTokens_AuthorizationRequiredAndNoBrowser()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl, interactive: false).WaitAsync(Wait);

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(Lab.Institute, startup: true).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.AuthorizationRequired, error.Kind);
        Assert.DoesNotContain(OAuthStarted, Lab.StatesOf(Lab.Institute));
        Assert.Equal(0, Lab.Logins);
    }

    [Fact]
    public async Task AddInstitute_NotInDiscovery_TypedErrorAndNothingStored()
    {
        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.AddServerAsync(ServerType.InstituteAccess, "https://unknown.example.org/").WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.NotInDiscovery, error.Kind);
        Assert.Empty(await Engine.ListServersAsync().WaitAsync(Wait));
    }

    [Fact]
    public async Task RestartMidQuestion_ServerKeptAndTheFlowContinuesWithoutLogin()
    {
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        _ = Engine.GetConfigAsync(Lab.Institute);
        await Lab.NextQuestionAsync(Wait);

        await Lab.StartEngineAsync();
        var getting = Engine.GetConfigAsync(Lab.Institute);
        var question = Assert.IsType<ProfileQuestion>((await Lab.NextQuestionAsync(Wait)).Data);
        await Engine.AnswerAsync(Lab.Institute, question.QuestionId, "default");

        Assert.Equal("default", (await getting.WaitAsync(Wait)).ProfileId);
        Assert.Equal(1, Lab.Logins);
    }

    [Fact]
    public async Task RenewSession_DisconnectsDropsTokensAndAuthorizesAgain()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(Lab.Institute, Connecting);
        await Engine.SetConnectionStateAsync(Lab.Institute, Connected);

        var refused = await Assert.ThrowsAsync<EduVpnException>(() => Engine.RenewSessionAsync(Lab.Institute).WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.InvalidState, refused.Kind);

        await Engine.SetConnectionStateAsync(Lab.Institute, Disconnecting);
        await Engine.SetConnectionStateAsync(Lab.Institute, Disconnected);
        var renewed = await Engine.RenewSessionAsync(Lab.Institute).WaitAsync(Wait);

        Assert.Equal(2, Lab.Logins);
        Assert.Single(Lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));
        Assert.Null(renewed.ConfigExpiresAt);
        Assert.Equal("default", (await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait)).ProfileId);
    }

    [Fact]
    public async Task Failover_ProbesTheTunnelGatewayOnlyWhenTheTunnelIsUp()
    {
        Lab.Portal.SetProfiles(PortalProfile.OpenVpnOnly);
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);

        var early = await Assert.ThrowsAsync<EduVpnException>(() => Engine.StartFailoverAsync(Lab.Institute, 1400, "lo", "127.0.0.1").WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.InvalidState, early.Kind);

        await Engine.SetConnectionStateAsync(Lab.Institute, Connecting);
        await Engine.SetConnectionStateAsync(Lab.Institute, Connected);
        // OpenVPN learns its addresses at run time: without the host's gateway there is nothing to probe.
        var unknown = await Assert.ThrowsAsync<EduVpnException>(() => Engine.StartFailoverAsync(Lab.Institute, 1400).WaitAsync(Wait));
        Assert.Contains("gateway", unknown.Message);

        // Only loopback is ever a target here: the host names 127.0.0.1 on lo as the tunnel's gateway.
        var verdict = await Engine.StartFailoverAsync(Lab.Institute, 1400, "lo", "127.0.0.1").WaitAsync(Wait);
        Assert.Null(verdict.Error);
        Assert.False(verdict.Dropped);
        Assert.True(verdict.ReplySeen);
    }

    [Fact]
    public async Task WireGuardOverTcp_PreferTcp_EndpointOnALocalPortAndProxySettings()
    {
        Lab.Portal.SetProfiles(PortalProfile.WireGuardTcp);
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);

        var got = await Engine.GetConfigAsync(Lab.Institute, preferTcp: true).WaitAsync(Wait);

        Assert.Equal(VpnProtocol.WireGuardProxy, got.Configuration.Protocol);
        var proxy = Assert.IsType<ProxySettings>(got.Configuration.Proxy);
        Assert.Contains($"Endpoint = 127.0.0.1:{proxy.ListenPort}", got.Configuration.Config);
        Assert.False(got.Configuration.ShouldFailover);
        var request = Assert.Single(Lab.Portal.RequestsTo(PortalTestServer.ConnectPath));
        Assert.Equal(["profile_id", "public_key", "prefer_tcp"], request.FormKeys);
        Assert.Contains("application/x-wireguard+tcp-profile", request.Accept);
    }

    private async Task WaitForStateAsync(ServerId server, ConnectionState expected)
    {
        var deadline = DateTime.UtcNow + Wait;
        while ((await Engine.GetConnectionStateAsync(server)).State != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{server} never reached {expected}");
            await Task.Delay(50);
        }
    }
}
