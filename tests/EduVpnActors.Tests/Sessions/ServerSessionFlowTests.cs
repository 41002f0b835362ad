using System.Web;
using Akka.Actor;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Tests.Sessions;

/// <summary>The authorization flow of a server session against the portal double, on a real SQLite journal.</summary>
public sealed class ServerSessionFlowTests() : SessionTestKit("session-flow-tests")
{
    [Fact]
    public async Task FullFlow_InteractiveThenInfo_GetsTokensAndUsesOnlyTheBearerHeader()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        await AuthorizeAsync(sessions, portal, probe);
        sessions.Tell(Envelope(portal, Info(portal)), probe);
        var info = await probe.ExpectMsgAsync<InfoFetched>(Wait);

        Assert.Equal(["default", "wg-only", "ovpn-only"], info.Profiles.Select(p => p.Id));
        var authorize = portal.RequestsTo(PortalTestServer.AuthorizePath)[0];
        Assert.Equal(["client_id", "code_challenge", "code_challenge_method", "redirect_uri", "response_type", "scope", "state"], authorize.QueryKeys.Order());
        var exchange = Assert.Single(portal.RequestsTo(PortalTestServer.TokenPath));
        Assert.Equal(["client_id", "code", "code_verifier", "grant_type", "redirect_uri"], exchange.FormKeys.Order());
        Assert.Equal(200, exchange.Status);
        var call = Assert.Single(portal.RequestsTo(PortalTestServer.InfoPath));
        Assert.Equal("Bearer", call.AuthorizationScheme);
        Assert.Empty(call.QueryKeys);
        Assert.Equal(1, portal.Counters.CodeExchanges);
        var status = await AskStatusAsync(sessions, portal);
        Assert.True(status.HasTokens);
        Assert.NotNull(status.AccessTokenExpiresAt);
    }

    [Fact]
    public async Task WellKnown_SeveralCallsInOneRun_FetchedOnce()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);

        sessions.Tell(Envelope(portal, Info(portal)), probe);
        await probe.ExpectMsgAsync<InfoFetched>(Wait);
        sessions.Tell(Envelope(portal, Info(portal)), probe);
        await probe.ExpectMsgAsync<InfoFetched>(Wait);

        Assert.Single(portal.RequestsTo(PortalTestServer.WellKnownPath));
    }

    [Fact]
    public async Task Restart_NewActorSystemOnTheSameDatabase_KeepsTheSessionWithoutLogin()
    {
        var portal = await StartPortalAsync();
        var first = ActorSystem.Create("first-run", EngineTestConfig.OnSqlite(DataDir.Path));
        await AuthorizeAsync(StartSessions(first), portal, CreateTestProbe(first));
        await first.Terminate();
        portal.ClearRequests();

        var second = ActorSystem.Create("second-run", EngineTestConfig.OnSqlite(DataDir.Path));
        try
        {
            var probe = CreateTestProbe(second);
            var sessions = StartSessions(second);
            sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);
            var info = await probe.ExpectMsgAsync<InfoFetched>(Wait);

            Assert.Equal(3, info.Profiles.Count);
            Assert.Empty(portal.RequestsTo(PortalTestServer.AuthorizePath));
            Assert.Empty(portal.RequestsTo(PortalTestServer.TokenPath));
            Assert.Equal(1, portal.Counters.LoginsSucceeded);
            // The well-known document is fetched fresh in the new run (client rule 3).
            Assert.Single(portal.RequestsTo(PortalTestServer.WellKnownPath));
        }
        finally
        {
            await second.Terminate();
        }
    }

    [Fact]
    public async Task ExpiredAccessToken_ByTheClientsClock_IsRefreshedBeforeTheCall()
    {
        var portal = await StartPortalAsync();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var sessions = StartSessions(time: clock);
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);
        clock.Advance(TimeSpan.FromMinutes(59.6));

        sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);
        await probe.ExpectMsgAsync<InfoFetched>(Wait);

        var refresh = portal.RequestsTo(PortalTestServer.TokenPath)[1];
        Assert.Equal(["client_id", "grant_type", "refresh_token"], refresh.FormKeys.Order());
        Assert.Equal(200, refresh.Status);
        Assert.All(portal.RequestsTo(PortalTestServer.InfoPath), r => Assert.Equal(200, r.Status));
        Assert.Equal(2, Protector.Seen.Count);
        Assert.NotEqual(Protector.Seen[0].RefreshToken, Protector.Seen[1].RefreshToken);
        Assert.Equal(Protector.Seen[0].AuthorizedAt, Protector.Seen[1].AuthorizedAt);
    }

    [Fact]
    public async Task Unauthorized_ServerExpiredTheToken_RefreshesOnceAndRetries()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);
        portal.ExpireAccessTokens();

        sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);
        await probe.ExpectMsgAsync<InfoFetched>(Wait);

        Assert.Equal([401, 200], portal.RequestsTo(PortalTestServer.InfoPath).Select(r => r.Status));
        Assert.Equal(1, portal.Counters.Refreshes);
    }

    [Fact]
    public async Task RefreshReplay_OldRefreshTokenRestored_IsDetectedAndLeadsToANewAuthorization()
    {
        var portal = await StartPortalAsync();
        var first = ActorSystem.Create("replay-first", EngineTestConfig.OnSqlite(DataDir.Path));
        await AuthorizeAsync(StartSessions(first), portal, CreateTestProbe(first));
        await first.Terminate();
        var backup = DatabasePath + ".backup";
        File.Copy(DatabasePath, backup);

        // A run that refreshes (the stored refresh token is used and replaced)...
        var second = ActorSystem.Create("replay-second", EngineTestConfig.OnSqlite(DataDir.Path));
        portal.ExpireAccessTokens();
        var secondProbe = CreateTestProbe(second);
        StartSessions(second).Tell(Envelope(portal, Info(portal, interactive: false)), secondProbe);
        await secondProbe.ExpectMsgAsync<InfoFetched>(Wait);
        await second.Terminate();

        // ...then the database is rolled back, so the next run replays the used refresh token.
        File.Copy(backup, DatabasePath, overwrite: true);
        var third = ActorSystem.Create("replay-third", EngineTestConfig.OnSqlite(DataDir.Path));
        try
        {
            portal.ExpireAccessTokens();
            var probe = CreateTestProbe(third);
            var sessions = StartSessions(third);
            sessions.Tell(Envelope(portal, Info(portal, interactive: true)), probe);
            var callback = await LoginAsync(probe, NewBrowser());
            using var _ = await NewBrowser().FollowAsync(callback);
            await probe.ExpectMsgAsync<InfoFetched>(Wait);

            var refreshes = portal.RequestsTo(PortalTestServer.TokenPath).Where(r => r.FormKeys.Contains("refresh_token")).ToList();
            Assert.Equal([200, 400], refreshes.Select(r => r.Status));
            Assert.Equal(2, portal.Counters.CodeExchanges);
        }
        finally
        {
            await third.Terminate();
        }
    }

    [Fact]
    public async Task RevokedAuthorization_NonInteractiveCall_FailsWithAuthorizationRequiredAndDropsTokens()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);
        portal.RevokeAll();

        sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);

        Assert.Equal(SessionErrorKind.AuthorizationRequired, (await ExpectFailureAsync(probe, "info")).Kind);
        Assert.False((await AskStatusAsync(sessions, portal)).HasTokens);
    }

    [Fact]
    public async Task NonInteractive_WithoutTokens_FailsWithAuthorizationRequiredAndNeverOpensTheBrowser()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("e", Interactive: false)), probe);

        Assert.Equal(SessionErrorKind.AuthorizationRequired, (await ExpectFailureAsync(probe, "e")).Kind);
        Assert.Empty(portal.RequestsTo(PortalTestServer.AuthorizePath));
    }

    [Fact]
    public async Task WrongStateCallback_DoesNotEndTheLegitimateFlow()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);
        var callback = await LoginAsync(probe, NewBrowser());

        using var forged = await NewBrowser().FollowAsync(WithParameter(callback, "state", "forged-state"));
        Assert.Equal(400, (int)forged.StatusCode);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        using var real = await NewBrowser().FollowAsync(callback);

        Assert.Equal(200, (int)real.StatusCode);
        await probe.ExpectMsgAsync<SessionAuthorized>(Wait);
    }

    [Fact]
    public async Task IssuerMismatch_OnTheCallback_IsRejected()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);
        var callback = await LoginAsync(probe, NewBrowser());

        using var _ = await NewBrowser().FollowAsync(WithParameter(callback, "iss", "https://evil.example.org/"));

        Assert.Equal(SessionErrorKind.IssuerMismatch, (await ExpectFailureAsync(probe, "a")).Kind);
        Assert.Empty(portal.RequestsTo(PortalTestServer.TokenPath));
    }

    [Fact]
    public async Task AccessDenied_UserRejects_FailsTypedAndStoresNothing()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);
        var callback = await LoginAsync(probe, NewBrowser(), approve: false);

        using var page = await NewBrowser().FollowAsync(callback);

        Assert.Equal(SessionErrorKind.AccessDenied, (await ExpectFailureAsync(probe, "a")).Kind);
        Assert.Contains("refused", await page.Content.ReadAsStringAsync());
        Assert.False((await AskStatusAsync(sessions, portal)).HasTokens);
    }

    [Fact]
    public async Task Cancel_WhileWaitingForTheBrowser_FailsCancelledAndClosesTheListener()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);
        var callback = await LoginAsync(probe, NewBrowser());

        sessions.Tell(Envelope(portal, new CancelAuthorization("a")), probe);

        Assert.Equal(SessionErrorKind.Cancelled, (await ExpectFailureAsync(probe, "a")).Kind);
        await Assert.ThrowsAsync<HttpRequestException>(() => NewBrowser().FollowAsync(callback));
        Assert.Empty(portal.RequestsTo(PortalTestServer.TokenPath));
    }

    [Fact]
    public async Task Cancel_OfAnotherRequest_LeavesTheRunningAuthorizationAlone()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);
        var browser = NewBrowser();
        var callback = await LoginAsync(probe, browser);

        // A late cancel of an earlier request of this server, told before the callback arrives.
        sessions.Tell(Envelope(portal, new CancelAuthorization("earlier")), probe);
        using var page = await browser.FollowAsync(callback);

        Assert.Equal("a", (await probe.ExpectMsgAsync<SessionAuthorized>(Wait)).RequestId);
    }

    [Fact]
    public async Task Cancel_BeforeTheUrlExists_StopsTheJobAndTheNextAuthorizationStartsAtOnce()
    {
        var portal = await StartPortalAsync();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wellKnownCalls = 0;
        // The first well-known fetch hangs until the engine gives up on it, so the cancel lands before any URL.
        portal.Intercept = async context =>
        {
            if (context.Request.Path != PortalTestServer.WellKnownPath || Interlocked.Increment(ref wellKnownCalls) != 1)
            {
                return false;
            }
            held.TrySetResult();
            try
            {
                await release.Task.WaitAsync(context.RequestAborted);
                return false;
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
                return true;
            }
        };
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);
        await held.Task.WaitAsync(Wait);

        sessions.Tell(Envelope(portal, new CancelAuthorization("a")), probe);

        // Well under the 60 s callback time-out of the kit: the cancel itself ended the job.
        var failed = await probe.ExpectMsgAsync<SessionRequestFailed>(TimeSpan.FromSeconds(10));
        Assert.Equal("a", failed.RequestId);
        Assert.Equal(SessionErrorKind.Cancelled, failed.Failure.Kind);
        await aborted.Task.WaitAsync(Wait);
        release.TrySetResult();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("b", true)), probe);
        var ready = await probe.ExpectMsgAsync<AuthorizationUrlReady>(TimeSpan.FromSeconds(10));
        Assert.Equal("b", ready.RequestId);
        var callback = await NewBrowser().AuthorizeAsync(ready.Url, "alice", "alice-password");
        using var followed = await NewBrowser().FollowAsync(callback);
        Assert.Equal("b", (await probe.ExpectMsgAsync<SessionAuthorized>(Wait)).RequestId);
        // Nothing of the cancelled job comes late (no URL of "a", no second answer).
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task CallbackTimeout_NoBrowserComesBack_FailsTimedOut()
    {
        Settings = Settings with { CallbackTimeout = TimeSpan.FromSeconds(1) };
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);
        var ready = await probe.ExpectMsgAsync<AuthorizationUrlReady>(Wait);

        Assert.Equal(SessionErrorKind.TimedOut, (await ExpectFailureAsync(probe, "a")).Kind);
        var redirect = HttpUtility.ParseQueryString(ready.Url.Query)["redirect_uri"]!;
        await Assert.ThrowsAsync<HttpRequestException>(() => NewBrowser().FollowAsync(new Uri(redirect + "?code=x&state=y")));
    }

    [Fact]
    public async Task TwoServers_AuthorizedAtTheSameTime_EachGetsItsOwnSession()
    {
        var one = await StartPortalAsync();
        var two = await StartPortalAsync();
        var sessions = StartSessions();
        var probeOne = CreateTestProbe();
        var probeTwo = CreateTestProbe();

        sessions.Tell(Envelope(one, new EnsureAuthorized("one", true)), probeOne);
        sessions.Tell(Envelope(two, new EnsureAuthorized("two", true)), probeTwo);
        var callbackOne = await LoginAsync(probeOne, NewBrowser());
        var callbackTwo = await LoginAsync(probeTwo, NewBrowser());
        using var followTwo = await NewBrowser().FollowAsync(callbackTwo);
        using var followOne = await NewBrowser().FollowAsync(callbackOne);

        Assert.Equal(IdOf(one), (await probeOne.ExpectMsgAsync<SessionAuthorized>(Wait)).Server);
        Assert.Equal(IdOf(two), (await probeTwo.ExpectMsgAsync<SessionAuthorized>(Wait)).Server);
        Assert.Equal(1, one.Counters.CodeExchanges);
        Assert.Equal(1, two.Counters.CodeExchanges);
        Assert.NotEqual(callbackOne.Port, callbackTwo.Port);
    }

    [Fact]
    public async Task ForgetTokens_AfterAuthorization_NextNonInteractiveCallNeedsAuthorization()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);

        sessions.Tell(Envelope(portal, new ForgetTokens("f")), probe);
        await probe.ExpectMsgAsync<TokensForgotten>(Wait);
        sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);

        Assert.Equal(SessionErrorKind.AuthorizationRequired, (await ExpectFailureAsync(probe, "info")).Kind);
    }

    [Fact]
    public async Task RequestsDuringAnAuthorization_WaitAndAreServedAfterIt()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        var other = CreateTestProbe();
        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);
        var callback = await LoginAsync(probe, NewBrowser());

        sessions.Tell(Envelope(portal, Info(portal, interactive: false, id: "queued")), other);
        await other.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        using var _ = await NewBrowser().FollowAsync(callback);

        await probe.ExpectMsgAsync<SessionAuthorized>(Wait);
        Assert.Equal("queued", (await other.ExpectMsgAsync<InfoFetched>(Wait)).RequestId);
        Assert.Equal(1, portal.Counters.CodeExchanges);
    }

    [Fact]
    public async Task Journal_ManyRefreshes_KeepsOnlyTheNewestTokenEvent()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);
        for (var i = 0; i < 4; i++)
        {
            portal.ExpireAccessTokens();
            sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);
            await probe.ExpectMsgAsync<InfoFetched>(Wait);
        }

        Assert.Equal(4, portal.Counters.Refreshes);
        // The SQL journal keeps the highest deleted row as a marker of the sequence number: at most two rows.
        await AwaitAssertAsync(() =>
        {
            Assert.Equal(1, SessionJournalRows(portal, "AND deleted = 0"));
            Assert.True(SessionJournalRows(portal, "") <= 2);
        }, Wait);
    }

    private long SessionJournalRows(PortalTestServer portal, string condition)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM journal WHERE persistence_id = $id {condition}";
        command.Parameters.AddWithValue("$id", ServerSessionActor.PersistenceIdOf(IdOf(portal)));
        return (long)command.ExecuteScalar()!;
    }

    private async Task<SessionStatus> AskStatusAsync(IActorRef sessions, PortalTestServer portal)
    {
        var probe = CreateTestProbe();
        sessions.Tell(Envelope(portal, new GetSessionStatus("s")), probe);
        return await probe.ExpectMsgAsync<SessionStatus>(Wait);
    }

    private static Uri WithParameter(Uri url, string name, string value)
    {
        var query = HttpUtility.ParseQueryString(url.Query);
        query[name] = value;
        return new UriBuilder(url) { Query = query.ToString() }.Uri;
    }
}
