using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Actors.Discovery;

/// <summary>What the policy needs to know about one list at the moment a caller asks for it.</summary>
public readonly record struct ListFreshness(
    bool HeldInCache,
    bool CheckedThisRun,
    long CheckedAtMs,
    long LastFailureAtMs);

/// <summary>
/// When a list must be fetched (eduvpn-common §3.5 and the official rules 13/14): the server list at
/// every start and at most every <c>server-list-max-age</c> after; the organization list only when
/// needed — none held, once per run when the caller is searching or adding, or when forced. After a
/// failed fetch the next automatic attempt waits <see cref="RetryAfterFailure"/>, so an offline engine
/// does not pay a network time-out on every query.
/// </summary>
public static class DiscoveryRefreshPolicy
{
    /// <summary>How long an automatic refresh waits after a failed fetch.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(1);

    /// <summary>Whether the list of <paramref name="kind"/> should be fetched now.</summary>
    /// <param name="kind">Which list.</param>
    /// <param name="list">What is known about it.</param>
    /// <param name="nowMs">Now.</param>
    /// <param name="serverListMaxAge">How old the server list may get.</param>
    /// <param name="allowRefresh">The caller accepts a refresh when one is due.</param>
    /// <param name="force">Ask the server whatever the age.</param>
    /// <param name="respectBackOff">A forced refresh still waits <see cref="RetryAfterFailure"/> after a failed fetch.</param>
    public static bool IsDue(DiscoveryListKind kind, ListFreshness list, long nowMs, TimeSpan serverListMaxAge, bool allowRefresh, bool force, bool respectBackOff = false)
    {
        var backingOff = list.LastFailureAtMs > 0 && nowMs - list.LastFailureAtMs < (long)RetryAfterFailure.TotalMilliseconds;
        if (force)
        {
            return !(respectBackOff && backingOff);
        }
        if (backingOff)
        {
            return false;
        }
        if (!list.HeldInCache)
        {
            return true;
        }
        if (!allowRefresh)
        {
            return false;
        }
        return kind switch
        {
            DiscoveryListKind.Servers => !list.CheckedThisRun
                || nowMs - list.CheckedAtMs >= (long)serverListMaxAge.TotalMilliseconds
                || nowMs < list.CheckedAtMs, // the clock went back: do not trust the age
            _ => !list.CheckedThisRun,
        };
    }
}
