using System.Collections.Immutable;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Servers.Logic;

/// <summary>Which rule set decides when "Renew session" becomes visible.</summary>
public enum ExpiryPolicy
{
    /// <summary>Client rule 36 (official docs): at most 24 h left and at least 30 min since authorization.</summary>
    Official,
    /// <summary>eduvpn-common's exact numbers (behaviour reference §9).</summary>
    EduVpnCommon,
}

/// <summary>
/// Session expiry times for the UI (behaviour reference §9, client rule 36): countdown when at
/// most 24 h remain; "Renew session" when at most 24 h remain and at least 30 min have passed
/// since authorization; notifications 4 h, 2 h, 1 h and 0 h before expiry.
/// </summary>
public static class ExpiryCalculator
{
    private const long Day = 24 * 3600;
    private const long HalfHour = 30 * 60;
    private static readonly long[] NotificationOffsets = [0, 3600, 2 * 3600, 4 * 3600];

    /// <summary>
    /// The expiry times of a session authorized at <paramref name="authorizedAt"/> whose
    /// configuration expires at <paramref name="expiresAt"/>. The policies differ only in
    /// <see cref="ExpiryTimes.ButtonTime"/> for sessions of 24 h up to 24 h 30 min: eduvpn-common
    /// enables "Renew" right away (end − 24 h), the official rule waits for 30 min after authorization.
    /// </summary>
    public static ExpiryTimes Calculate(DateTimeOffset authorizedAt, DateTimeOffset expiresAt, ExpiryPolicy policy = ExpiryPolicy.Official)
    {
        var start = authorizedAt.ToUnixTimeSeconds();
        var end = expiresAt.ToUnixTimeSeconds();
        var duration = end - start;
        var countdown = duration <= Day ? start : end - Day;
        var button = policy switch
        {
            ExpiryPolicy.EduVpnCommon => duration < Day ? (duration > HalfHour ? start + HalfHour : end) : end - Day,
            // Both conditions of rule 36 hold from the later of the two moments; never after the end itself.
            _ => Math.Min(end, Math.Max(end - Day, start + HalfHour)),
        };
        var notifications = NotificationOffsets.Where(o => o <= duration).Select(o => end - o).ToImmutableArray();
        return new ExpiryTimes(start, end, button, countdown, notifications);
    }

    /// <summary>Whether the countdown is shown at <paramref name="now"/>.</summary>
    public static bool IsCountdownVisible(ExpiryTimes times, DateTimeOffset now) => now.ToUnixTimeSeconds() >= times.CountdownTime;

    /// <summary>Whether "Renew session" is shown at <paramref name="now"/>.</summary>
    public static bool IsRenewVisible(ExpiryTimes times, DateTimeOffset now) => now.ToUnixTimeSeconds() >= times.ButtonTime;

    /// <summary>The next notification strictly after <paramref name="now"/>, or null when none is left.</summary>
    public static long? NextNotification(ExpiryTimes times, DateTimeOffset now)
    {
        var n = now.ToUnixTimeSeconds();
        long? next = null;
        foreach (var t in times.NotificationTimes)
        {
            if (t > n && (next is null || t < next))
            {
                next = t;
            }
        }
        return next;
    }
}
