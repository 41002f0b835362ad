using EduVpnActors.Actors.Servers.Logic;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Servers.Logic;

public sealed class ExpiryCalculatorTests
{
    private static ExpiryTimes Calc(long start, long end, ExpiryPolicy policy) =>
        ExpiryCalculator.Calculate(DateTimeOffset.FromUnixTimeSeconds(start), DateTimeOffset.FromUnixTimeSeconds(end), policy);

    // Behaviour reference §9 worked examples (start 0).
    [Theory]
    [InlineData(3600, 1800, 0, new long[] { 3600, 0 })]
    [InlineData(1200, 1200, 0, new long[] { 1200 })]
    [InlineData(86400, 0, 0, new long[] { 86400, 82800, 79200, 72000 })]
    [InlineData(604800, 518400, 518400, new long[] { 604800, 601200, 597600, 590400 })]
    public void EduVpnCommonPolicy_WorkedExamples_MatchReference(long end, long button, long countdown, long[] notifications)
    {
        var times = Calc(0, end, ExpiryPolicy.EduVpnCommon);
        Assert.Equal(new ExpiryTimes(0, end, button, countdown, notifications), times);
    }

    [Theory]
    [InlineData(3600, 1800, 0, new long[] { 3600, 0 })]
    [InlineData(1200, 1200, 0, new long[] { 1200 })]
    [InlineData(86400, 1800, 0, new long[] { 86400, 82800, 79200, 72000 })]
    [InlineData(604800, 518400, 518400, new long[] { 604800, 601200, 597600, 590400 })]
    public void OfficialPolicy_WorkedExamples_DifferOnlyWhereRule36Demands(long end, long button, long countdown, long[] notifications)
    {
        var times = Calc(0, end, ExpiryPolicy.Official);
        Assert.Equal(new ExpiryTimes(0, end, button, countdown, notifications), times);
    }

    [Fact]
    public void Calculate_DefaultPolicy_IsOfficial() =>
        Assert.Equal(Calc(0, 86400, ExpiryPolicy.Official), ExpiryCalculator.Calculate(DateTimeOffset.UnixEpoch, DateTimeOffset.FromUnixTimeSeconds(86400)));

    [Theory]
    [InlineData(86399, 1800, 0)] // just under 24 h: countdown from start, button after 30 min
    [InlineData(86400, 0, 0)] // exactly 24 h: button rule switches (< vs ≤)
    [InlineData(86401, 1, 1)]
    [InlineData(1800, 1800, 0)] // exactly 30 min: the button never shows before the end
    [InlineData(1801, 1800, 0)]
    public void EduVpnCommonPolicy_Boundaries_SwitchAsReference(long end, long button, long countdown)
    {
        var times = Calc(0, end, ExpiryPolicy.EduVpnCommon);
        Assert.Equal(button, times.ButtonTime);
        Assert.Equal(countdown, times.CountdownTime);
    }

    [Fact]
    public void NonZeroStart_ShiftsEverything()
    {
        var times = Calc(1_000_000, 1_000_000 + 3600, ExpiryPolicy.EduVpnCommon);
        Assert.Equal(new ExpiryTimes(1_000_000, 1_003_600, 1_001_800, 1_000_000, [1_003_600, 1_000_000]), times);
    }

    [Fact]
    public void ZeroAuthorizeTime_GivesGoZeroTimeUnixValue()
    {
        var times = ExpiryCalculator.Calculate(DateTimeOffset.MinValue, DateTimeOffset.FromUnixTimeSeconds(3600));
        Assert.Equal(-62135596800, times.StartTime);
    }

    // Rule 36 checked directly against the definition for many session lengths and moments.
    [Theory]
    [InlineData(600)]
    [InlineData(3600)]
    [InlineData(8 * 3600)]
    [InlineData(86400)]
    [InlineData(86400 + 900)]
    [InlineData(86400 + 1800)]
    [InlineData(7 * 86400)]
    public void OfficialPolicy_Visibility_FollowsRule36(long duration)
    {
        var times = Calc(0, duration, ExpiryPolicy.Official);
        for (long now = 0; now < duration; now += 300)
        {
            var at = DateTimeOffset.FromUnixTimeSeconds(now);
            var remaining = duration - now;
            Assert.Equal(remaining <= 86400, ExpiryCalculator.IsCountdownVisible(times, at));
            Assert.Equal(remaining <= 86400 && now >= 1800, ExpiryCalculator.IsRenewVisible(times, at));
        }
        var expectedNotifications = new long[] { 0, 3600, 7200, 14400 }.Where(o => o <= duration).Select(o => duration - o);
        Assert.Equal(expectedNotifications, times.NotificationTimes);
    }

    [Fact]
    public void NextNotification_PicksTheEarliestFutureOne()
    {
        var times = Calc(0, 604800, ExpiryPolicy.Official);
        Assert.Equal(590400, ExpiryCalculator.NextNotification(times, DateTimeOffset.FromUnixTimeSeconds(0)));
        Assert.Equal(597600, ExpiryCalculator.NextNotification(times, DateTimeOffset.FromUnixTimeSeconds(590400)));
        Assert.Null(ExpiryCalculator.NextNotification(times, DateTimeOffset.FromUnixTimeSeconds(604800)));
    }
}
