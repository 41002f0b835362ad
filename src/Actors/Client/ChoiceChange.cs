using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Actors.Client;

/// <summary>What changing a server's profile or location takes (client rules 33–35).</summary>
public enum ChoiceChangeStep
{
    /// <summary>Just remember the choice: nothing changes, or no configuration is live.</summary>
    Store,
    /// <summary>Call <c>/disconnect</c> for the live configuration first (rule 33), then remember the choice.</summary>
    ReleaseThenStore,
    /// <summary>The tunnel is up: the host must bring it down first (as for renew and remove).</summary>
    Refuse,
}

/// <summary>Decides a profile or location change from the connection state and the stored configuration.</summary>
public static class ChoiceChange
{
    /// <summary>Whether the host's tunnel is (being brought) up, so the configuration is in use.</summary>
    public static bool TunnelInUse(ConnectionState state) =>
        state is ConnectionState.Connecting or ConnectionState.Connected or ConnectionState.Disconnecting;

    /// <summary>The step for a change of the choice.</summary>
    /// <param name="current">The connection's state.</param>
    /// <param name="changes">Whether the new choice differs from the stored one.</param>
    /// <param name="configurationLive">Whether a configuration was obtained and not yet released.</param>
    public static ChoiceChangeStep Decide(ConnectionState current, bool changes, bool configurationLive) =>
        !changes ? ChoiceChangeStep.Store
        // Rule 34: /disconnect after the tunnel is down, so the host takes it down first.
        : TunnelInUse(current) ? ChoiceChangeStep.Refuse
        // Rule 35: the old configuration must not be used again once another profile/location is chosen.
        : configurationLive ? ChoiceChangeStep.ReleaseThenStore
        : ChoiceChangeStep.Store;
}
