using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using EduVpnActors.Actors.Connection;
using EduVpnActors.Actors.Connection.Logic;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Connection;

/// <summary>The connection state actor against the §2.1/§2.4 rules, for every pair of states.</summary>
public sealed class ConnectionStateActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ConnectionState[] States = Enum.GetValues<ConnectionState>();

    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private int _actors;

    public static TheoryData<ConnectionState> AllStates => new(States);

    [Fact]
    public void Paths_EveryStateReachableFromInitial_BfsFindsAPath()
    {
        foreach (var state in States)
        {
            var path = PathTo(state);
            var from = ConnectionStateMachine.Initial;
            foreach (var step in path)
            {
                Assert.True(ConnectionStateMachine.CanTransition(from, step), $"{from} -> {step}");
                from = step;
            }
            Assert.Equal(state, from);
        }
    }

    [Fact]
    public void NewActor_Queried_InitialStateWithoutData()
    {
        var actor = Sys.ActorOf(ConnectionStateActor.Props("c1", _clock));

        actor.Tell(new GetConnectionState("q"));

        var current = ExpectMsg<CurrentConnectionState>();
        Assert.Equal(new CurrentConnectionState("q", "c1", ConnectionState.Main, null), current);
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void EngineTransition_FromEveryStateToEveryState_AllowedPublishesRefusedChangesNothing(ConnectionState from)
    {
        foreach (var to in States)
        {
            var (actor, subscriber, snapshot) = DriveToAndSubscribe(from);
            var data = DataFor(to);

            actor.Tell(new TransitionConnection("r", to, data));

            if (ConnectionStateMachine.CanTransition(from, to))
            {
                var done = ExpectMsg<ConnectionTransitioned>();
                Assert.Equal("r", done.RequestId);
                Assert.Equal(new ConnectionStateChanged(snapshot.ConnectionId, from, to, data, snapshot.Sequence + 1, _clock.Now), done.Change);
                Assert.Equal(done.Change, subscriber.ExpectMsg<ConnectionStateChanged>());
                AssertState(actor, to, data);
            }
            else
            {
                var refused = ExpectMsg<ConnectionTransitionRefused>();
                Assert.Equal(new ConnectionTransitionRefused("r", from, to, ConnectionStateMachine.InvalidTransitionMessage(from, to)), refused);
                Assert.Equal(ConnectionRefusalKind.InvalidTransition, refused.Kind);
                AssertState(actor, from, DataFor(from));
                AssertNothingPublished(actor, subscriber, snapshot);
            }
            Sys.Stop(actor);
        }
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void HostRequest_FromEveryStateToEveryState_OnlyHostSettableStatesFollowTheRules(ConnectionState from)
    {
        foreach (var to in States)
        {
            var (actor, subscriber, snapshot) = DriveToAndSubscribe(from);

            actor.Tell(new SetHostConnectionState("h", to));

            if (!ConnectionStateMachine.IsHostSettable(to))
            {
                var refused = ExpectMsg<ConnectionTransitionRefused>();
                Assert.Equal(ConnectionRefusalKind.NotHostSettable, refused.Kind);
                Assert.Equal((from, to), (refused.From, refused.To));
                AssertState(actor, from, DataFor(from));
                AssertNothingPublished(actor, subscriber, snapshot);
            }
            else
            {
                switch (ConnectionStateMachine.EvaluateHostRequest(from, to))
                {
                    case HostStateRequestOutcome.Transition:
                        var done = ExpectMsg<ConnectionTransitioned>();
                        // The host's transitions carry no data: the previous state's data is gone.
                        Assert.Equal(new ConnectionStateChanged(snapshot.ConnectionId, from, to, null, snapshot.Sequence + 1, _clock.Now), done.Change);
                        Assert.Equal(done.Change, subscriber.ExpectMsg<ConnectionStateChanged>());
                        AssertState(actor, to, null);
                        break;
                    case HostStateRequestOutcome.AlreadyInState:
                        Assert.Equal(new ConnectionAlreadyInState("h", snapshot.ConnectionId, from), ExpectMsg<ConnectionAlreadyInState>());
                        AssertState(actor, from, DataFor(from));
                        AssertNothingPublished(actor, subscriber, snapshot);
                        break;
                    default:
                        var rejected = ExpectMsg<ConnectionTransitionRefused>();
                        Assert.Equal(new ConnectionTransitionRefused("h", from, to, ConnectionStateMachine.HostRequestRejectedMessage(from, to)), rejected);
                        Assert.Equal(ConnectionRefusalKind.InvalidTransition, rejected.Kind);
                        AssertState(actor, from, DataFor(from));
                        AssertNothingPublished(actor, subscriber, snapshot);
                        break;
                }
            }
            Sys.Stop(actor);
        }
    }

    [Fact]
    public void HostRequest_EngineOnlyStateLegalFromHere_RefusedWhileTheEngineMayEnterIt()
    {
        var actor = NewActor();

        actor.Tell(new SetHostConnectionState("h", ConnectionState.AddingServer));
        Assert.Equal(ConnectionRefusalKind.NotHostSettable, ExpectMsg<ConnectionTransitionRefused>().Kind);

        actor.Tell(new TransitionConnection("e", ConnectionState.AddingServer));
        Assert.Equal(ConnectionState.AddingServer, ExpectMsg<ConnectionTransitioned>().Change.To);
    }

    [Fact]
    public void HostRequest_TypicalSequenceAfterGotConfig_EachStepTransitions()
    {
        var actor = DriveTo(ConnectionState.GotConfig);

        foreach (var state in new[] { ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnecting, ConnectionState.Disconnected })
        {
            actor.Tell(new SetHostConnectionState(state.ToString(), state));
            Assert.Equal(state, ExpectMsg<ConnectionTransitioned>().Change.To);
        }

        // Asked again for the state it is in: a success without a transition (§2.4).
        actor.Tell(new SetHostConnectionState("again", ConnectionState.Disconnected));
        Assert.Equal(ConnectionState.Disconnected, ExpectMsg<ConnectionAlreadyInState>().State);
    }

    [Theory]
    [InlineData(ConnectionState.OAuthStarted)]
    [InlineData(ConnectionState.AskProfile)]
    [InlineData(ConnectionState.AskLocation)]
    public void Query_WhileWaitingForTheHost_AnsweredAtOnceWithTheQuestion(ConnectionState waiting)
    {
        var actor = DriveTo(waiting);

        // eduvpn-common takes GetConfig's lock here; the actor must keep answering, again and again.
        for (var i = 0; i < 3; i++)
        {
            actor.Tell(new GetConnectionState("q" + i));
            var current = ExpectMsg<CurrentConnectionState>();
            Assert.Equal(waiting, current.State);
            Assert.Equal(DataFor(waiting), current.Data);
        }

        actor.Tell(new SetHostConnectionState("h", ConnectionState.Connected));
        Assert.Equal(waiting, ExpectMsg<ConnectionTransitionRefused>().From);
        AssertState(actor, waiting, DataFor(waiting));
    }

    [Fact]
    public void Data_TransitionWithoutData_ClearsTheDataOfThePreviousState()
    {
        var actor = DriveTo(ConnectionState.GotConfig);
        AssertState(actor, ConnectionState.GotConfig, DataFor(ConnectionState.GotConfig));

        actor.Tell(new TransitionConnection("e", ConnectionState.Connecting));
        Assert.Null(ExpectMsg<ConnectionTransitioned>().Change.Data);

        AssertState(actor, ConnectionState.Connecting, null);
    }

    [Fact]
    public void Data_GotConfigWithoutConfiguration_Allowed()
    {
        var actor = DriveTo(ConnectionState.GettingConfig);

        actor.Tell(new TransitionConnection("e", ConnectionState.GotConfig));

        Assert.Equal(ConnectionState.GotConfig, ExpectMsg<ConnectionTransitioned>().Change.To);
        AssertState(actor, ConnectionState.GotConfig, null);
    }

    [Theory]
    [InlineData(ConnectionState.AskProfile, ConnectionState.AskLocation)]
    [InlineData(ConnectionState.AskLocation, ConnectionState.AskProfile)]
    [InlineData(ConnectionState.OAuthStarted, ConnectionState.GotConfig)]
    [InlineData(ConnectionState.GotConfig, ConnectionState.OAuthStarted)]
    [InlineData(ConnectionState.Disconnected, ConnectionState.GotConfig)]
    [InlineData(ConnectionState.AskProfile, null)]
    [InlineData(ConnectionState.AskLocation, null)]
    [InlineData(ConnectionState.OAuthStarted, null)]
    public void Data_NotFittingTheTargetState_RefusedAsDataMismatch(ConnectionState to, ConnectionState? dataOf)
    {
        var actor = DriveTo(ConnectionState.GettingConfig);
        var data = dataOf is { } state ? DataFor(state) : null;

        actor.Tell(new TransitionConnection("e", to, data));

        var refused = ExpectMsg<ConnectionTransitionRefused>();
        Assert.Equal(ConnectionRefusalKind.DataMismatch, refused.Kind);
        Assert.Equal((ConnectionState.GettingConfig, to), (refused.From, refused.To));
        Assert.DoesNotContain("PrivateKey", refused.Reason, StringComparison.Ordinal);
        AssertState(actor, ConnectionState.GettingConfig, null);
    }

    [Fact]
    public void Subscribers_ManyTransitions_GetCurrentStateThenEveryChangeInOrder()
    {
        var actor = NewActor();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        actor.Tell(new SubscribeConnectionStates(first));
        actor.Tell(new SubscribeConnectionStates(second));
        var initials = new[] { first.ExpectMsg<ConnectionStateChanged>(), second.ExpectMsg<ConnectionStateChanged>() };
        var route = new[]
        {
            ConnectionState.AddingServer, ConnectionState.OAuthStarted, ConnectionState.Main, ConnectionState.GettingConfig,
            ConnectionState.AskProfile, ConnectionState.GettingConfig, ConnectionState.AskLocation, ConnectionState.GettingConfig,
            ConnectionState.GotConfig, ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnecting,
            ConnectionState.Disconnected, ConnectionState.Deregistered, ConnectionState.Main,
        };
        var times = new List<DateTimeOffset> { _clock.Now };

        foreach (var state in route)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            times.Add(_clock.Now);
            actor.Tell(new TransitionConnection("r", state, DataFor(state)));
            ExpectMsg<ConnectionTransitioned>();
        }

        Assert.All(initials, initial =>
            Assert.Equal(new ConnectionStateChanged("c1", ConnectionState.Main, ConnectionState.Main, null, 0, times[0]), initial));
        foreach (var subscriber in new[] { first, second })
        {
            var previous = ConnectionState.Main;
            for (var i = 0; i < route.Length; i++)
            {
                var change = subscriber.ExpectMsg<ConnectionStateChanged>();
                Assert.Equal(new ConnectionStateChanged("c1", previous, route[i], DataFor(route[i]), i + 1, times[i + 1]), change);
                previous = route[i];
            }
        }
    }

    [Fact]
    public void Subscribe_AfterTransitions_GetsTheCurrentStateDataSequenceAndWhenItWasEntered()
    {
        var actor = DriveTo(ConnectionState.AskProfile);
        var enteredAt = _clock.Now;
        _clock.Advance(TimeSpan.FromMinutes(5));
        var late = CreateTestProbe();

        actor.Tell(new SubscribeConnectionStates(late));

        var initial = late.ExpectMsg<ConnectionStateChanged>();
        Assert.Equal((ConnectionState.AskProfile, ConnectionState.AskProfile), (initial.From, initial.To));
        Assert.Equal(DataFor(ConnectionState.AskProfile), initial.Data);
        Assert.Equal(PathTo(ConnectionState.AskProfile).Count, initial.Sequence);
        Assert.Equal(enteredAt, initial.At);
    }

    [Fact]
    public void Subscribe_Twice_NoSecondInitialState()
    {
        var actor = NewActor();
        var subscriber = CreateTestProbe();

        actor.Tell(new SubscribeConnectionStates(subscriber));
        actor.Tell(new SubscribeConnectionStates(subscriber));
        actor.Tell(new TransitionConnection("r", ConnectionState.AddingServer));

        Assert.Equal(0, subscriber.ExpectMsg<ConnectionStateChanged>().Sequence);
        Assert.Equal(1, subscriber.ExpectMsg<ConnectionStateChanged>().Sequence);
    }

    [Fact]
    public void Unsubscribe_ThenTransition_ChangeNotSentToTheFormerSubscriber()
    {
        var actor = NewActor();
        var subscriber = CreateTestProbe();
        actor.Tell(new SubscribeConnectionStates(subscriber));
        Assert.Equal(0, subscriber.ExpectMsg<ConnectionStateChanged>().Sequence);

        actor.Tell(new UnsubscribeConnectionStates(subscriber));
        actor.Tell(new TransitionConnection("r", ConnectionState.AddingServer));
        ExpectMsg<ConnectionTransitioned>();
        actor.Tell(new SubscribeConnectionStates(subscriber));

        // Had the change gone out, it would come before this new initial state.
        var next = subscriber.ExpectMsg<ConnectionStateChanged>();
        Assert.Equal((ConnectionState.AddingServer, ConnectionState.AddingServer, 1L), (next.From, next.To, next.Sequence));
    }

    [Fact]
    public void Subscriber_Stops_DroppedSoChangesNoLongerBecomeDeadLetters()
    {
        var actor = NewActor();
        var live = CreateTestProbe();
        var dead = CreateTestProbe();
        actor.Tell(new SubscribeConnectionStates(live));
        actor.Tell(new SubscribeConnectionStates(dead));
        live.ExpectMsg<ConnectionStateChanged>();
        dead.ExpectMsg<ConnectionStateChanged>();
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters, typeof(DeadLetter));

        Watch(dead);
        Sys.Stop(dead);
        ExpectTerminated(dead);

        // The actor hears of the death asynchronously; once it has, no change is sent to the dead probe again.
        AwaitAssert(() =>
        {
            actor.Tell(new TransitionConnection("r", ConnectionState.Main));
            ExpectMsg<ConnectionTransitioned>();
            live.ExpectMsg<ConnectionStateChanged>();
            deadLetters.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));

        for (var i = 0; i < 3; i++)
        {
            actor.Tell(new TransitionConnection("r", ConnectionState.Main));
            ExpectMsg<ConnectionTransitioned>();
            live.ExpectMsg<ConnectionStateChanged>();
        }
        deadLetters.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void TwoConnections_DrivenSeparately_StatesSequencesAndSubscribersIndependent()
    {
        var first = Sys.ActorOf(ConnectionStateActor.Props("server-a", _clock));
        var second = Sys.ActorOf(ConnectionStateActor.Props("server-b", _clock));
        var firstWatcher = CreateTestProbe();
        var secondWatcher = CreateTestProbe();
        first.Tell(new SubscribeConnectionStates(firstWatcher));
        second.Tell(new SubscribeConnectionStates(secondWatcher));
        firstWatcher.ExpectMsg<ConnectionStateChanged>();
        secondWatcher.ExpectMsg<ConnectionStateChanged>();

        foreach (var state in PathTo(ConnectionState.GotConfig))
        {
            first.Tell(new TransitionConnection("a", state, DataFor(state)));
            ExpectMsg<ConnectionTransitioned>();
        }
        first.Tell(new SetHostConnectionState("a", ConnectionState.Connecting));
        ExpectMsg<ConnectionTransitioned>();
        // The same request on the other connection follows that connection's own state (Main).
        second.Tell(new SetHostConnectionState("b", ConnectionState.Connecting));
        Assert.Equal(ConnectionState.Main, ExpectMsg<ConnectionTransitionRefused>().From);
        second.Tell(new TransitionConnection("b", ConnectionState.AddingServer));
        ExpectMsg<ConnectionTransitioned>();

        first.Tell(new GetConnectionState("qa"));
        Assert.Equal(new CurrentConnectionState("qa", "server-a", ConnectionState.Connecting, null), ExpectMsg<CurrentConnectionState>());
        second.Tell(new GetConnectionState("qb"));
        Assert.Equal(new CurrentConnectionState("qb", "server-b", ConnectionState.AddingServer, null), ExpectMsg<CurrentConnectionState>());

        var secondChange = secondWatcher.ExpectMsg<ConnectionStateChanged>();
        Assert.Equal(("server-b", ConnectionState.Main, ConnectionState.AddingServer, 1L),
            (secondChange.ConnectionId, secondChange.From, secondChange.To, secondChange.Sequence));
        var firstChanges = Enumerable.Range(0, PathTo(ConnectionState.GotConfig).Count + 1)
            .Select(_ => firstWatcher.ExpectMsg<ConnectionStateChanged>())
            .ToList();
        Assert.All(firstChanges, change => Assert.Equal("server-a", change.ConnectionId));
        Assert.Equal(ConnectionState.Connecting, firstChanges[^1].To);
        Assert.Equal(firstChanges.Count, firstChanges[^1].Sequence);
    }

    [Fact]
    public void Props_EmptyConnectionId_Throws()
    {
        Assert.Throws<ArgumentException>(() => ConnectionStateActor.Props(""));
    }

    /// <summary>A shortest path of allowed transitions from the initial state (BFS over the table).</summary>
    private static IReadOnlyList<ConnectionState> PathTo(ConnectionState target)
    {
        var previous = new Dictionary<ConnectionState, ConnectionState> { [ConnectionStateMachine.Initial] = ConnectionStateMachine.Initial };
        var queue = new Queue<ConnectionState>([ConnectionStateMachine.Initial]);
        while (queue.Count > 0 && !previous.ContainsKey(target))
        {
            var state = queue.Dequeue();
            foreach (var next in ConnectionStateMachine.AllowedTargets(state).Where(next => !previous.ContainsKey(next)))
            {
                previous[next] = state;
                queue.Enqueue(next);
            }
        }
        Assert.True(previous.ContainsKey(target), $"{target} is unreachable");
        var path = new List<ConnectionState>();
        for (var state = target; state != ConnectionStateMachine.Initial; state = previous[state])
        {
            path.Add(state);
        }
        path.Reverse();
        return path;
    }

    // One instance per state: the question records hold lists, which records compare by reference.
    private static readonly ConnectionStateData AuthorizationUrl =
        new AuthorizationUrlData(new Uri("https://vpn.example.org/vpn-user-portal/oauth/authorize?state=x"));
    private static readonly ConnectionStateData ProfileChoice =
        new ProfileQuestion("q-profile", [SampleProfile("internet"), SampleProfile("office")]);
    private static readonly ConnectionStateData LocationChoice = new LocationQuestion("q-location", ["nl", "de"]);
    private static readonly ConnectionStateData Configuration = new ConfigurationData(
        new ServerId(ServerType.Custom, "https://vpn.example.org/"),
        "internet",
        new VpnConfiguration("[Interface]\nPrivateKey = not-a-real-key\n", VpnProtocol.WireGuard, true, [], false, null, DateTimeOffset.UnixEpoch));

    /// <summary>The data each state is entered with in these tests (what the engine would send).</summary>
    private static ConnectionStateData? DataFor(ConnectionState state) => state switch
    {
        ConnectionState.OAuthStarted => AuthorizationUrl,
        ConnectionState.AskProfile => ProfileChoice,
        ConnectionState.AskLocation => LocationChoice,
        ConnectionState.GotConfig => Configuration,
        _ => null,
    };

    private static Profile SampleProfile(string id) =>
        new(id, LocalizedText.English(id), true, [VpnProtocol.WireGuard], [], []);

    private IActorRef NewActor() => Sys.ActorOf(ConnectionStateActor.Props("c1", _clock), "connection-" + _actors++);

    private IActorRef DriveTo(ConnectionState target)
    {
        var actor = NewActor();
        foreach (var state in PathTo(target))
        {
            actor.Tell(new TransitionConnection("drive", state, DataFor(state)));
            Assert.Equal(state, ExpectMsg<ConnectionTransitioned>().Change.To);
        }
        return actor;
    }

    private (IActorRef Actor, TestProbe Subscriber, ConnectionStateChanged Initial) DriveToAndSubscribe(ConnectionState target)
    {
        var actor = DriveTo(target);
        var subscriber = CreateTestProbe();
        actor.Tell(new SubscribeConnectionStates(subscriber));
        var initial = subscriber.ExpectMsg<ConnectionStateChanged>();
        Assert.Equal((target, target, DataFor(target), (long)PathTo(target).Count), (initial.From, initial.To, initial.Data, initial.Sequence));
        return (actor, subscriber, initial);
    }

    private void AssertState(IActorRef actor, ConnectionState state, ConnectionStateData? data)
    {
        actor.Tell(new GetConnectionState("check"));
        var current = ExpectMsg<CurrentConnectionState>();
        Assert.Equal(state, current.State);
        Assert.Equal(data, current.Data);
    }

    /// <summary>
    /// Proves no change went out since <paramref name="initial"/> without waiting: the next change the
    /// subscriber gets, after a transition to Main (always allowed), must be the very next number.
    /// </summary>
    private void AssertNothingPublished(IActorRef actor, TestProbe subscriber, ConnectionStateChanged initial)
    {
        actor.Tell(new TransitionConnection("probe", ConnectionState.Main));
        ExpectMsg<ConnectionTransitioned>();
        var next = subscriber.ExpectMsg<ConnectionStateChanged>();
        Assert.Equal((initial.To, ConnectionState.Main, initial.Sequence + 1), (next.From, next.To, next.Sequence));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; private set; } = start;

        public void Advance(TimeSpan by) => Now += by;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
