using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>What a session request allows, read the same way by the session and by the client that sends it.</summary>
internal static class SessionRequests
{
    /// <summary>Whether the session may ask the user (open a browser) for this request; only such jobs stop on a cancel.</summary>
    public static bool IsInteractive(ISessionRequest request) => request switch
    {
        EnsureAuthorized e => e.Interactive,
        FetchInfo f => f.Interactive,
        RequestConfig c => c.Interactive,
        _ => false,
    };
}
