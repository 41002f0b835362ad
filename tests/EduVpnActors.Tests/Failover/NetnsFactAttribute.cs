namespace EduVpnActors.Tests.Failover;

/// <summary>
/// A fact that needs network namespaces (and, if asked, nftables). Where they cannot be used, xunit
/// reports the test as <b>skipped</b> with the reason (it shows in the run's summary and in CI's
/// "N skipped"), never as passed. Set <c>EDUVPN_REQUIRE_NETNS=1</c> to run them anyway, so a
/// machine that must support them fails loudly instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute(bool needsNft = false) => Skip = NetnsAvailability.SkipReason(needsNft);
}

/// <summary>The theory counterpart of <see cref="NetnsFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetnsTheoryAttribute : TheoryAttribute
{
    public NetnsTheoryAttribute(bool needsNft = false) => Skip = NetnsAvailability.SkipReason(needsNft);
}

internal static class NetnsAvailability
{
    private static readonly Lazy<string?> WithoutNft = new(() => NetnsLab.Unavailable(needsNft: false));
    private static readonly Lazy<string?> WithNft = new(() => NetnsLab.Unavailable(needsNft: true));

    /// <summary>Null when the test can run; otherwise the text xunit prints as the skip reason.</summary>
    public static string? SkipReason(bool needsNft)
    {
        if (Environment.GetEnvironmentVariable("EDUVPN_REQUIRE_NETNS") == "1")
        {
            return null;
        }
        var reason = needsNft ? WithNft.Value : WithoutNft.Value;
        return reason is null ? null : $"real ICMP check not run: {reason}";
    }
}
