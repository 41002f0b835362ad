using EduVpnActors.Actors.Connection.Logic;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Tests.Connection.Logic;

public sealed class ConnectionStateMachineTests
{
    // Written by hand from behaviour reference §2.1 (+ universal rule): row = from, column = to,
    // both in state-number order 0..11; 'x' = allowed.
    private static readonly string[] Grid =
    [
        /* 0 Deregistered  */ "xx..........",
        /* 1 Main          */ "xxx.x....x..",
        /* 2 AddingServer  */ "xx.x........",
        /* 3 OAuthStarted  */ "xx.....x...x",
        /* 4 GettingConfig */ "xx.x.xxx...x",
        /* 5 AskLocation   */ "xx..x.......",
        /* 6 AskProfile    */ "xx..x.......",
        /* 7 GotConfig     */ "xx.xx...x...",
        /* 8 Connecting    */ "xx.......xx.",
        /* 9 Connected     */ "xx........x.",
        /* 10 Disconnecting*/ "xx.......x.x",
        /* 11 Disconnected */ "xx.xx...x...",
    ];

    public static TheoryData<ConnectionState, ConnectionState, bool> AllPairs()
    {
        var data = new TheoryData<ConnectionState, ConnectionState, bool>();
        for (var from = 0; from < 12; from++)
        {
            for (var to = 0; to < 12; to++)
            {
                data.Add((ConnectionState)from, (ConnectionState)to, Grid[from][to] == 'x');
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanTransition_EveryPairOfTheMatrix_MatchesTheReferenceTable(ConnectionState from, ConnectionState to, bool expected) =>
        Assert.Equal(expected, ConnectionStateMachine.CanTransition(from, to));

    [Fact]
    public void AllowedTargets_EveryState_AgreesWithCanTransition()
    {
        foreach (var from in Enum.GetValues<ConnectionState>())
        {
            var expected = Enum.GetValues<ConnectionState>().Where(to => Grid[(int)from][(int)to] == 'x');
            Assert.Equal(expected, ConnectionStateMachine.AllowedTargets(from));
        }
    }

    [Fact]
    public void StateNumbers_AreEduVpnCommons()
    {
        Assert.Equal(12, Enum.GetValues<ConnectionState>().Length);
        Assert.Equal(0, (int)ConnectionState.Deregistered);
        Assert.Equal(1, (int)ConnectionState.Main);
        Assert.Equal(3, (int)ConnectionState.OAuthStarted);
        Assert.Equal(5, (int)ConnectionState.AskLocation);
        Assert.Equal(6, (int)ConnectionState.AskProfile);
        Assert.Equal(7, (int)ConnectionState.GotConfig);
        Assert.Equal(11, (int)ConnectionState.Disconnected);
        Assert.Equal(ConnectionState.Main, ConnectionStateMachine.Initial);
    }

    [Fact]
    public void IsHostSettable_OnlyTheTunnelStates()
    {
        var settable = Enum.GetValues<ConnectionState>().Where(ConnectionStateMachine.IsHostSettable);
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnecting, ConnectionState.Disconnected], settable);
    }

    [Fact]
    public void IsRequired_OnlyOAuthAndTheQuestions()
    {
        var required = Enum.GetValues<ConnectionState>().Where(ConnectionStateMachine.IsRequired);
        Assert.Equal([ConnectionState.OAuthStarted, ConnectionState.AskLocation, ConnectionState.AskProfile], required);
    }

    [Fact]
    public void EnsureCanTransition_InvalidPair_ThrowsWithEduVpnCommonsText()
    {
        var e = Assert.Throws<ConnectionTransitionException>(
            () => ConnectionStateMachine.EnsureCanTransition(ConnectionState.GotConfig, ConnectionState.AskProfile));
        Assert.Equal("fsm invalid transition attempt from 'GotConfig' to 'AskProfile'", e.Message);
        Assert.Equal(ConnectionState.GotConfig, e.From);
        Assert.Equal(ConnectionState.AskProfile, e.To);
    }

    [Fact]
    public void EnsureCanTransition_ValidPair_DoesNotThrow() =>
        ConnectionStateMachine.EnsureCanTransition(ConnectionState.GotConfig, ConnectionState.Connecting);

    [Fact]
    public void UnhandledRequiredMessage_HasEduVpnCommonsText() =>
        Assert.Equal(
            "fsm failed transition from 'GettingConfig' to 'AskProfile', is this required transition handled?",
            ConnectionStateMachine.UnhandledRequiredMessage(ConnectionState.GettingConfig, ConnectionState.AskProfile));

    [Fact]
    public void HostSequence_AfterGotConfig_IsLegal()
    {
        ConnectionState[] path =
            [ConnectionState.GotConfig, ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Disconnecting, ConnectionState.Disconnected];
        for (var i = 1; i < path.Length; i++)
        {
            Assert.True(ConnectionStateMachine.CanTransition(path[i - 1], path[i]));
        }
    }

    [Theory]
    [InlineData(ConnectionState.GotConfig, ConnectionState.Connecting, HostStateRequestOutcome.Transition)]
    [InlineData(ConnectionState.Connected, ConnectionState.Connected, HostStateRequestOutcome.AlreadyInState)]
    [InlineData(ConnectionState.Main, ConnectionState.Main, HostStateRequestOutcome.Transition)]
    [InlineData(ConnectionState.Main, ConnectionState.Connecting, HostStateRequestOutcome.Rejected)]
    [InlineData(ConnectionState.Connected, ConnectionState.Disconnected, HostStateRequestOutcome.Rejected)]
    public void EvaluateHostRequest_FollowsSetStateRules(ConnectionState current, ConnectionState requested, HostStateRequestOutcome expected) =>
        Assert.Equal(expected, ConnectionStateMachine.EvaluateHostRequest(current, requested));

    [Fact]
    public void HostRequestRejectedMessage_HasEduVpnCommonsText() =>
        Assert.Equal(
            "Failed internal state transition requested by the client from: 'Main' to 'Connecting'",
            ConnectionStateMachine.HostRequestRejectedMessage(ConnectionState.Main, ConnectionState.Connecting));
}
