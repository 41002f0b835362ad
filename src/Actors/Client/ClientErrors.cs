using EduVpnActors.Actors.Api;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client;

/// <summary>How failures of other engine actors become the client's typed errors.</summary>
public static class ClientErrors
{
    /// <summary>A refusal of the registry as a client error.</summary>
    public static ClientError FromRegistry(RegistryRequestFailed refused)
    {
        ArgumentNullException.ThrowIfNull(refused);
        return new ClientError(refused.Kind switch
        {
            RegistryErrorKind.UnknownServer => ClientErrorKind.UnknownServer,
            RegistryErrorKind.SecureInternetAlreadyAdded => ClientErrorKind.SecureInternetAlreadyAdded,
            RegistryErrorKind.StorageFailed => ClientErrorKind.Storage,
            _ => ClientErrorKind.InvalidState,
        }, refused.Message);
    }

    /// <summary>The answer to a state query about a server that is not in the registry.</summary>
    public static ClientError UnknownServer(ServerId server) =>
        new(ClientErrorKind.UnknownServer, $"the server {server} was not added");

    /// <summary>A failed session request as a client error; a start-up request that needs the user says so.</summary>
    public static ClientError FromSession(SessionFailure failure, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.Kind switch
        {
            SessionErrorKind.Cancelled => new ClientError(ClientErrorKind.Cancelled, failure.Message, failure),
            // A session that could not store (or read) its tokens is a storage failure for the host.
            SessionErrorKind.Storage => new ClientError(ClientErrorKind.Storage, failure.Message, failure),
            SessionErrorKind.AuthorizationRequired when !interactive => new ClientError(ClientErrorKind.AuthorizationRequired,
                "the connection at start-up needs a new authorization; connect by hand to authorize again", failure),
            _ => new ClientError(ClientErrorKind.Session, failure.Message, failure),
        };
    }

    /// <summary>Runs a step of the API rules; its <see cref="ApiException"/> becomes a flow failure (NoProfiles or InvalidConfiguration).</summary>
    /// <exception cref="ClientFlowException">The step's failure.</exception>
    public static T Guard<T>(Func<T> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            return step();
        }
        catch (ApiException e)
        {
            throw new ClientFlowException(e.Kind is ApiErrorKind.NoProfiles ? ClientErrorKind.NoProfiles : ClientErrorKind.InvalidConfiguration, e.Message);
        }
    }
}
