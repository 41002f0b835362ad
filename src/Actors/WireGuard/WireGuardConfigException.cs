namespace EduVpnActors.Actors.WireGuard;

/// <summary>Why a WireGuard configuration could not be parsed or rewritten.</summary>
public enum WireGuardErrorKind
{
    /// <summary>A line has no <c>=</c>.</summary>
    NoKeyValue,
    /// <summary>A line has an empty key before <c>=</c>.</summary>
    EmptyKey,
    /// <summary>The configuration has no sections at all.</summary>
    Empty,
    /// <summary>A required section (<c>Interface</c>, or <c>Peer</c> for the proxy) is missing.</summary>
    MissingSection,
    /// <summary>A required key (<c>ProxyEndpoint</c> for the proxy) is missing.</summary>
    MissingKey,
}

/// <summary>A typed WireGuard configuration failure. Messages name sections and keys, never values.</summary>
public sealed class WireGuardConfigException(WireGuardErrorKind kind, string message) : Exception(message)
{
    /// <summary>What kind of failure this is.</summary>
    public WireGuardErrorKind Kind { get; } = kind;
}
