using EduVpnActors.Actors.Client;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Tests.Client;

/// <summary>Profile and location changes against client rules 33–35, for every state.</summary>
public sealed class ChoiceChangeTests
{
    public static TheoryData<ConnectionState> AllStates => new(Enum.GetValues<ConnectionState>());

    [Theory]
    [MemberData(nameof(AllStates))]
    public void SameChoice_AlwaysJustStored(ConnectionState state)
    {
        Assert.Equal(ChoiceChangeStep.Store, ChoiceChange.Decide(state, changes: false, configurationLive: true));
        Assert.Equal(ChoiceChangeStep.Store, ChoiceChange.Decide(state, changes: false, configurationLive: false));
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void NewChoice_RefusedExactlyWhileTheTunnelIsInUse(ConnectionState state)
    {
        var up = state is ConnectionState.Connecting or ConnectionState.Connected or ConnectionState.Disconnecting;
        Assert.Equal(up, ChoiceChange.TunnelInUse(state));
        Assert.Equal(up ? ChoiceChangeStep.Refuse : ChoiceChangeStep.ReleaseThenStore, ChoiceChange.Decide(state, changes: true, configurationLive: true));
        Assert.Equal(up ? ChoiceChangeStep.Refuse : ChoiceChangeStep.Store, ChoiceChange.Decide(state, changes: true, configurationLive: false));
    }
}
