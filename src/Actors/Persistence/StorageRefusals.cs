using Akka.Actor;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// The typed answer a request to a persistent actor gets when that actor's storage failed and the request
/// was never handled: the same reply types the actor itself sends, so a waiting requester always hears back.
/// </summary>
public static class StorageRefusals
{
    /// <summary>
    /// The refusal of <paramref name="request"/> with <paramref name="reason"/> (for the user, no stored content),
    /// or null when it is not a request of the registry, a session or discovery, or expects no answer.
    /// </summary>
    public static object? For(object request, string reason)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request switch
        {
            IRegistryRequest r => new RegistryRequestFailed(r.RequestId, RegistryErrorKind.StorageFailed, reason),
            SessionEnvelope { Request: CancelAuthorization } => null,
            // Best effort by contract: "not reached" is its failure.
            SessionEnvelope { Request: ReleaseConfig release } => new ConfigReleased(release.RequestId, false),
            SessionEnvelope { Request: var r } => new SessionRequestFailed(r.RequestId, new SessionFailure(SessionErrorKind.Storage, reason)),
            GetServerList => new ServerListResponse(ServerList.Empty, NoList(DiscoveryListKind.Servers, reason)),
            SearchServers => new ServerSearchResponse([], NoList(DiscoveryListKind.Servers, reason)),
            GetOrganizationList => new OrganizationListResponse(OrganizationList.Empty, NoList(DiscoveryListKind.Organizations, reason)),
            SearchOrganizations => new OrganizationSearchResponse([], NoList(DiscoveryListKind.Organizations, reason)),
            _ => null,
        };
    }

    /// <summary>Answers every <paramref name="held"/> request (e.g. a cleared stash) that expects an answer with its refusal.</summary>
    public static void AnswerAll(IEnumerable<Envelope> held, string reason)
    {
        foreach (var request in held)
        {
            if (For(request.Message, reason) is { } refusal)
            {
                request.Sender.Tell(refusal);
            }
        }
    }

    private static DiscoveryStatus NoList(DiscoveryListKind kind, string reason) =>
        new(kind, 0, DiscoverySource.None, null, new DiscoveryWarning(DiscoveryWarningKind.StorageFailed, reason));
}
