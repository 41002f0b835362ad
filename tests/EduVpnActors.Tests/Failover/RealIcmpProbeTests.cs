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
/// Where the kernel (or missing privileges) forbids namespaces, <see cref="NetnsFactAttribute"/>
/// makes xunit report these tests as skipped with the reason, never as passed; wherever namespaces
/// work, a wrong verdict fails them. Every namespace and link is deleted in Dispose, also after a failure.
/// </para>
/// </summary>
[Collection(RealIcmpCollection.Name)]
public sealed class RealIcmpProbeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ProbeTiming Quick = new(TimeSpan.FromMilliseconds(200), 5, TimeSpan.FromMilliseconds(300));

    private readonly ITestOutputHelper _output;
    private readonly List<NetnsLab> _labs = [];

    public RealIcmpProbeTests(ITestOutputHelper output) => _output = output;

    [NetnsFact]
    public async Task Probe_AnsweringGateway_NotDroppedWithReply()
    {
        var lab = Lab(GatewayBehaviour.Answers);

        var verdict = await ProbeAsync(lab.Gateway4, lab.RootLink);

        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
        Assert.True(verdict.ReplySeen);
        Assert.Equal(1, verdict.EchoesSent);
    }

    [NetnsFact]
    public async Task Probe_AnsweringIpv6Gateway_NotDroppedWithReply()
    {
        var lab = Lab(GatewayBehaviour.Answers, ipv6: true);

        var verdict = await ProbeAsync(lab.Gateway6, lab.RootLink);

        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
        Assert.True(verdict.ReplySeen);
    }

    [NetnsFact(needsNft: true)]
    public async Task Probe_GatewayDroppingIcmp_Dropped()
    {
        var lab = Lab(GatewayBehaviour.DropsIcmp);

        var verdict = await ProbeAsync(lab.Gateway4, lab.RootLink);

        Assert.Equal(ProbeOutcome.Dropped, verdict.Outcome);
        Assert.Equal(5, verdict.EchoesSent);
        Assert.Equal(verdict.RxBytesBefore, verdict.RxBytesAfter);
    }

    /// <summary>§8's other half for real: ICMP is blocked, but other traffic arrives, so the counter says "not dropped".</summary>
    [NetnsFact(needsNft: true)]
    public async Task Probe_GatewayDropsIcmpButOtherTrafficArrives_NotDroppedByCounter()
    {
        var lab = Lab(GatewayBehaviour.DropsIcmp);
        var probe = Sys.ActorOf(FailoverProbeActor.Props("counter", FailoverSettings.Default));
        var states = CreateTestProbe();
        probe.Tell(new SubscribeProbeState(states.Ref));
        probe.Tell(new StartProbe("counter", lab.Gateway4, 1400, lab.RootLink, Quick));
        await states.FishForMessageAsync(m => m is ProbeStateChanged { Phase: ProbePhase.Probing }, TimeSpan.FromSeconds(5));

        // The gateway sends one UDP datagram to our end of the link while the probe runs.
        lab.InNamespace(() =>
        {
            using var udp = new System.Net.Sockets.UdpClient(System.Net.Sockets.AddressFamily.InterNetwork);
            return udp.Send(new byte[200], 200, new IPEndPoint(lab.RootAddress4, 9));
        });

        var verdict = await ExpectMsgAsync<ProbeVerdict>(TimeSpan.FromSeconds(15));
        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
        Assert.False(verdict.ReplySeen);
        Assert.Equal(5, verdict.EchoesSent);
        Assert.True(verdict.RxBytesAfter > verdict.RxBytesBefore);
    }

    [NetnsFact]
    public async Task Probe_GatewayLinkDown_Dropped()
    {
        var lab = Lab(GatewayBehaviour.LinkDown);

        var verdict = await ProbeAsync(lab.Gateway4, lab.RootLink);

        Assert.Equal(ProbeOutcome.Dropped, verdict.Outcome);
        Assert.False(verdict.ReplySeen);
    }

    [NetnsFact(needsNft: true)]
    public async Task Probe_Ipv6GatewayDroppingIcmp_Dropped()
    {
        var lab = Lab(GatewayBehaviour.DropsIcmp, ipv6: true);

        var verdict = await ProbeAsync(lab.Gateway6, lab.RootLink);

        Assert.Equal(ProbeOutcome.Dropped, verdict.Outcome);
        Assert.Equal(5, verdict.EchoesSent);
        Assert.Equal(verdict.RxBytesBefore, verdict.RxBytesAfter);
    }

    [NetnsFact]
    public async Task Probe_Ipv6GatewayLinkDown_Dropped()
    {
        var lab = Lab(GatewayBehaviour.LinkDown, ipv6: true);

        var verdict = await ProbeAsync(lab.Gateway6, lab.RootLink);

        Assert.Equal(ProbeOutcome.Dropped, verdict.Outcome);
        Assert.False(verdict.ReplySeen);
    }

    /// <summary>
    /// The raw-socket path end to end, whatever this machine's ping_group_range is (where it allows
    /// our group, Auto would pick the unprivileged socket and the raw path would go untested).
    /// </summary>
    [NetnsTheory(needsNft: true)]
    [InlineData(false, "answers", ProbeOutcome.NotDropped)]
    [InlineData(false, "drops", ProbeOutcome.Dropped)]
    [InlineData(false, "down", ProbeOutcome.Dropped)]
    [InlineData(true, "answers", ProbeOutcome.NotDropped)]
    [InlineData(true, "drops", ProbeOutcome.Dropped)]
    [InlineData(true, "down", ProbeOutcome.Dropped)]
    public async Task Probe_RawSocketForced_VerdictMatchesGateway(bool ipv6, string behaviour, ProbeOutcome expected)
    {
        var lab = Lab(behaviour switch { "answers" => GatewayBehaviour.Answers, "drops" => GatewayBehaviour.DropsIcmp, _ => GatewayBehaviour.LinkDown }, ipv6);
        var raw = new FailoverDependencies(new IcmpEchoPingerFactory(IcmpSocketMode.Raw), new SysfsRxBytesSourceFactory());

        var verdict = await ProbeAsync(ipv6 ? lab.Gateway6 : lab.Gateway4, lab.RootLink, dependencies: raw);

        Assert.Equal(expected, verdict.Outcome);
        Assert.Equal(expected == ProbeOutcome.NotDropped, verdict.ReplySeen);
    }

    /// <summary>
    /// The unprivileged datagram path end to end through the actor: the socket is opened in a
    /// namespace whose ping_group_range allows every group, towards the namespace's own loopback.
    /// The counter is a constant fake (loopback counters of another namespace are not in our
    /// sysfs), so the verdict rests on reply matching alone.
    /// </summary>
    [NetnsTheory(needsNft: true)]
    [InlineData("127.0.0.1", false, ProbeOutcome.NotDropped)]
    [InlineData("::1", false, ProbeOutcome.NotDropped)]
    [InlineData("127.0.0.1", true, ProbeOutcome.Dropped)]
    [InlineData("::1", true, ProbeOutcome.Dropped)]
    public async Task Probe_UnprivilegedSocketInNamespace_VerdictMatchesGateway(string address, bool drops, ProbeOutcome expected)
    {
        var lab = Lab(drops ? GatewayBehaviour.DropsIcmp : GatewayBehaviour.Answers, ipv6: true);
        lab.Sysctl("net.ipv4.ping_group_range=0 2147483647");
        var opened = new List<IcmpSocketMode>();
        var dependencies = new FailoverDependencies(
            new DelegatePingerFactory((gateway, payload) =>
            {
                var pinger = lab.InNamespace(() => IcmpEchoPinger.Open(gateway, payload, IcmpSocketMode.Unprivileged));
                opened.Add(pinger.Mode);
                return pinger;
            }),
            new FixedRxSourceFactory(_ => new FakeRxSource(_ => 1000)));

        var verdict = await ProbeAsync(IPAddress.Parse(address), "lo", dependencies: dependencies);

        Assert.Equal([IcmpSocketMode.Unprivileged], opened);
        Assert.Equal(expected, verdict.Outcome);
        Assert.Equal(expected == ProbeOutcome.NotDropped, verdict.ReplySeen);
        Assert.Equal(expected == ProbeOutcome.NotDropped ? 1 : 5, verdict.EchoesSent);
    }

    /// <summary>
    /// Neither socket kind allowed: outside ping_group_range and without CAP_NET_RAW (dropped from
    /// the opening thread only). The probe must end with the typed error, not a crash or a hang.
    /// </summary>
    [NetnsTheory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Probe_NeitherUnprivilegedNorRawAllowed_NoIcmpPermissionVerdict(string address)
    {
        var lab = Lab(GatewayBehaviour.Answers, ipv6: true);
        lab.Sysctl("net.ipv4.ping_group_range=1 0");
        var dependencies = new FailoverDependencies(
            new DelegatePingerFactory((gateway, payload) => lab.InNamespace(() =>
            {
                ThreadCapabilities.DropEffective(ThreadCapabilities.NetRaw);
                return IcmpEchoPinger.Open(gateway, payload);
            })),
            new FixedRxSourceFactory(_ => new FakeRxSource(_ => 1000)));

        var verdict = await ProbeAsync(IPAddress.Parse(address), "lo", dependencies: dependencies);

        Assert.Equal(ProbeOutcome.Error, verdict.Outcome);
        Assert.Equal(ProbeErrorKind.NoIcmpPermission, verdict.Error?.Kind);
        Assert.Contains("ping_group_range", verdict.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("CAP_NET_RAW", verdict.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, verdict.EchoesSent);
    }

    [NetnsFact]
    public async Task Probe_MtuLargerThanLink_SendFailed()
    {
        var lab = Lab(GatewayBehaviour.Answers);

        // The veth MTU is 1500; a 9000-byte echo with DF set cannot leave.
        var verdict = await ProbeAsync(lab.Gateway4, lab.RootLink, mtu: 9000);

        Assert.Equal(ProbeErrorKind.SendFailed, verdict.Error?.Kind);
    }

    [NetnsFact]
    public async Task Probe_NoInterfaceGiven_DefaultSourceFindsTheVeth()
    {
        var lab = Lab(GatewayBehaviour.Answers);

        Assert.Equal(lab.RootLink, SysfsRxBytesSource.InterfaceTowards(lab.Gateway4));
        var verdict = await ProbeAsync(lab.Gateway4, interfaceName: null);
        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
    }

    [NetnsFact(needsNft: true)]
    public async Task ManyProbes_AnsweringDroppingAndDownGatewaysAtOnce_EachVerdictMatches()
    {
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

    [NetnsFact(needsNft: true)]
    public async Task Cancel_RealProbeDuringTicks_CancelledBeforeTheEnd()
    {
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

    [NetnsTheory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task UnprivilegedSocket_AllowedByPingGroupRange_ReplyMatchesKernelIdentifier(string address)
    {
        var lab = Lab(GatewayBehaviour.Answers, ipv6: true);
        lab.Sysctl("net.ipv4.ping_group_range=0 2147483647");
        var gateway = IPAddress.Parse(address);

        using var pinger = lab.InNamespace(() => IcmpEchoPinger.Open(gateway, 100, IcmpSocketMode.Unprivileged));
        await pinger.SendEchoAsync(1, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        Assert.Equal(IcmpSocketMode.Unprivileged, pinger.Mode);
        Assert.Equal(1, await pinger.ReceiveReplyAsync(timeout.Token));
    }

    [NetnsFact]
    public void UnprivilegedSocket_OutsidePingGroupRange_NoIcmpPermission()
    {
        var lab = Lab(GatewayBehaviour.Answers);
        lab.Sysctl("net.ipv4.ping_group_range=1 0");

        var error = Assert.Throws<FailoverException>(() =>
            lab.InNamespace(() => IcmpEchoPinger.Open(IPAddress.Loopback, 100, IcmpSocketMode.Unprivileged)));

        Assert.Equal(ProbeErrorKind.NoIcmpPermission, error.Kind);
    }

    [NetnsFact]
    public void AutoSocket_OutsidePingGroupRangeWithNamespacePrivileges_FallsBackToRaw()
    {
        // Whoever may create namespaces (CAP_SYS_ADMIN) here is root in this test setup, so raw works.
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

    private async Task<ProbeVerdict> ProbeAsync(IPAddress gateway, string? interfaceName, int mtu = 1400, FailoverDependencies? dependencies = null)
    {
        var probe = Sys.ActorOf(FailoverProbeActor.Props("real", FailoverSettings.Default, dependencies));
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
}

/// <summary>Namespace tests change routing; they run one class at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealIcmpCollection
{
    public const string Name = "Real ICMP in network namespaces";
}

/// <summary>Opens echo channels the way a test needs (in a namespace, with fewer privileges).</summary>
internal sealed class DelegatePingerFactory(Func<IPAddress, int, IEchoPinger> open) : IEchoPingerFactory
{
    public IEchoPinger Open(IPAddress gateway, int payloadLength) => open(gateway, payloadLength);
}
