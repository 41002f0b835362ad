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

    /// <summary>Whether the session serves <paramref name="request"/> as a job, one at a time (cancel and status run without one).</summary>
    public static bool IsJob(ISessionRequest request) => request is EnsureAuthorized or FetchInfo or RequestConfig or ReleaseConfig or ForgetTokens;

    /// <summary>The API a request calls, or null when it calls none.</summary>
    public static string? ApiBaseOf(ISessionRequest request) => request switch
    {
        FetchInfo f => f.ApiBaseUrl,
        RequestConfig c => c.ApiBaseUrl,
        ReleaseConfig r => r.ApiBaseUrl,
        _ => null,
    };
}
