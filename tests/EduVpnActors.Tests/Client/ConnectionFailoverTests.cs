using System.Net;
using Akka.Actor;
using Akka.TestKit;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Failover;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Failover;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// A failover probe started through a connection (fake pinger and counter): its verdict reaches the
/// requester and the state subscribers, the host can cancel it, and a tunnel going down stops it.
/// </summary>
public sealed class ConnectionFailoverTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);
    private static readonly ServerId Server = new(ServerType.Custom, "https://vpn.example.org/");
    private static readonly IPAddress Gateway = IPAddress.Loopback;

    private readonly FakePingerFactory _pingers = new();
    private readonly TestProbe _registry;
    private readonly TestProbe _states;
    private readonly IActorRef _client;

    public ConnectionFailoverTests() : base("akka.loglevel = WARNING")
    {
        _registry = CreateTestProbe("registry");
        _states = CreateTestProbe("states");
        var failover = new FailoverDependencies(_pingers, new FixedRxSourceFactory(_ => new FakeRxSource(_ => 100)));
        var deps = new ClientDependencies(CreateTestProbe("discovery").Ref, _registry.Ref, CreateTestProbe("sessions").Ref, ClientSettings.Default,
            LoopbackFreePorts.Instance, TimeProvider.System, FailoverSettings.Default, failover);
        _client = Sys.ActorOf(ClientActor.Props(deps), "client");
        _client.Tell(new SubscribeClientStates(_states.Ref));
        TunnelUp();
    }

    [Fact]
    public void Verdict_GoesToTheRequesterAndToTheStateSubscribers()
    {
        _pingers.Configure = pinger => pinger.AnswersImmediately = true;
        _client.Tell(new StartFailover("failover-1", Server, 1400, "lo", Gateway.ToString()));

        var verdict = ExpectMsg<ProbeVerdict>(Long);
        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
        var published = _states.FishForMessage<FailoverVerdictReady>(_ => true, Long);
        Assert.Equal(("failover-1", Server, Server.ToString()), (published.RequestId, published.Server, published.ConnectionId));
        Assert.Equal(verdict, published.Verdict);
    }

    [Fact]
    public void Cancel_EndsTheRunningProbeWithACancelledVerdict_OneProbeAtATime()
    {
        _client.Tell(new StartFailover("failover-1", Server, 1400, "lo", Gateway.ToString()));
        AwaitCondition(() => _pingers.Opened(Gateway), Long);
        _client.Tell(new StartFailover("failover-2", Server, 1400, "lo", Gateway.ToString()));
        var busy = ExpectMsg<ClientRequestFailed>(Long);
        Assert.Equal(("failover-2", ClientErrorKind.Busy), (busy.RequestId, busy.Error.Kind));

        _client.Tell(new CancelFailover("cancel-1", Server));
        Assert.True(ExpectMsg<OperationCancelled>(Long).WasRunning);
        var verdict = ExpectMsg<ProbeVerdict>(Long);
        Assert.Equal(ProbeErrorKind.Cancelled, verdict.Error?.Kind);
        Assert.Equal(ProbeErrorKind.Cancelled, _states.FishForMessage<FailoverVerdictReady>(_ => true, Long).Verdict.Error?.Kind);

        // Nothing runs any more: a cancel finds nothing, a new probe may start.
        _client.Tell(new CancelFailover("cancel-2", Server));
        Assert.False(ExpectMsg<OperationCancelled>(Long).WasRunning);
        _pingers.Configure = pinger => pinger.AnswersImmediately = true;
        _client.Tell(new StartFailover("failover-3", Server, 1400, "lo", Gateway.ToString()));
        Assert.Equal(ProbeOutcome.NotDropped, ExpectMsg<ProbeVerdict>(Long).Outcome);
    }

    [Fact]
    public void TunnelGoesDown_TheProbeStops_TheRequesterGetsAStoppedVerdict()
    {
        _client.Tell(new StartFailover("failover-1", Server, 1400, "lo", Gateway.ToString()));
        AwaitCondition(() => _pingers.Opened(Gateway), Long);

        // Disconnected is only reachable through Disconnecting, so that is where the probe ends.
        TunnelTo(ConnectionState.Disconnecting);
        var verdict = ExpectMsg<ProbeVerdict>(Long);
        Assert.Equal(ProbeErrorKind.Stopped, verdict.Error?.Kind);
        Assert.Equal(ProbeErrorKind.Stopped, _states.FishForMessage<FailoverVerdictReady>(_ => true, Long).Verdict.Error?.Kind);
        AwaitCondition(() => _pingers.For(Gateway).Disposed, Long);

        // One verdict only, and none about a tunnel that is down.
        TunnelTo(ConnectionState.Disconnected);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        _client.Tell(new StartFailover("failover-2", Server, 1400, "lo", Gateway.ToString()));
        Assert.Equal(ClientErrorKind.InvalidState, ExpectMsg<ClientRequestFailed>(Long).Error.Kind);
    }

    /// <summary>A registered server (the state query makes its connection) whose tunnel the host reports up.</summary>
    private void TunnelUp()
    {
        _client.Tell(new GetServerConnectionState("state-1", Server));
        var records = _registry.ExpectMsg<GetServerRecords>(Long);
        _registry.Reply(new ServerRecords(records.RequestId,
            [new ServerRecord(Server, Server.Identifier, LocalizedText.English("Example"), null, null, null, null, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, null, null)], null));
        ExpectMsg<CurrentConnectionState>(Long);
        TunnelTo(ConnectionState.Connected);
    }

    private void TunnelTo(ConnectionState state)
    {
        _client.Tell(new SetConnectionState($"tunnel-{state}", Server, state));
        ExpectMsg<ConnectionTransitioned>(Long);
    }
}
