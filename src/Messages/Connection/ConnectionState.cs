namespace EduVpnActors.Messages.Connection;

/// <summary>The states of the client flow; the numbers are eduvpn-common's state IDs.</summary>
public enum ConnectionState
{
    /// <summary>No client registered (also reachable from every state).</summary>
    Deregistered = 0,
    /// <summary>The initial state: idle, nothing in progress.</summary>
    Main = 1,
    /// <summary>An interactive AddServer is running.</summary>
    AddingServer = 2,
    /// <summary>The user must finish the OAuth authorization in the browser.</summary>
    OAuthStarted = 3,
    /// <summary>A VPN configuration is being obtained.</summary>
    GettingConfig = 4,
    /// <summary>The host must choose a Secure Internet location.</summary>
    AskLocation = 5,
    /// <summary>The host must choose a profile.</summary>
    AskProfile = 6,
    /// <summary>A VPN configuration is ready for the host.</summary>
    GotConfig = 7,
    /// <summary>The host is bringing the tunnel up.</summary>
    Connecting = 8,
    /// <summary>The host reports the tunnel up.</summary>
    Connected = 9,
    /// <summary>The host is tearing the tunnel down.</summary>
    Disconnecting = 10,
    /// <summary>The host reports the tunnel down.</summary>
    Disconnected = 11,
}
