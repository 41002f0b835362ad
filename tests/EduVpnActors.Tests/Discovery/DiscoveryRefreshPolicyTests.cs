using EduVpnActors.Actors.Discovery;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Tests.Discovery;

public sealed class DiscoveryRefreshPolicyTests
{
    private const long Now = 10_000_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private static readonly long Pause = (long)DiscoveryRefreshPolicy.RetryAfterFailure.TotalMilliseconds;

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Forced_RightAfterAFailure_OnlyTheEnginesOwnTriggerWaits(bool respectBackOff, bool due)
    {
        var failedJustNow = new ListFreshness(true, true, Now - 5_000, Now - 1_000);
        Assert.Equal(due, DiscoveryRefreshPolicy.IsDue(DiscoveryListKind.Organizations, failedJustNow, Now, MaxAge, true, force: true, respectBackOff));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forced_AfterThePauseOrWithoutFailure_IsDue(bool respectBackOff)
    {
        var failedLongAgo = new ListFreshness(true, true, Now - 5_000, Now - Pause - 1);
        var fine = new ListFreshness(true, true, Now - 5_000, 0);
        Assert.True(DiscoveryRefreshPolicy.IsDue(DiscoveryListKind.Organizations, failedLongAgo, Now, MaxAge, true, force: true, respectBackOff));
        Assert.True(DiscoveryRefreshPolicy.IsDue(DiscoveryListKind.Organizations, fine, Now, MaxAge, true, force: true, respectBackOff));
    }

    [Fact]
    public void OrganizationList_CheckedThisRun_NotDueWithoutForce()
    {
        var fine = new ListFreshness(true, true, Now - 5_000, 0);
        Assert.False(DiscoveryRefreshPolicy.IsDue(DiscoveryListKind.Organizations, fine, Now, MaxAge, true, force: false));
    }
}
