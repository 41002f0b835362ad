namespace EduVpnActors.Messages.Servers;

/// <summary>
/// When the session of a server expires and when the UI should show what (all Unix seconds, as
/// eduvpn-common's <c>Expiry</c>: <c>start_time</c>, <c>end_time</c>, <c>button_time</c>,
/// <c>countdown_time</c>, <c>notification_times</c>).
/// </summary>
/// <param name="StartTime">When the authorization was obtained.</param>
/// <param name="EndTime">When the configuration (and the authorization) expires.</param>
/// <param name="ButtonTime">From when "Renew session" is shown.</param>
/// <param name="CountdownTime">From when the countdown is shown.</param>
/// <param name="NotificationTimes">When to notify the user, descending, starting with <paramref name="EndTime"/>.</param>
public sealed record ExpiryTimes(long StartTime, long EndTime, long ButtonTime, long CountdownTime, IReadOnlyList<long> NotificationTimes)
{
    /// <inheritdoc />
    public bool Equals(ExpiryTimes? other) =>
        other is not null && StartTime == other.StartTime && EndTime == other.EndTime && ButtonTime == other.ButtonTime
        && CountdownTime == other.CountdownTime && NotificationTimes.SequenceEqual(other.NotificationTimes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StartTime, EndTime, ButtonTime, CountdownTime, NotificationTimes.Count);

    /// <inheritdoc />
    public override string ToString() =>
        $"ExpiryTimes {{ StartTime = {StartTime}, EndTime = {EndTime}, ButtonTime = {ButtonTime}, "
        + $"CountdownTime = {CountdownTime}, NotificationTimes = [{string.Join(", ", NotificationTimes)}] }}";
}
