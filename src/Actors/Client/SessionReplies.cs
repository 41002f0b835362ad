using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client;

/// <summary>How a connection matches the replies of the registry and the session to the step that waits.</summary>
internal static class SessionReplies
{
    /// <summary>The request id a reply answers (null: a reply without one, e.g. discovery's).</summary>
    public static string? RequestIdOf(object reply) => reply switch
    {
        IRegistryRequest r => r.RequestId,
        ServerRecordAdded r => r.RequestId,
        ServerRecordRemoved r => r.RequestId,
        RegistryUpdated r => r.RequestId,
        ServerRecords r => r.RequestId,
        SessionAuthorized r => r.RequestId,
        InfoFetched r => r.RequestId,
        ConfigReceived r => r.RequestId,
        ConfigReleased r => r.RequestId,
        TokensForgotten r => r.RequestId,
        _ => null,
    };
}
