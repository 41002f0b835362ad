namespace EduVpnActors.Tests.Support;

/// <summary>Polls a condition that another thread (an actor, a follower task) makes true.</summary>
internal static class Eventually
{
    /// <summary>Returns once <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="within"/>.</summary>
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan within, string what = "the condition never held")
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(20);
        }
    }
}
