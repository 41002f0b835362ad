using Akka.Actor;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client.Operations;

/// <summary>What every step of one operation (and of its sub-flows) shares: whose it is and what it may use.</summary>
/// <param name="Server">The server the operation is about.</param>
/// <param name="Connection">The server's connection actor: it owns the state machine the steps move.</param>
/// <param name="Deps">The engine actors and settings.</param>
/// <param name="Interactive">Whether the user may be asked (false only for a start-up GetConfig).</param>
public sealed record OperationContext(ServerId Server, IActorRef Connection, ClientDependencies Deps, bool Interactive)
{
    /// <summary>The client settings (time-outs, protocols).</summary>
    public ClientSettings Settings => Deps.Settings;
}

/// <summary>An operation ended: <paramref name="Reply"/> goes to its requester (a <see cref="ClientRequestFailed"/> when it failed).</summary>
/// <param name="Reply">The answer to the request.</param>
/// <param name="ServerGone">The server is not (or no longer) in the registry: the connection retires once idle in Main.</param>
internal sealed record OperationEnded(object Reply, bool ServerGone) : INoSerializationVerificationNeeded
{
    /// <summary>Whether it failed (then the connection walks the state back to where it started).</summary>
    public bool Failed => Reply is ClientRequestFailed;
}

/// <summary>The host cancelled: the connection tells its operation, which tells the sub-flow it waits on.</summary>
internal sealed record CancelRequested : INoSerializationVerificationNeeded
{
    public static readonly CancelRequested Instance = new();
}

/// <summary>A profile or location change released the live configuration: a GotConfig must not offer it again.</summary>
internal sealed record LiveConfigurationReleased : INoSerializationVerificationNeeded
{
    public static readonly LiveConfigurationReleased Instance = new();
}

/// <summary>An operation is done with the host's part: back to Main unless the state machine is there already.</summary>
internal sealed record ReturnToMain : INoSerializationVerificationNeeded
{
    public static readonly ReturnToMain Instance = new();
}

/// <summary>A sub-flow failed with a typed error; its operation fails with it.</summary>
internal sealed record SubflowFailed(ClientError Error) : INoSerializationVerificationNeeded;

/// <summary>The discovery lists of a lookup and what the query resolved on them.</summary>
/// <param name="Servers">The usable server list.</param>
/// <param name="Organizations">The usable organization list (empty unless Secure Internet).</param>
/// <param name="Result">What the query found (its own type; null where the query finds nothing to return).</param>
/// <param name="OrganizationsRefreshed">Whether a fresh organization list was asked for in this operation.</param>
internal sealed record DiscoveryResolved(ServerList Servers, OrganizationList Organizations, object? Result, bool OrganizationsRefreshed) : INoSerializationVerificationNeeded;

/// <summary>A session step succeeded.</summary>
/// <param name="Target">Where it was answered (a Secure Internet re-authorization may have moved the home).</param>
/// <param name="Record">The server, with a newer authorization time stored when the session had one.</param>
/// <param name="Reply">The session's reply (<c>SessionAuthorized</c>, <c>InfoFetched</c> or <c>ConfigReceived</c>).</param>
/// <param name="OrganizationsRefreshed">Whether a fresh organization list was asked for in this operation.</param>
internal sealed record SessionStepSucceeded(SessionTarget Target, ServerRecord Record, object Reply, bool OrganizationsRefreshed) : INoSerializationVerificationNeeded;

/// <summary>A release sub-flow ended.</summary>
/// <param name="Record">The server after it (configuration times cleared when they were stored).</param>
/// <param name="Reached">Whether the server was told (false when there was nothing to release or a best-effort call failed).</param>
internal sealed record ConfigReleaseDone(ServerRecord Record, bool Reached) : INoSerializationVerificationNeeded;
