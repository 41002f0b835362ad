using System.Diagnostics;
using System.Net;
using Akka.Actor;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.TestServer;
using EduVpnActors.Tests.Support;
using Xunit.Abstractions;
using static EduVpnActors.Tests.ProxyGuard.ProxyGuardTesting;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>CPU is measured for the whole process: nothing else may run meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCpuCollection
{
    public const string Name = "Process CPU measurements";
}

/// <summary>
/// No busy loop in any waiting phase (the reference spins at ~90 % of a core while it waits for
/// traffic): the process's CPU time over a quiet window must stay below 5 % of the window's wall time,
/// waiting for traffic, waiting on a silent server, connected without traffic, and backing off. The
/// runtime's background tier-up compilation of methods used during the set-up is not counted: on a busy
/// machine it alone can take a second, and it is not the proxy's doing.
/// </summary>
[Collection(ProcessCpuCollection.Name)]
public sealed class ProxyGuardIdleCpuTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    private const double MaxShare = 0.05;

    [Fact]
    public async Task WaitingForTraffic_NoBusyLoop()
    {
        await using var server = await ProxyGuardTestServer.StartAsync();
        var baseline = await BaselineAsync();
        using var run = await StartAsync(server.Url, "");
        await run.ExpectAsync(ProxyGuardPhase.WaitingForTraffic);

        await AssertQuietAsync("waiting for traffic", baseline);
        Assert.Equal(ProxyGuardPhase.WaitingForTraffic, await run.PhaseAsync());
    }

    [Fact]
    public async Task SilentServer_WaitingForTheUpgrade_NoBusyLoop()
    {
        await using var server = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Mode = ProxyGuardServerMode.SilentAfterAccept });
        var baseline = await BaselineAsync();
        using var run = await StartAsync(server.Url, "eduvpn.proxyguard.handshake-timeout = 60s");
        run.Send();
        await run.ExpectAsync(ProxyGuardPhase.Connecting);
        await Eventually.HoldsAsync(() => server.Requests.Count == 1, Wait, "the request never arrived");

        await AssertQuietAsync("silent server", baseline);
        Assert.Equal(ProxyGuardPhase.Connecting, await run.PhaseAsync());
    }

    [Fact]
    public async Task ConnectedWithoutTraffic_NoBusyLoop()
    {
        await using var server = await ProxyGuardTestServer.StartAsync();
        var baseline = await BaselineAsync();
        using var run = await StartAsync(server.Url, "eduvpn.proxyguard.read-timeout = 60s");
        run.Send();
        await run.ExpectAsync(ProxyGuardPhase.Connected);
        await Eventually.HoldsAsync(() => server.FramesToClient == 1, Wait, "no echo");

        await AssertQuietAsync("connected, no traffic", baseline);
        Assert.Equal(ProxyGuardPhase.Connected, await run.PhaseAsync());
    }

    [Fact]
    public async Task BackingOff_NoBusyLoop()
    {
        var baseline = await BaselineAsync();
        using var run = await StartAsync(new Uri($"https://127.0.0.1:{Loopback.FreeIpv4Port()}/proxyguard"), "eduvpn.proxyguard.backoff = [60s]");
        run.Send();
        await run.ExpectAsync(ProxyGuardPhase.Reconnecting);

        await AssertQuietAsync("backing off", baseline);
        Assert.Equal(ProxyGuardPhase.Reconnecting, await run.PhaseAsync());
    }

    private async Task<Run> StartAsync(Uri peer, string hocon)
    {
        var wireGuard = new FakeWireGuard();
        var proxy = Sys.ActorOf(ProxyGuardActor.Props(Settings(hocon), Options));
        var states = CreateTestProbe();
        proxy.Tell(new SubscribeProxyGuardState(states));
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", peer.ToString(), PeerIps: [IPAddress.Loopback]), wireGuard);
        return new Run(proxy, states, wireGuard, ready.ListenPort);
    }

    /// <summary>
    /// The process's share of a core with nothing of the proxy running yet, but with Akka's scheduler
    /// ticking (its wheel turns 100 times a second once anything is scheduled, as in every engine).
    /// </summary>
    private async Task<double> BaselineAsync()
    {
        Sys.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromMinutes(10), TestActor, "never", ActorRefs.NoSender);
        await Task.Delay(300);
        var (share, _, _) = await MeasureAsync(TimeSpan.FromSeconds(2));
        return share;
    }

    private async Task AssertQuietAsync(string what, double baseline)
    {
        // Let the start-up's own work (TLS, the first timers) settle first.
        await Task.Delay(300);
        var (share, jit, busiest) = await MeasureAsync(Window);
        Figures.Report(output, $"ProxyGuard idle CPU, {what}: {share:P1} of one core (the whole test process; {baseline:P1} before the proxy started; "
            + $"the JIT's background tiering, {jit.TotalMilliseconds:0} ms, not counted)");
        Assert.True(share - baseline < MaxShare, $"{what}: {share:P1} of a core (baseline {baseline:P1}); busiest threads: {busiest}");
    }

    private static async Task<(double Share, TimeSpan Jit, string Busiest)> MeasureAsync(TimeSpan window)
    {
        var before = ThreadCpu.Sample();
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var after = ThreadCpu.Sample();
        var (counted, jit) = after.Since(before);
        return (counted / clock.Elapsed, jit, after.Busiest(before));
    }

    /// <summary>A started proxy, its state probe and its WireGuard.</summary>
    private sealed record Run(IActorRef Proxy, Akka.TestKit.TestProbe States, FakeWireGuard WireGuard, int ListenPort) : IDisposable
    {
        public void Send() => WireGuard.Send(ListenPort, Datagram(1, 148));

        public async Task ExpectAsync(ProxyGuardPhase phase) =>
            await States.FishForMessageAsync<ProxyGuardStateChanged>(c => c.Phase == phase, Wait);

        public async Task<ProxyGuardPhase> PhaseAsync() =>
            (await Proxy.Ask<CurrentProxyGuardState>(new GetProxyGuardState("q"), Wait)).State.Phase;

        public void Dispose() => WireGuard.Dispose();
    }
}


/// <summary>CPU time of this process's threads from <c>/proc/self/task</c>, the JIT's tiering thread apart.</summary>
internal sealed class ThreadCpu
{
    private const string TieringThread = ".NET Tiered Com";
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10); // USER_HZ = 100 on Linux

    private readonly Dictionary<string, (string Name, long Ticks)> _threads;

    private ThreadCpu(Dictionary<string, (string Name, long Ticks)> threads) => _threads = threads;

    public static ThreadCpu Sample()
    {
        var threads = new Dictionary<string, (string, long)>();
        foreach (var directory in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                // Fields 14 and 15 of stat(5): utime and stime, in clock ticks.
                threads[Path.GetFileName(directory)] = (name, long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                    + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return new ThreadCpu(threads);
    }

    /// <summary>The three threads that used the most CPU since <paramref name="earlier"/>, for a failure's text.</summary>
    public string Busiest(ThreadCpu earlier) => string.Join(", ", _threads
        .Select(t => (t.Value.Name, Used: t.Value.Ticks - (earlier._threads.TryGetValue(t.Key, out var before) ? before.Ticks : 0)))
        .OrderByDescending(t => t.Used).Take(3).Select(t => $"{t.Name} {(Tick * t.Used).TotalMilliseconds:0} ms"));

    /// <summary>CPU used since <paramref name="earlier"/>: by all threads but the tiering one, and by that one.</summary>
    public (TimeSpan Counted, TimeSpan Tiering) Since(ThreadCpu earlier)
    {
        long counted = 0, tiering = 0;
        foreach (var (id, (name, ticks)) in _threads)
        {
            var used = ticks - (earlier._threads.TryGetValue(id, out var before) ? before.Ticks : 0);
            if (name == TieringThread)
            {
                tiering += used;
            }
            else
            {
                counted += used;
            }
        }
        return (Tick * counted, Tick * tiering);
    }
}
