using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Servers;

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
}
