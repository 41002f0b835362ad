using System.Buffers.Binary;
using System.Collections.Concurrent;
using Akka.Actor;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.TestServer;
using EduVpnActors.Tests.Support;
using Xunit.Abstractions;
using static EduVpnActors.Tests.ProxyGuard.ProxyGuardTesting;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>
/// The server double is killed mid-stream (every connection reset, nothing listening) and started again
/// on its port: the proxy shows Reconnecting with the reason, connects again, and loses no datagram
/// that WireGuard sends after the reconnect (the reference's stale reader swallowed the first two).
/// </summary>
public sealed class ProxyGuardReconnectTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task ServerKilledMidStream_ReconnectsOnItsOwn_NoDatagramLostAfterTheReconnect()
    {
        await using var server = await ProxyGuardTestServer.StartAsync();
        using var wireGuard = new FakeWireGuard();
        var proxy = Sys.ActorOf(ProxyGuardActor.Props(Settings("eduvpn.proxyguard.backoff = [200ms, 300ms]"), Options));
        var states = CreateTestProbe();
        proxy.Tell(new SubscribeProxyGuardState(states));
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", server.Url.ToString()), wireGuard);

        var echoed = new ConcurrentDictionary<int, bool>();
        using var stop = new CancellationTokenSource();
        var receiving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await wireGuard.ReceiveAsync(TimeSpan.FromMilliseconds(200)) is { } datagram)
                {
                    echoed[BinaryPrimitives.ReadInt32BigEndian(datagram)] = true;
                }
            }
        });
        var next = 0;
        var sending = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                wireGuard.Send(ready.ListenPort, Datagram(Interlocked.Increment(ref next), 1420));
                await Task.Delay(5);
            }
        });

        await Eventually.HoldsAsync(() => echoed.Count >= 50, Wait, "no traffic before the kill");
        var beforeKill = Volatile.Read(ref next);
        await server.KillAsync();
        var reconnecting = await states.FishForMessageAsync<ProxyGuardStateChanged>(c => c.Phase == ProxyGuardPhase.Reconnecting, Wait);
        await Task.Delay(300);
        await server.RestartAsync();
        var connected = await states.FishForMessageAsync<ProxyGuardStateChanged>(c => c.Phase == ProxyGuardPhase.Connected, Wait);
        var afterReconnect = Volatile.Read(ref next) + 1;
        await Eventually.HoldsAsync(() => Volatile.Read(ref next) >= afterReconnect + 100, Wait, "the sender stalled");
        var last = Volatile.Read(ref next);
        await Eventually.HoldsAsync(() => Enumerable.Range(afterReconnect, last - afterReconnect + 1).All(echoed.ContainsKey), Wait,
            "a datagram sent after the reconnect never came back");
        await stop.CancelAsync();
        await Task.WhenAll(sending, receiving);

        Assert.Contains(reconnecting.Error!.Kind, new[] { ProxyGuardErrorKind.ConnectionReset, ProxyGuardErrorKind.ConnectionClosed });
        Assert.NotNull(reconnecting.RetryIn);
        Assert.True(connected.Attempt >= 2);
        var outage = Enumerable.Range(beforeKill, afterReconnect - beforeKill);
        var counters = (await proxy.Ask<CurrentProxyGuardState>(new GetProxyGuardState("q"), Wait)).State.Counters;
        Figures.Report(output, $"ProxyGuard reconnect: killed after {beforeKill} datagrams, reconnected on attempt {connected.Attempt} "
            + $"({reconnecting.Error.Kind}, retry in {reconnecting.RetryIn!.Value.TotalMilliseconds:0} ms); "
            + $"{last - afterReconnect + 1} sent after the reconnect, 0 lost; {outage.Count(echoed.ContainsKey)} of {outage.Count()} sent during the outage delivered; "
            + $"{counters.DroppedQueueFull} dropped from a full queue");
    }
}
