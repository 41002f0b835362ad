using Akka.Actor;
using Akka.TestKit;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// The client actor and its connections against probes for the registry, discovery and sessions,
/// so a test decides which reply comes, when, and which never does.
/// </summary>
public sealed class ServerConnectionActorTests : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>For the tests about the deadline: short, yet long enough for a probe's reply on a busy machine.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);
    /// <summary>How long "nothing else happens" is watched in the other tests.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);
    private static readonly ServerId Server = new(ServerType.Custom, "https://vpn.example.org/");
    private static readonly DateTimeOffset AuthorizedAt = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TestProbe _registry;
    private readonly TestProbe _discovery;
    private readonly TestProbe _sessions;
    private readonly TestProbe _states;
    private IActorRef _client = ActorRefs.Nobody;

    public ServerConnectionActorTests() : base("akka.loglevel = WARNING")
    {
        _registry = CreateTestProbe("registry");
        _discovery = CreateTestProbe("discovery");
        _sessions = CreateTestProbe("sessions");
        _states = CreateTestProbe("states");
    }

    /// <summary>The client under test; <paramref name="deadline"/> null: the default reply time-out (30 s), never reached here.</summary>
    private void StartClient(TimeSpan? deadline = null)
    {
        var settings = ClientSettings.Default with { ReplyTimeout = deadline ?? ClientSettings.DefaultReplyTimeout };
        var deps = new ClientDependencies(_discovery.Ref, _registry.Ref, _sessions.Ref, settings,
            LoopbackFreePorts.Instance, TimeProvider.System, FailoverSettings.Default);
        _client = Sys.ActorOf(ClientActor.Props(deps), "client");
        _client.Tell(new SubscribeClientStates(_states.Ref));
    }

    [Fact]
    public void LostRegistryReply_OperationTimesOut_RollsBackAndTheServerTakesNewRequests()
    {
        StartClient(Deadline);
        _client.Tell(new GetConfig("get-1", Server));
        var lost = _registry.ExpectMsg<GetServerRecords>(Long);

        // Not before the deadline: it is the deadline that ends the wait, not anything else.
        ExpectNoMsg(Deadline / 2);
        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal("get-1", failed.RequestId);
        Assert.Equal(ClientErrorKind.Timeout, failed.Error.Kind);
        Assert.Contains("registry", failed.Error.Message);
        WaitForState(ConnectionState.GettingConfig);
        WaitForState(ConnectionState.Main);

        // Not Busy any more; the late answer to the lost step must not drive the new operation.
        _client.Tell(new GetConfig("get-2", Server));
        var second = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Send(_registry.LastSender, new ServerRecords(lost.RequestId, [Record()], null));
        _registry.Reply(new ServerRecords(second.RequestId, [], null));
        var unknown = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal("get-2", unknown.RequestId);
        Assert.Equal(ClientErrorKind.UnknownServer, unknown.Error.Kind);
    }

    [Fact]
    public void LostSessionReply_OperationTimesOut()
    {
        StartClient(Deadline);
        _client.Tell(new GetConfig("get-1", Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record()], null));
        var envelope = _sessions.ExpectMsg<SessionEnvelope>(Long);
        Assert.IsType<EnsureAuthorized>(envelope.Request);

        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal(ClientErrorKind.Timeout, failed.Error.Kind);
        Assert.Contains("session", failed.Error.Message);
        WaitForState(ConnectionState.Main);
    }

    [Fact]
    public void BrowserAndProfileQuestion_WaitForTheUserWithoutDeadline_TheNextInternalStepHasOneAgain()
    {
        StartClient(Deadline);
        _client.Tell(new GetConfig("get-1", Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record()], null));
        var authorize = _sessions.ExpectMsg<SessionEnvelope>(Long).Request;
        Assert.IsType<EnsureAuthorized>(authorize);

        // The browser is open: the session's callback time-out bounds this, not the reply deadline.
        _sessions.Reply(new AuthorizationUrlReady(authorize.RequestId, Server, new Uri("https://vpn.example.org/oauth/authorize")));
        ExpectNoMsg(Deadline * 2);
        _sessions.Reply(new SessionAuthorized(authorize.RequestId, Server, AuthorizedAt));
        var info = _sessions.ExpectMsg<SessionEnvelope>(Long).Request;
        Assert.IsType<FetchInfo>(info);
        _sessions.Reply(new InfoFetched(info.RequestId, [Profile("one"), Profile("two")]));

        // The user thinks about the profile question for longer than the deadline.
        var question = Assert.IsType<ProfileQuestion>(WaitForState(ConnectionState.AskProfile).Data);
        ExpectNoMsg(Deadline * 2);
        _client.Tell(new AnswerQuestion("answer-1", Server, question.QuestionId, "two"));
        ExpectMsg<QuestionAnswered>(Long);

        // Storing the choice is an internal step again: a lost registry reply times out.
        _registry.ExpectMsg<RecordProfileChoice>(Long);
        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal("get-1", failed.RequestId);
        Assert.Equal(ClientErrorKind.Timeout, failed.Error.Kind);
        WaitForState(ConnectionState.Main);
    }

    [Fact]
    public void AnsweredSteps_NeverTimeOut()
    {
        StartClient(Deadline);
        _client.Tell(new SetProfile("set-1", Server, "two"));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record()], null));
        var choice = _registry.ExpectMsg<RecordProfileChoice>(Long);
        _registry.Reply(new RegistryUpdated(choice.RequestId, Record() with { ProfileId = "two" }, null));
        Assert.Equal("two", ExpectMsg<ServerUpdated>(Long).Server.ProfileId);
        // The cancelled deadline stays silent.
        ExpectNoMsg(Deadline * 2);
    }

    [Fact]
    public void StateQuery_ServerNotInRegistry_UnknownServer()
    {
        StartClient();
        _client.Tell(new GetServerConnectionState("state-1", Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record() with { Id = new ServerId(ServerType.Custom, "https://other.example.org/") }], null));

        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal("state-1", failed.RequestId);
        Assert.Equal(ClientErrorKind.UnknownServer, failed.Error.Kind);
    }

    [Fact]
    public void StateQuery_RegisteredServer_ItsStateAndTheConnectionStays()
    {
        StartClient();
        _client.Tell(new GetServerConnectionState("state-1", Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record()], null));
        var state = ExpectMsg<CurrentConnectionState>(Long);
        Assert.Equal(("state-1", ConnectionState.Main), (state.RequestId, state.State));

        // Now the connection exists and answers itself, without the registry.
        _client.Tell(new GetServerConnectionState("state-2", Server));
        Assert.Equal("state-2", ExpectMsg<CurrentConnectionState>(Long).RequestId);
        _registry.ExpectNoMsg(Quiet);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cancel_ServerWithoutAConnection_NothingRanAndNoConnectionIsMade(bool failover)
    {
        StartClient();
        _client.Tell(failover ? new CancelFailover("cancel-1", Server) : new CancelOperation("cancel-1", Server));

        Assert.Equal(new OperationCancelled("cancel-1", false), ExpectMsg<OperationCancelled>(Long));
        // A connection would have asked the registry about the server on its first request.
        _client.Tell(new GetServerConnectionState("state-1", Server));
        _registry.ExpectMsg<GetServerRecords>(Long);
    }

    [Fact]
    public void StateQuery_RegistryNeverAnswers_Timeout()
    {
        StartClient(Deadline);
        _client.Tell(new GetServerConnectionState("state-1", Server));
        _registry.ExpectMsg<GetServerRecords>(Long);
        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal(("state-1", ClientErrorKind.Timeout), (failed.RequestId, failed.Error.Kind));
    }

    [Fact]
    public void RemovedServer_ConnectionStopped_StateQueryThenUnknownServer()
    {
        StartClient();
        var connection = KnownConnection();
        Watch(connection);

        _client.Tell(new RemoveServer("remove-1", Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record()], null));
        var forget = _sessions.ExpectMsg<SessionEnvelope>(Long).Request;
        _sessions.Reply(new TokensForgotten(Assert.IsType<ForgetTokens>(forget).RequestId));
        var remove = _registry.ExpectMsg<RemoveServerRecord>(Long);
        _registry.Reply(new ServerRecordRemoved(remove.RequestId, Server, true));
        Assert.Equal("remove-1", ExpectMsg<ServerForgotten>(Long).RequestId);

        ExpectTerminated(connection, Long);
        _client.Tell(new GetServerConnectionState("state-2", Server));
        var again = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(again.RequestId, [], null));
        Assert.Equal(ClientErrorKind.UnknownServer, ExpectMsg<ClientRequestFailed>(Long).Error.Kind);
    }

    [Fact]
    public void RequestForAServerNeverAdded_UnknownServerAndItsConnectionStopped()
    {
        StartClient();
        _client.Tell(new SetProfile("set-1", Server, "two"));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        // The operation's own actor asks the registry; the connection is its parent.
        var connection = FirstConnection();
        Watch(connection);
        _registry.Reply(new ServerRecords(records.RequestId, [], null));

        Assert.Equal(ClientErrorKind.UnknownServer, ExpectMsg<ClientRequestFailed>(Long).Error.Kind);
        ExpectTerminated(connection, Long);
    }

    [Theory]
    [InlineData(ConnectionState.Connecting)]
    [InlineData(ConnectionState.Connected)]
    public void NewProfile_TunnelUp_RefusedAndNothingStoredOrReleased(ConnectionState up)
    {
        StartClient();
        KnownConnection();
        if (up == ConnectionState.Connecting)
        {
            TunnelTo(ConnectionState.Connected);
            TunnelTo(ConnectionState.Disconnecting);
            TunnelTo(ConnectionState.Disconnected);
        }
        TunnelTo(up);

        _client.Tell(new SetProfile("set-1", Server, "two"));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record() with { ProfileId = "one", ConfigExpiresAt = AuthorizedAt.AddDays(1) }], null));

        var refused = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal(("set-1", ClientErrorKind.InvalidState), (refused.RequestId, refused.Error.Kind));
        _registry.ExpectNoMsg(Quiet);
        _sessions.ExpectNoMsg(TimeSpan.Zero);
        _client.Tell(new GetServerConnectionState("state-2", Server));
        Assert.Equal(up, ExpectMsg<CurrentConnectionState>(Long).State);
    }

    [Fact]
    public void NewProfile_LiveConfigTunnelDown_DisconnectThenStore()
    {
        StartClient();
        KnownConnection();
        var live = Record() with { ProfileId = "one", ConfigStartedAt = AuthorizedAt, ConfigExpiresAt = AuthorizedAt.AddDays(1) };
        _client.Tell(new SetProfile("set-1", Server, "two"));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [live], null));

        var release = Assert.IsType<ReleaseConfig>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);
        Assert.Equal("https://vpn.example.org/", release.ApiBaseUrl);
        _registry.ExpectNoMsg(TimeSpan.Zero);
        _sessions.Reply(new ConfigReleased(release.RequestId, true));
        var released = _registry.ExpectMsg<RecordConfigReleased>(Long);
        _registry.Reply(new RegistryUpdated(released.RequestId, live with { ConfigStartedAt = null, ConfigExpiresAt = null }, null));
        var choice = _registry.ExpectMsg<RecordProfileChoice>(Long);
        Assert.Equal("two", choice.ProfileId);
        _registry.Reply(new RegistryUpdated(choice.RequestId, Record() with { ProfileId = "two" }, null));
        Assert.Equal("set-1", ExpectMsg<ServerUpdated>(Long).RequestId);
    }

    [Fact]
    public void Remove_LiveConfigAndTheDisconnectFails_StillRemoved()
    {
        StartClient();
        _client.Tell(new RemoveServer("remove-1", Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record() with { ConfigStartedAt = AuthorizedAt, ConfigExpiresAt = AuthorizedAt.AddDays(1) }], null));

        // /disconnect while the tokens still exist, then the tokens go.
        var release = Assert.IsType<ReleaseConfig>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);
        _sessions.Reply(new SessionRequestFailed(release.RequestId, new SessionFailure(SessionErrorKind.ServerError, "down")));
        var forget = Assert.IsType<ForgetTokens>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);
        _sessions.Reply(new TokensForgotten(forget.RequestId));
        var remove = _registry.ExpectMsg<RemoveServerRecord>(Long);
        _registry.Reply(new ServerRecordRemoved(remove.RequestId, Server, true));
        Assert.Equal("remove-1", ExpectMsg<ServerForgotten>(Long).RequestId);
    }

    [Fact]
    public void Remove_NoLiveConfig_NoDisconnect()
    {
        StartClient();
        _client.Tell(new RemoveServer("remove-1", Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record()], null));
        Assert.IsType<ForgetTokens>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);
    }

    [Fact]
    public void CancelBeforeTheUrl_TheSessionIsToldAndItsAnswerEndsTheOperation_TheServerTakesNewRequests()
    {
        StartClient();
        var authorize = StartAuthorization("get-1");

        _client.Tell(new CancelOperation("cancel-1", Server));
        Assert.True(ExpectMsg<OperationCancelled>(Long).WasRunning);
        var cancel = Assert.IsType<CancelAuthorization>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);
        Assert.Equal(authorize.RequestId, cancel.RequestId);
        // The operation ends with the session's answer, so the session is free when the host hears of it.
        ExpectNoMsg(Quiet);
        _sessions.Reply(new SessionRequestFailed(authorize.RequestId, new SessionFailure(SessionErrorKind.Cancelled, "The authorization was cancelled.")));

        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal("get-1", failed.RequestId);
        Assert.Equal(ClientErrorKind.Cancelled, failed.Error.Kind);
        WaitForState(ConnectionState.Main);
        _client.Tell(new GetConfig("get-2", Server));
        _registry.ExpectMsg<GetServerRecords>(Long);
    }

    [Fact]
    public void Cancel_TheSessionAnnouncesTheUrlAndAuthorizesAnyway_NoUrlShown_CancelledAndNothingMoreAsked()
    {
        StartClient();
        var authorize = StartAuthorization("get-1");
        _client.Tell(new CancelOperation("cancel-1", Server));
        ExpectMsg<OperationCancelled>(Long);
        Assert.IsType<CancelAuthorization>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);

        // Both were on their way before the cancel reached the session.
        _sessions.Reply(new AuthorizationUrlReady(authorize.RequestId, Server, new Uri("https://vpn.example.org/oauth/authorize")));
        var again = Assert.IsType<CancelAuthorization>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);
        Assert.Equal(authorize.RequestId, again.RequestId);
        _sessions.Reply(new SessionAuthorized(authorize.RequestId, Server, AuthorizedAt));

        Assert.Equal(ClientErrorKind.Cancelled, ExpectMsg<ClientRequestFailed>(Long).Error.Kind);
        var seen = new List<ConnectionState>();
        _states.FishForMessage<ConnectionStateChanged>(c =>
        {
            seen.Add(c.To);
            return c.To == ConnectionState.Main && c.From != c.To;
        }, Long);
        Assert.DoesNotContain(ConnectionState.OAuthStarted, seen);
        // No info, no config: the operation is over.
        _sessions.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Cancel_TheSessionNeverConfirms_CancelledAtTheDeadline()
    {
        StartClient(Deadline);
        StartAuthorization("get-1");
        _client.Tell(new CancelOperation("cancel-1", Server));
        ExpectMsg<OperationCancelled>(Long);
        _sessions.ExpectMsg<SessionEnvelope>(Long);

        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal(ClientErrorKind.Cancelled, failed.Error.Kind);
        WaitForState(ConnectionState.Main);
    }

    [Fact]
    public void Cancel_StartupRequest_EndsAtOnceWithoutTellingTheSession()
    {
        StartClient();
        _client.Tell(new GetConfig("get-1", Server, Startup: true));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record()], null));
        Assert.IsType<EnsureAuthorized>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);

        _client.Tell(new CancelOperation("cancel-1", Server));
        ExpectMsg<OperationCancelled>(Long);
        // The session asks nobody for a start-up request and ends it on its own.
        Assert.Equal(ClientErrorKind.Cancelled, ExpectMsg<ClientRequestFailed>(Long).Error.Kind);
        _sessions.ExpectNoMsg(Quiet);
    }

    /// <summary>Starts a GetConfig whose session request is out, before any URL.</summary>
    private EnsureAuthorized StartAuthorization(string requestId)
    {
        _client.Tell(new GetConfig(requestId, Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record()], null));
        var authorize = Assert.IsType<EnsureAuthorized>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);
        Assert.True(authorize.Interactive);
        return authorize;
    }

    private void TunnelTo(ConnectionState state)
    {
        _client.Tell(new SetConnectionState($"tunnel-{state}", Server, state));
        ExpectMsg<ConnectionTransitioned>(Long);
    }

    /// <summary>A registered server whose connection exists (made by a state query), and that connection.</summary>
    private IActorRef KnownConnection()
    {
        _client.Tell(new GetServerConnectionState("state-1", Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [Record()], null));
        ExpectMsg<CurrentConnectionState>(Long);
        return FirstConnection();
    }

    private IActorRef FirstConnection() => Sys.ActorSelection(_client.Path / "connection-1").ResolveOne(Long).GetAwaiter().GetResult();

    private ConnectionStateChanged WaitForState(ConnectionState state) =>
        _states.FishForMessage<ConnectionStateChanged>(c => c.To == state && c.From != c.To, Long);

    private static ServerRecord Record() =>
        new(Server, "https://vpn.example.org/", LocalizedText.English("Example"), null, null, null, null,
            new Dictionary<string, string>(), AuthorizedAt, AuthorizedAt, null, null);

    private static Profile Profile(string id) =>
        new(id, LocalizedText.English(id), true, [VpnProtocol.WireGuard, VpnProtocol.OpenVpn], [], []);
}
