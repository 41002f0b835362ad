using System.Diagnostics;
using System.Net;
using Akka.Actor;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.TestServer;
using Xunit.Abstractions;
using static EduVpnActors.Tests.ProxyGuard.ProxyGuardTesting;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>
/// Every hostile answer of the ProxyGuard double ends an attempt typed and within its deadline: the
/// not-a-ProxyGuard-server answers fail the tunnel (the reference's fatal errors), transport trouble
/// shows as Reconnecting with the reason (and TLS trouble fails after the configured number in a row).
/// </summary>
public sealed class ProxyGuardHostileServerTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit
{
    private const string Hocon = """
        eduvpn.proxyguard {
          handshake-timeout = 1s
          read-timeout = 1s
          backoff = [100ms]
          max-consecutive-tls-failures = 2
        }
        """;

    /// <summary>The attempt's own deadline (1 s here) plus room for a loaded machine.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(6);

    [Theory]
    [InlineData(ProxyGuardServerMode.WrongStatus, ProxyGuardPhase.Failed, ProxyGuardErrorKind.UnexpectedStatus)]
    [InlineData(ProxyGuardServerMode.MissingUpgrade, ProxyGuardPhase.Failed, ProxyGuardErrorKind.BadUpgradeHeader)]
    [InlineData(ProxyGuardServerMode.WrongUpgrade, ProxyGuardPhase.Failed, ProxyGuardErrorKind.BadUpgradeHeader)]
    [InlineData(ProxyGuardServerMode.MissingConnection, ProxyGuardPhase.Failed, ProxyGuardErrorKind.BadConnectionHeader)]
    [InlineData(ProxyGuardServerMode.WrongConnection, ProxyGuardPhase.Failed, ProxyGuardErrorKind.BadConnectionHeader)]
    [InlineData(ProxyGuardServerMode.Http2Only, ProxyGuardPhase.Reconnecting, ProxyGuardErrorKind.TlsFailed)]
    [InlineData(ProxyGuardServerMode.SilentAfterAccept, ProxyGuardPhase.Reconnecting, ProxyGuardErrorKind.HandshakeTimeout)]
    [InlineData(ProxyGuardServerMode.SlowDrip, ProxyGuardPhase.Reconnecting, ProxyGuardErrorKind.HandshakeTimeout)]
    [InlineData(ProxyGuardServerMode.ResetMidFrame, ProxyGuardPhase.Reconnecting, ProxyGuardErrorKind.ConnectionReset)]
    [InlineData(ProxyGuardServerMode.LengthPrefixTooLarge, ProxyGuardPhase.Reconnecting, ProxyGuardErrorKind.TruncatedFrame)]
    public async Task HostileServer_EndsTypedWithinTheDeadline(ProxyGuardServerMode mode, ProxyGuardPhase phase, ProxyGuardErrorKind kind)
    {
        await using var server = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Mode = mode });

        var (change, elapsed) = await RunUntilAsync(server.Url, ProxyGuardPhase.Failed, ProxyGuardPhase.Reconnecting);

        output.WriteLine($"{mode}: {change.Phase} {change.Error?.Kind} after {elapsed.TotalMilliseconds:0} ms: {change.Error?.Message}");
        Assert.Equal(phase, change.Phase);
        Assert.Equal(kind, change.Error!.Kind);
        Assert.InRange(elapsed, TimeSpan.Zero, Deadline);
        Assert.Equal(phase == ProxyGuardPhase.Failed, change.Error.IsFatal);
    }

    [Fact]
    public async Task Http2OnlyServer_TlsFailuresInARow_FailsAfterTheLimit()
    {
        await using var server = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Mode = ProxyGuardServerMode.Http2Only });

        var (change, elapsed) = await RunUntilAsync(server.Url, ProxyGuardPhase.Failed);

        Assert.Equal(ProxyGuardErrorKind.TlsFailed, change.Error!.Kind);
        Assert.Equal(2, change.Attempt);
        Assert.Contains("2 TLS failures in a row", change.Error.Message, StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.Zero, 2 * Deadline);
    }

    [Fact]
    public async Task CertificateForAnotherHost_TlsFailed()
    {
        await using var server = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Certificate = TestCertificate.WrongHostCertificate });

        var (change, _) = await RunUntilAsync(server.Url, ProxyGuardPhase.Reconnecting);

        Assert.Equal(ProxyGuardErrorKind.TlsFailed, change.Error!.Kind);
        Assert.Equal(1, change.Attempt);
    }

    [Fact]
    public async Task NothingListens_ConnectFailed_Retried()
    {
        var port = Support.Loopback.FreeIpv4Port();

        var (change, elapsed) = await RunUntilAsync(new Uri($"https://127.0.0.1:{port}/proxyguard"), ProxyGuardPhase.Reconnecting);

        Assert.Equal(ProxyGuardErrorKind.ConnectFailed, change.Error!.Kind);
        Assert.Equal(TimeSpan.FromMilliseconds(100), change.RetryIn);
        Assert.InRange(elapsed, TimeSpan.Zero, Deadline);
    }

    [Fact]
    public async Task ServerSilentAfterTheUpgrade_ReadTimeout()
    {
        // The double forwards to a UDP port that never answers: nothing comes back over the connection.
        using var blackHole = new FakeWireGuard();
        await using var server = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Forward = blackHole.EndPoint });

        var (change, elapsed) = await RunUntilAsync(server.Url, ProxyGuardPhase.Reconnecting);

        Assert.Equal(ProxyGuardErrorKind.ReadTimeout, change.Error!.Kind);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(0.9), Deadline);
    }

    /// <summary>Starts a proxy to <paramref name="peer"/>, sends one datagram, waits for one of <paramref name="phases"/>.</summary>
    private async Task<(ProxyGuardStateChanged Change, TimeSpan Elapsed)> RunUntilAsync(Uri peer, params ProxyGuardPhase[] phases)
    {
        using var wireGuard = new FakeWireGuard();
        var proxy = Sys.ActorOf(ProxyGuardActor.Props(Settings(Hocon), Options));
        var states = CreateTestProbe();
        proxy.Tell(new SubscribeProxyGuardState(states));
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", peer.ToString(), PeerIps: [IPAddress.Loopback]), wireGuard);
        var clock = Stopwatch.StartNew();
        wireGuard.Send(ready.ListenPort, Datagram(1, 148));
        var change = await states.FishForMessageAsync<ProxyGuardStateChanged>(c => phases.Contains(c.Phase), Wait);
        return (change, clock.Elapsed);
    }
}
