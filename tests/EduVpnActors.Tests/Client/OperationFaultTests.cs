using Akka.Actor;
using Akka.TestKit;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// Operations whose steps fail in ways no rule foresees (an actor that throws on a malformed reply, a reply
/// that never comes while the user is away, a question nobody answers): the requester always gets a typed
/// answer within the operation's deadline, the state machine walks back, and the server takes new requests.
/// </summary>
public sealed class OperationFaultTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);
    private static readonly ServerId Custom = new(ServerType.Custom, "https://vpn.example.org/");
    private static readonly ServerId Institute = new(ServerType.InstituteAccess, "https://institute.example.org/");
    private static readonly DateTimeOffset AuthorizedAt = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TestProbe _registry;
    private readonly TestProbe _discovery;
    private readonly TestProbe _sessions;
    private readonly TestProbe _states;
    private IActorRef _client = ActorRefs.Nobody;

    public OperationFaultTests() : base("akka.loglevel = OFF")
    {
        _registry = CreateTestProbe("registry");
        _discovery = CreateTestProbe("discovery");
        _sessions = CreateTestProbe("sessions");
        _states = CreateTestProbe("states");
    }

    /// <summary>The step of a GetConfig whose reply makes the operation (or its sub-flow) throw.</summary>
    public enum FaultyStep
    {
        /// <summary>The registry's record list is missing: the operation itself throws.</summary>
        Records,
        /// <summary>Discovery's status is missing: the discovery lookup sub-flow throws.</summary>
        Discovery,
        /// <summary>The registry loses the record while storing the authorization time: the next session sub-flow throws as it starts.</summary>
        AuthorizationTime,
        /// <summary>The session's profile list is missing: the operation throws choosing a profile.</summary>
        Info,
        /// <summary>The registry loses the record while storing the configuration times: the operation throws.</summary>
        ConfigTimes,
    }

    [Theory]
    [InlineData(FaultyStep.Records)]
    [InlineData(FaultyStep.Discovery)]
    [InlineData(FaultyStep.AuthorizationTime)]
    [InlineData(FaultyStep.Info)]
    [InlineData(FaultyStep.ConfigTimes)]
    public void StepThrows_RequesterGetsTypedFailureAtOnce_StateBackToMain_ServerUsable(FaultyStep step)
    {
        // The default reply time-out (30 s) is far away: the answer must come from the failure, not the deadline.
        StartClient(ClientSettings.Default);
        var server = step == FaultyStep.Discovery ? Institute : Custom;
        _client.Tell(new GetConfig("get-1", server));

        DriveUntil(step, server);

        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal(("get-1", ClientErrorKind.Internal), (failed.RequestId, failed.Error.Kind));
        WaitForState(ConnectionState.Main);
        _client.Tell(new GetServerConnectionState("state-1", server));
        Assert.Equal(ConnectionState.Main, ExpectMsg<CurrentConnectionState>(Long).State);
        // Not Busy: the next operation starts.
        _client.Tell(new GetConfig("get-2", server));
        _registry.ExpectMsg<GetServerRecords>(Long);
    }

    [Fact]
    public void LostSessionAnswerWhileTheBrowserIsOpen_OperationEndsAtTheAuthorizationDeadline()
    {
        var limit = TimeSpan.FromSeconds(2);
        StartClient(ClientSettings.Default with { ReplyTimeout = TimeSpan.FromMilliseconds(500), AuthorizationTimeout = limit });
        _client.Tell(new GetConfig("get-1", Custom));
        ReplyRecords(Record(Custom));
        var authorize = _sessions.ExpectMsg<SessionEnvelope>(Long).Request;
        _sessions.Reply(new AuthorizationUrlReady(authorize.RequestId, Custom, new Uri("https://vpn.example.org/oauth/authorize")));
        WaitForState(ConnectionState.OAuthStarted);

        // The user's wait outlives the reply time-out; the session's answer is lost, so its own deadline ends it.
        ExpectNoMsg(limit / 2);
        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal(("get-1", ClientErrorKind.Timeout), (failed.RequestId, failed.Error.Kind));
        Assert.Contains("session", failed.Error.Message);
        WaitForState(ConnectionState.Main);
    }

    [Fact]
    public void UnansweredProfileQuestion_OperationEndsAtTheQuestionDeadline_BackToMain()
    {
        var limit = TimeSpan.FromSeconds(2);
        StartClient(ClientSettings.Default with { QuestionTimeout = limit });
        _client.Tell(new GetConfig("get-1", Custom));
        ReplyRecords(Record(Custom));
        var authorize = _sessions.ExpectMsg<SessionEnvelope>(Long).Request;
        _sessions.Reply(new SessionAuthorized(authorize.RequestId, Custom, AuthorizedAt));
        var info = _sessions.ExpectMsg<SessionEnvelope>(Long).Request;
        _sessions.Reply(new InfoFetched(info.RequestId, [Profile("one"), Profile("two")]));
        var question = Assert.IsType<ProfileQuestion>(WaitForState(ConnectionState.AskProfile).Data);

        ExpectNoMsg(limit / 2);
        var failed = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal(("get-1", ClientErrorKind.Timeout), (failed.RequestId, failed.Error.Kind));
        Assert.Contains("profile question", failed.Error.Message);
        WaitForState(ConnectionState.GettingConfig);
        WaitForState(ConnectionState.Main);
        // A late answer finds no question.
        _client.Tell(new AnswerQuestion("answer-1", Custom, question.QuestionId, "one"));
        Assert.Equal(ClientErrorKind.InvalidState, ExpectMsg<ClientRequestFailed>(Long).Error.Kind);
    }

    private void DriveUntil(FaultyStep step, ServerId server)
    {
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        if (step == FaultyStep.Records)
        {
            _registry.Reply(new ServerRecords(records.RequestId, null!, null));
            return;
        }
        _registry.Reply(new ServerRecords(records.RequestId, [Record(server)], null));
        if (step == FaultyStep.Discovery)
        {
            _discovery.ExpectMsg<GetServerList>(Long);
            _discovery.Reply(new ServerListResponse(ServerList.Empty, null!));
            return;
        }
        var authorize = _sessions.ExpectMsg<SessionEnvelope>(Long).Request;
        // A newer login than the stored one: its time is stored before the step answers.
        _sessions.Reply(new SessionAuthorized(authorize.RequestId, server, AuthorizedAt.AddHours(1)));
        var authorization = _registry.ExpectMsg<RecordAuthorization>(Long);
        if (step == FaultyStep.AuthorizationTime)
        {
            _registry.Reply(new RegistryUpdated(authorization.RequestId, null, null));
            return;
        }
        _registry.Reply(new RegistryUpdated(authorization.RequestId, Record(server) with { LastAuthorizedAt = AuthorizedAt.AddHours(1) }, null));
        var info = _sessions.ExpectMsg<SessionEnvelope>(Long).Request;
        if (step == FaultyStep.Info)
        {
            _sessions.Reply(new InfoFetched(info.RequestId, null!));
            return;
        }
        _sessions.Reply(new InfoFetched(info.RequestId, [Profile("one")]));
        _registry.Reply(new RegistryUpdated(_registry.ExpectMsg<RecordProfileChoice>(Long).RequestId, Record(server) with { ProfileId = "one" }, null));
        _registry.Reply(new RegistryUpdated(_registry.ExpectMsg<SelectCurrentServer>(Long).RequestId, null, server));
        var connect = Assert.IsType<RequestConfig>(_sessions.ExpectMsg<SessionEnvelope>(Long).Request);
        _sessions.Reply(new ConfigReceived(connect.RequestId, "application/x-openvpn-profile",
            DateTimeOffset.UtcNow.AddHours(8).ToString("R"), "remote vpn.example.org 1194 udp\n"));
        var times = _registry.ExpectMsg<RecordConfigObtained>(Long);
        _registry.Reply(new RegistryUpdated(times.RequestId, null, null));
    }

    private void StartClient(ClientSettings settings)
    {
        var deps = new ClientDependencies(_discovery.Ref, _registry.Ref, _sessions.Ref, settings,
            LoopbackFreePorts.Instance, TimeProvider.System, FailoverSettings.Default);
        _client = Sys.ActorOf(ClientActor.Props(deps), "client");
        _client.Tell(new SubscribeClientStates(_states.Ref));
    }

    private void ReplyRecords(ServerRecord record)
    {
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId, [record], null));
    }

    private ConnectionStateChanged WaitForState(ConnectionState state) =>
        _states.FishForMessage<ConnectionStateChanged>(c => c.To == state && c.From != c.To, Long);

    private static ServerRecord Record(ServerId server) =>
        new(server, server.Identifier, LocalizedText.English("Example"), null, null, null, null,
            new Dictionary<string, string>(), AuthorizedAt, AuthorizedAt, null, null);

    private static Profile Profile(string id) =>
        new(id, LocalizedText.English(id), true, [VpnProtocol.WireGuard, VpnProtocol.OpenVpn], [], []);
}
