using EduVpnActors.Actors.Connection.Logic;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Actors.Client;

/// <summary>What a connection does before it starts an operation: refuse it, or make these transitions first.</summary>
/// <param name="Refusal">Why the operation may not start in this state; null when it may.</param>
/// <param name="Transitions">The transitions to make before the operation runs, in order.</param>
public sealed record OperationStart(ClientError? Refusal, IReadOnlyList<ConnectionState> Transitions)
{
    private static readonly OperationStart Proceed = new(null, []);

    /// <summary>
    /// Decides the start of <paramref name="request"/> in <paramref name="current"/> (behaviour reference §2.3,
    /// client rules 33–35): an interactive add only from Main; a configuration by way of GettingConfig; renew and
    /// remove never while the tunnel is in use, and renew reaches OAuthStarted by way of GettingConfig.
    /// </summary>
    public static OperationStart Decide(IClientRequest request, ConnectionState current)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request switch
        {
            AddServer { Interactive: true } when current != ConnectionState.Main =>
                Refuse($"a server can only be added from Main, not from {current}"),
            GetConfig when current == ConnectionState.GettingConfig => Proceed,
            GetConfig => ConnectionStateMachine.CanTransition(current, ConnectionState.GettingConfig)
                ? new OperationStart(null, [ConnectionState.GettingConfig])
                : Refuse(ConnectionStateMachine.InvalidTransitionMessage(current, ConnectionState.GettingConfig)),
            RenewSession when ChoiceChange.TunnelInUse(current) => Refuse($"bring the tunnel down before renewing (now {current})"),
            // OAuthStarted is not reachable from Main; GettingConfig is the documented way in.
            RenewSession when current == ConnectionState.Main => new OperationStart(null, [ConnectionState.GettingConfig]),
            RenewSession when !ConnectionStateMachine.CanTransition(current, ConnectionState.OAuthStarted) =>
                Refuse(ConnectionStateMachine.InvalidTransitionMessage(current, ConnectionState.OAuthStarted)),
            RemoveServer when ChoiceChange.TunnelInUse(current) => Refuse($"bring the tunnel down before removing the server (now {current})"),
            _ => Proceed,
        };
    }

    /// <summary>
    /// The way back after a failed operation that started in <paramref name="start"/> and stands in
    /// <paramref name="current"/>, by allowed transitions only (eduvpn-common can get stuck in an ask state):
    /// out of a question by way of GettingConfig, then to Disconnected when it started there and may go back, else Main.
    /// </summary>
    public static IReadOnlyList<ConnectionState> RollBack(ConnectionState current, ConnectionState start)
    {
        if (current == start)
        {
            return [];
        }
        var path = new List<ConnectionState>(2);
        if (current is ConnectionState.AskProfile or ConnectionState.AskLocation)
        {
            path.Add(ConnectionState.GettingConfig);
            current = ConnectionState.GettingConfig;
        }
        var target = start is ConnectionState.Disconnected && ConnectionStateMachine.CanTransition(current, start) ? start : ConnectionState.Main;
        if (current != target)
        {
            path.Add(target);
        }
        return path;
    }

    private static OperationStart Refuse(string message) => new(new ClientError(ClientErrorKind.InvalidState, message), []);
}
