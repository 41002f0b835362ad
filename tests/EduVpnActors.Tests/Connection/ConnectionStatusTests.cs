using EduVpnActors.Actors.Connection.Logic;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Connection;

/// <summary>
/// The connection's state (the one copy its connection actor holds) against the §2.1/§2.4 rules, for every
/// pair of states: what moves, what is published, what is refused and leaves everything as it was.
/// </summary>
public sealed class ConnectionStatusTests
{
    private static readonly ConnectionState[] States = Enum.GetValues<ConnectionState>();
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Start.AddMinutes(7);

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
    public void Initial_Queried_MainWithoutDataAsAChangeFromItself()
    {
        var status = ConnectionStatus.Initial("c1", Start);

        Assert.Equal(new CurrentConnectionState("q", "c1", ConnectionState.Main, null), status.Query("q"));
        Assert.Equal(new ConnectionStateChanged("c1", ConnectionState.Main, ConnectionState.Main, null, 0, Start), status.AsCurrent());
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void EngineTransition_FromEveryStateToEveryState_AllowedMovesRefusedChangesNothing(ConnectionState from)
    {
        foreach (var to in States)
        {
            var status = DriveTo(from);
            var data = DataFor(to);

            var outcome = status.Transition(to, data, Later);

            if (ConnectionStateMachine.CanTransition(from, to))
            {
                var moved = Assert.IsType<TransitionOutcome.Moved>(outcome);
                Assert.Equal(new ConnectionStateChanged(status.ConnectionId, from, to, data, status.Sequence + 1, Later), moved.Change);
                Assert.Equal(status with { State = to, Data = data, Sequence = status.Sequence + 1, EnteredAt = Later }, moved.Next);
            }
            else
            {
                var refused = Assert.IsType<TransitionOutcome.Refused>(outcome);
                Assert.Equal(new ConnectionTransitionRefused("r", from, to, ConnectionStateMachine.InvalidTransitionMessage(from, to)), refused.ToReply("r"));
                Assert.Equal(ConnectionRefusalKind.InvalidTransition, refused.ToReply("r").Kind);
                Assert.Same(status, refused.Status);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void HostRequest_FromEveryStateToEveryState_OnlyHostSettableStatesFollowTheRules(ConnectionState from)
    {
        foreach (var to in States)
        {
            var status = DriveTo(from);

            var outcome = status.HostRequest(to, Later);

            if (!ConnectionStateMachine.IsHostSettable(to))
            {
                var refused = Assert.IsType<TransitionOutcome.Refused>(outcome);
                Assert.Equal(ConnectionRefusalKind.NotHostSettable, refused.Kind);
                Assert.Equal((from, to), (refused.ToReply("h").From, refused.ToReply("h").To));
                Assert.Same(status, outcome.Status);
                continue;
            }
            switch (ConnectionStateMachine.EvaluateHostRequest(from, to))
            {
                case HostStateRequestOutcome.Transition:
                    // The host's transitions carry no data: the previous state's data is gone.
                    var moved = Assert.IsType<TransitionOutcome.Moved>(outcome);
                    Assert.Equal(new ConnectionStateChanged(status.ConnectionId, from, to, null, status.Sequence + 1, Later), moved.Change);
                    Assert.Null(moved.Next.Data);
                    break;
                case HostStateRequestOutcome.AlreadyInState:
                    Assert.IsType<TransitionOutcome.AlreadyThere>(outcome);
                    Assert.Same(status, outcome.Status);
                    break;
                default:
                    var rejected = Assert.IsType<TransitionOutcome.Refused>(outcome);
                    Assert.Equal(new ConnectionTransitionRefused("h", from, to, ConnectionStateMachine.HostRequestRejectedMessage(from, to)), rejected.ToReply("h"));
                    Assert.Equal(ConnectionRefusalKind.InvalidTransition, rejected.Kind);
                    Assert.Same(status, outcome.Status);
                    break;
            }
        }
    }

    [Fact]
    public void HostRequest_EngineOnlyStateLegalFromHere_RefusedWhileTheEngineMayEnterIt()
    {
        var status = ConnectionStatus.Initial("c1", Start);

        Assert.Equal(ConnectionRefusalKind.NotHostSettable, Assert.IsType<TransitionOutcome.Refused>(status.HostRequest(ConnectionState.AddingServer, Later)).Kind);
        Assert.Equal(ConnectionState.AddingServer, Assert.IsType<TransitionOutcome.Moved>(status.Transition(ConnectionState.AddingServer, null, Later)).Next.State);
    }

    [Fact]
    public void HostRequest_TypicalSequenceAfterGotConfig_EachStepTransitions()
    {
        var status = DriveTo(ConnectionState.GotConfig);

        foreach (var state in new[] { ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnecting, ConnectionState.Disconnected })
        {
            status = Assert.IsType<TransitionOutcome.Moved>(status.HostRequest(state, Later)).Next;
            Assert.Equal(state, status.State);
        }

        // Asked again for the state it is in: a success without a transition (§2.4).
        Assert.IsType<TransitionOutcome.AlreadyThere>(status.HostRequest(ConnectionState.Disconnected, Later));
    }

    [Theory]
    [InlineData(ConnectionState.OAuthStarted)]
    [InlineData(ConnectionState.AskProfile)]
    [InlineData(ConnectionState.AskLocation)]
    public void WaitingForTheHost_QueryCarriesTheQuestion_HostCannotJumpAhead(ConnectionState waiting)
    {
        var status = DriveTo(waiting);

        Assert.Equal(new CurrentConnectionState("q", "c1", waiting, DataFor(waiting)), status.Query("q"));
        Assert.Equal(waiting, Assert.IsType<TransitionOutcome.Refused>(status.HostRequest(ConnectionState.Connected, Later)).ToReply("h").From);
    }

    [Fact]
    public void Data_TransitionWithoutData_ClearsTheDataOfThePreviousState()
    {
        var status = DriveTo(ConnectionState.GotConfig);
        Assert.Equal(DataFor(ConnectionState.GotConfig), status.Data);

        var moved = Assert.IsType<TransitionOutcome.Moved>(status.Transition(ConnectionState.Connecting, null, Later));

        Assert.Null(moved.Change.Data);
        Assert.Null(moved.Next.Data);
    }

    [Fact]
    public void Data_GotConfigWithoutConfiguration_Allowed()
    {
        var status = DriveTo(ConnectionState.GettingConfig);

        Assert.Equal(ConnectionState.GotConfig, Assert.IsType<TransitionOutcome.Moved>(status.Transition(ConnectionState.GotConfig, null, Later)).Next.State);
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
        var status = DriveTo(ConnectionState.GettingConfig);
        var data = dataOf is { } state ? DataFor(state) : null;

        var refused = Assert.IsType<TransitionOutcome.Refused>(status.Transition(to, data, Later));

        Assert.Equal(ConnectionRefusalKind.DataMismatch, refused.Kind);
        Assert.Equal((ConnectionState.GettingConfig, to), (refused.ToReply("e").From, refused.ToReply("e").To));
        Assert.DoesNotContain("PrivateKey", refused.Reason, StringComparison.Ordinal);
        Assert.Same(status, refused.Status);
    }

    [Fact]
    public void ManyTransitions_EachChangeNumberedInOrderAndStampedWhenMade()
    {
        var status = ConnectionStatus.Initial("c1", Start);
        var route = new[]
        {
            ConnectionState.AddingServer, ConnectionState.OAuthStarted, ConnectionState.Main, ConnectionState.GettingConfig,
            ConnectionState.AskProfile, ConnectionState.GettingConfig, ConnectionState.AskLocation, ConnectionState.GettingConfig,
            ConnectionState.GotConfig, ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnecting,
            ConnectionState.Disconnected, ConnectionState.Deregistered, ConnectionState.Main,
        };

        var previous = ConnectionState.Main;
        for (var i = 0; i < route.Length; i++)
        {
            var at = Start.AddSeconds(i + 1);
            var moved = Assert.IsType<TransitionOutcome.Moved>(status.Transition(route[i], DataFor(route[i]), at));
            Assert.Equal(new ConnectionStateChanged("c1", previous, route[i], DataFor(route[i]), i + 1, at), moved.Change);
            status = moved.Next;
            previous = route[i];
        }
        // What a late subscriber gets: where it stands, with its data, number and when it was entered.
        Assert.Equal(new ConnectionStateChanged("c1", ConnectionState.Main, ConnectionState.Main, null, route.Length, Start.AddSeconds(route.Length)), status.AsCurrent());
    }

    [Fact]
    public void Initial_EmptyConnectionId_Throws()
    {
        Assert.Throws<ArgumentException>(() => ConnectionStatus.Initial("", Start));
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

    private static ConnectionStatus DriveTo(ConnectionState target)
    {
        var status = ConnectionStatus.Initial("c1", Start);
        foreach (var state in PathTo(target))
        {
            status = Assert.IsType<TransitionOutcome.Moved>(status.Transition(state, DataFor(state), Start)).Next;
        }
        Assert.Equal((target, (long)PathTo(target).Count), (status.State, status.Sequence));
        return status;
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
}
