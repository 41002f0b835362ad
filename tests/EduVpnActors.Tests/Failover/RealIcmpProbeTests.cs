using System.Net;
using Akka.Actor;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Messages.Failover;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Failover;

/// <summary>
/// Real ICMP against gateways in network namespaces created by the test: one answers, one drops
/// echo requests (nftables), one has its link down. The counter is the root-side veth's rx_bytes.
/// <para>
/// xunit v2 cannot skip at run time. Where the kernel (or missing privileges) forbids namespaces,
/// these tests print "SKIPPED: &lt;reason&gt;" and return; wherever namespaces work, a wrong
/// verdict fails them. Every namespace and link is deleted in Dispose, also after a failure.
/// </para>
/// </summary>
[Collection(RealIcmpCollection.Name)]
public sealed class RealIcmpProbeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ProbeTiming Quick = new(TimeSpan.FromMilliseconds(200), 5, TimeSpan.FromMilliseconds(300));

    private readonly ITestOutputHelper _output;
    private readonly List<NetnsLab> _labs = [];

    public RealIcmpProbeTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Probe_AnsweringGateway_NotDroppedWithReply()
    {
        if (Skipped(needsNft: false))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.Answers);

        var verdict = await ProbeAsync(lab.Gateway4, lab.RootLink);

        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
        Assert.True(verdict.ReplySeen);
        Assert.Equal(1, verdict.EchoesSent);
    }

    [Fact]
    public async Task Probe_AnsweringIpv6Gateway_NotDroppedWithReply()
    {
        if (Skipped(needsNft: false))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.Answers, ipv6: true);

        var verdict = await ProbeAsync(lab.Gateway6, lab.RootLink);

        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
        Assert.True(verdict.ReplySeen);
    }

    [Fact]
    public async Task Probe_GatewayDroppingIcmp_Dropped()
    {
        if (Skipped(needsNft: true))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.DropsIcmp);

        var verdict = await ProbeAsync(lab.Gateway4, lab.RootLink);

        Assert.Equal(ProbeOutcome.Dropped, verdict.Outcome);
        Assert.Equal(5, verdict.EchoesSent);
        Assert.Equal(verdict.RxBytesBefore, verdict.RxBytesAfter);
    }

    [Fact]
    public async Task Probe_GatewayLinkDown_Dropped()
    {
        if (Skipped(needsNft: false))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.LinkDown);

        var verdict = await ProbeAsync(lab.Gateway4, lab.RootLink);

        Assert.Equal(ProbeOutcome.Dropped, verdict.Outcome);
        Assert.False(verdict.ReplySeen);
    }

    [Fact]
    public async Task Probe_MtuLargerThanLink_SendFailed()
    {
        if (Skipped(needsNft: false))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.Answers);

        // The veth MTU is 1500; a 9000-byte echo with DF set cannot leave.
        var verdict = await ProbeAsync(lab.Gateway4, lab.RootLink, mtu: 9000);

        Assert.Equal(ProbeErrorKind.SendFailed, verdict.Error?.Kind);
    }

    [Fact]
    public async Task Probe_NoInterfaceGiven_DefaultSourceFindsTheVeth()
    {
        if (Skipped(needsNft: false))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.Answers);

        Assert.Equal(lab.RootLink, SysfsRxBytesSource.InterfaceTowards(lab.Gateway4));
        var verdict = await ProbeAsync(lab.Gateway4, interfaceName: null);
        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
    }

    [Fact]
    public async Task ManyProbes_AnsweringDroppingAndDownGatewaysAtOnce_EachVerdictMatches()
    {
        if (Skipped(needsNft: true))
        {
            return;
        }
        var answers = Lab(GatewayBehaviour.Answers);
        var drops = Lab(GatewayBehaviour.DropsIcmp);
        var down = Lab(GatewayBehaviour.LinkDown);
        var pinger = Sys.ActorOf(FailoverPingerActor.Props(FailoverSettings.Default));
        var expected = new Dictionary<string, ProbeOutcome>();
        for (var host = 1; host <= 40; host++)
        {
            foreach (var (lab, outcome) in new[] { (answers, ProbeOutcome.NotDropped), (drops, ProbeOutcome.Dropped), (down, ProbeOutcome.Dropped) })
            {
                var id = $"{lab.Namespace}-{host}";
                expected[id] = outcome;
                pinger.Tell(new StartProbe(id, lab.ExtraGateway(host), 1400, lab.RootLink, Quick));
            }
        }

        var actual = new Dictionary<string, ProbeOutcome>();
        while (actual.Count < expected.Count)
        {
            var verdict = await ExpectMsgAsync<ProbeVerdict>(TimeSpan.FromSeconds(30));
            actual[verdict.ProbeId] = verdict.Outcome;
        }
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Cancel_RealProbeDuringTicks_CancelledBeforeTheEnd()
    {
        if (Skipped(needsNft: true))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.DropsIcmp);
        var probe = Sys.ActorOf(FailoverProbeActor.Props("c", FailoverSettings.Default));
        var states = CreateTestProbe();
        probe.Tell(new SubscribeProbeState(states.Ref));
        probe.Tell(new StartProbe("c", lab.Gateway4, 1400, lab.RootLink, Quick));
        await states.FishForMessageAsync(m => m is ProbeStateChanged { EchoesSent: 2 }, TimeSpan.FromSeconds(5));

        probe.Tell(new CancelProbe("c"));

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeErrorKind.Cancelled, verdict.Error?.Kind);
        Assert.InRange(verdict.EchoesSent, 2, 4);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task UnprivilegedSocket_AllowedByPingGroupRange_ReplyMatchesKernelIdentifier(string address)
    {
        if (Skipped(needsNft: false))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.Answers, ipv6: true);
        lab.Sysctl("net.ipv4.ping_group_range=0 2147483647");
        var gateway = IPAddress.Parse(address);

        using var pinger = lab.InNamespace(() => IcmpEchoPinger.Open(gateway, 100, IcmpSocketMode.Unprivileged));
        await pinger.SendEchoAsync(1, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        Assert.Equal(IcmpSocketMode.Unprivileged, pinger.Mode);
        Assert.Equal(1, await pinger.ReceiveReplyAsync(timeout.Token));
    }

    [Fact]
    public void UnprivilegedSocket_OutsidePingGroupRange_NoIcmpPermission()
    {
        if (Skipped(needsNft: false))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.Answers);
        lab.Sysctl("net.ipv4.ping_group_range=1 0");

        var error = Assert.Throws<FailoverException>(() =>
            lab.InNamespace(() => IcmpEchoPinger.Open(IPAddress.Loopback, 100, IcmpSocketMode.Unprivileged)));

        Assert.Equal(ProbeErrorKind.NoIcmpPermission, error.Kind);
    }

    [Fact]
    public void AutoSocket_OutsidePingGroupRangeWithNamespacePrivileges_FallsBackToRaw()
    {
        // Whoever may create namespaces (CAP_SYS_ADMIN) here is root in this test setup, so raw works.
        if (Skipped(needsNft: false))
        {
            return;
        }
        var lab = Lab(GatewayBehaviour.Answers);
        lab.Sysctl("net.ipv4.ping_group_range=1 0");

        using var pinger = lab.InNamespace(() => IcmpEchoPinger.Open(IPAddress.Loopback, 100));

        Assert.Equal(IcmpSocketMode.Raw, pinger.Mode);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var lab in _labs)
        {
            lab.Dispose();
        }
    }

    private async Task<ProbeVerdict> ProbeAsync(IPAddress gateway, string? interfaceName, int mtu = 1400)
    {
        var probe = Sys.ActorOf(FailoverProbeActor.Props("real", FailoverSettings.Default));
        probe.Tell(new StartProbe("real", gateway, mtu, interfaceName, Quick));
        var verdict = await ExpectMsgAsync<ProbeVerdict>(TimeSpan.FromSeconds(15));
        _output.WriteLine($"{gateway}: {verdict}");
        return verdict;
    }

    private NetnsLab Lab(GatewayBehaviour behaviour, bool ipv6 = false)
    {
        var lab = NetnsLab.Create(behaviour, ipv6);
        _labs.Add(lab);
        return lab;
    }

    private bool Skipped(bool needsNft)
    {
        var reason = NetnsLab.Unavailable(needsNft);
        if (reason is null)
        {
            return false;
        }
        _output.WriteLine($"SKIPPED: {reason}");
        Console.WriteLine($"SKIPPED: {nameof(RealIcmpProbeTests)}: {reason}");
        return true;
    }
}

/// <summary>Namespace tests change routing; they run one class at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealIcmpCollection
{
    public const string Name = "Real ICMP in network namespaces";
}
