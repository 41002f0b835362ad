using System.Globalization;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard;

/// <summary>Where the back-off stands between attempts.</summary>
/// <param name="BackoffIndex">The table entry last waited (starts at 0).</param>
/// <param name="ConsecutiveTlsFailures">Attempts in a row that failed in TLS.</param>
public readonly record struct RestartState(int BackoffIndex, int ConsecutiveTlsFailures)
{
    /// <summary>Before the first attempt.</summary>
    public static RestartState Initial => default;
}

/// <summary>What to do after an attempt ended.</summary>
/// <param name="Retry">True: wait <paramref name="Wait"/>, then attempt again. False: the tunnel fails with <paramref name="Fatal"/>.</param>
/// <param name="Wait">The back-off before the next attempt.</param>
/// <param name="Next">The state to decide the next attempt with.</param>
/// <param name="Fatal">Why the tunnel ends (when not retrying).</param>
public readonly record struct RestartDecision(bool Retry, TimeSpan Wait, RestartState Next, ProxyGuardError? Fatal);

/// <summary>
/// proxyguard.md §4.3, as a pure function: fatal errors end the tunnel; a retried one moves one step up
/// the back-off table when the attempt (waiting for traffic included) was shorter than the reset
/// threshold, or goes back to the start when it was not, and the tunnel waits that entry. Back-to-back
/// quick failures therefore wait 2, 4, 8, 10, 10 … s, and 1 s only follows a long-lived connection.
/// Beyond the reference: TLS failures in a row are bounded.
/// </summary>
public static class RestartPolicy
{
    /// <summary>Decides after an attempt that ended with <paramref name="error"/> after <paramref name="attemptDuration"/>.</summary>
    public static RestartDecision Decide(ProxyGuardSettings settings, RestartState state, ProxyGuardError error, TimeSpan attemptDuration)
    {
        if (error.IsFatal)
        {
            return new RestartDecision(false, TimeSpan.Zero, state, error);
        }
        var tlsFailures = error.Kind == ProxyGuardErrorKind.TlsFailed ? state.ConsecutiveTlsFailures + 1 : 0;
        if (settings.MaxConsecutiveTlsFailures > 0 && tlsFailures >= settings.MaxConsecutiveTlsFailures)
        {
            var gaveUp = new ProxyGuardError(ProxyGuardErrorKind.TlsFailed,
                $"gave up after {tlsFailures.ToString(CultureInfo.InvariantCulture)} TLS failures in a row; the last: {error.Message}");
            return new RestartDecision(false, TimeSpan.Zero, state with { ConsecutiveTlsFailures = tlsFailures }, gaveUp);
        }
        var index = attemptDuration < settings.BackoffResetAfter
            ? Math.Min(state.BackoffIndex + 1, settings.Backoff.Count - 1)
            : 0;
        return new RestartDecision(true, settings.Backoff[index], new RestartState(index, tlsFailures), null);
    }
}
