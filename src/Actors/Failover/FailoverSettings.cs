using Akka.Configuration;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Actors.Failover;

/// <summary>Defaults of every probe, from <c>eduvpn.failover</c> (hocon/failover.conf).</summary>
/// <param name="Timing">Interval, count and first-reply time-out used when a probe brings none.</param>
/// <param name="Ipv4Overhead">IPv4 + ICMP header bytes subtracted from the MTU (eduvpn-common: 28).</param>
/// <param name="Ipv6Overhead">IPv6 + ICMPv6 header bytes subtracted from the MTU (48).</param>
public sealed record FailoverSettings(ProbeTiming Timing, int Ipv4Overhead, int Ipv6Overhead)
{
    /// <summary>eduvpn-common's constants: 2 s, 5 echoes, 2 s, 28 bytes.</summary>
    public static FailoverSettings Default { get; } =
        new(new ProbeTiming(TimeSpan.FromSeconds(2), 5, TimeSpan.FromSeconds(2)), 28, 48);

    /// <summary>Reads <c>eduvpn.failover</c>; missing keys keep <see cref="Default"/>.</summary>
    public static FailoverSettings FromConfig(Config config)
    {
        var section = config.GetConfig("eduvpn.failover");
        if (section is null || section.IsEmpty)
        {
            return Default;
        }
        var d = Default;
        return new FailoverSettings(
            new ProbeTiming(
                section.GetTimeSpan("interval", d.Timing.Interval),
                section.GetInt("count", d.Timing.Count),
                section.GetTimeSpan("reply-timeout", d.Timing.ReplyTimeout)),
            section.GetInt("mtu-overhead", d.Ipv4Overhead),
            section.GetInt("mtu-overhead-ipv6", d.Ipv6Overhead));
    }
}
