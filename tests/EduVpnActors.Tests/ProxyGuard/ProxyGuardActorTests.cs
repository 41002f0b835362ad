using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Akka.Actor;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.TestServer;
using static EduVpnActors.Tests.ProxyGuard.ProxyGuardTesting;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>One proxy against the ProxyGuard double (https, the test certificate): set-up, the lazy tunnel, the wire, the ports.</summary>
public sealed class ProxyGuardActorTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly FakeWireGuard _wireGuard = new();
    private ProxyGuardTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ProxyGuardTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _wireGuard.Dispose();
    }

    [Fact]
    public async Task SetUp_LocalhostAndPortZero_AFreePortBoundAndEveryAddressOfThePeer()
    {
        var proxy = Proxy();

        var ready = Assert.IsType<ProxyGuardReady>(await proxy.Ask<object>(new SetUpProxyGuard("s1", _server.Url.ToString()), Wait));

        Assert.Equal("s1", ready.RequestId);
        Assert.InRange(ready.ListenPort, 1, 65535);
        Assert.Contains(IPAddress.Loopback, ready.PeerIps);
        Assert.Equal((await Dns.GetHostAddressesAsync("localhost")).Distinct(), ready.PeerIps);
        Assert.False(UdpPortFree(ready.ListenPort), "the listen port is bound");
        Assert.Equal(0, _server.Connections);
    }

    [Fact]
    public async Task SetUp_PeerIsAnAddressOrIpsGiven_NothingResolved()
    {
        var resolves = 0;
        var options = Options with { Resolve = (_, _) => { Interlocked.Increment(ref resolves); return Task.FromResult(Array.Empty<IPAddress>()); } };

        var literal = Assert.IsType<ProxyGuardReady>(await Proxy(options: options).Ask<object>(new SetUpProxyGuard("a", _server.UrlFor("127.0.0.1").ToString()), Wait));
        var given = Assert.IsType<ProxyGuardReady>(await Proxy(options: options).Ask<object>(
            new SetUpProxyGuard("b", _server.Url.ToString(), PeerIps: [IPAddress.Parse("127.0.0.1")]), Wait));

        Assert.Equal([IPAddress.Loopback], literal.PeerIps);
        Assert.Equal([IPAddress.Loopback], given.PeerIps);
        Assert.Equal(0, resolves);
    }

    [Fact]
    public async Task SetUp_DnsFails_DnsFailedAndThePortIsFreeAgain()
    {
        var port = FreeUdpPort();
        var options = Options with { Resolve = (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)) };

        var failed = Assert.IsType<ProxyGuardSetUpFailed>(await Proxy(options: options).Ask<object>(new SetUpProxyGuard("s", "https://vpn.example.invalid/proxyguard", port), Wait));

        Assert.Equal(ProxyGuardErrorKind.DnsFailed, failed.Error.Kind);
        Assert.Contains("vpn.example.invalid", failed.Error.Message, StringComparison.Ordinal);
        Assert.True(UdpPortFree(port));
    }

    [Fact]
    public async Task SetUp_ResolverNeverAnswers_DnsFailedWithinTheResolveTimeout()
    {
        var options = Options with { Resolve = (_, _) => new TaskCompletionSource<IPAddress[]>().Task };
        var proxy = Proxy(Settings("eduvpn.proxyguard.resolve-timeout = 300ms"), options);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var failed = Assert.IsType<ProxyGuardSetUpFailed>(await proxy.Ask<object>(new SetUpProxyGuard("s", "https://vpn.example.org/proxyguard"), Wait));

        Assert.Equal(ProxyGuardErrorKind.DnsFailed, failed.Error.Kind);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        // Set-up may be tried again once it failed.
        Assert.IsType<ProxyGuardReady>(await proxy.Ask<object>(new SetUpProxyGuard("again", _server.UrlFor("127.0.0.1").ToString()), Wait));
    }

    [Theory]
    [InlineData("ftp://vpn.example.org/", 0, 0, 0, ProxyGuardErrorKind.InvalidPeerUrl)]
    [InlineData("https://vpn.example.org/", -1, 0, 0, ProxyGuardErrorKind.InvalidArgument)]
    [InlineData("https://vpn.example.org/", 70000, 0, 0, ProxyGuardErrorKind.InvalidArgument)]
    [InlineData("https://vpn.example.org/", 0, 65536, 0, ProxyGuardErrorKind.InvalidArgument)]
    [InlineData("https://vpn.example.org/", 0, 0, -5, ProxyGuardErrorKind.InvalidArgument)]
    public async Task SetUp_BadArguments_Typed(string peer, int listenPort, int sourcePort, int fwmark, ProxyGuardErrorKind kind)
    {
        var failed = Assert.IsType<ProxyGuardSetUpFailed>(await Proxy().Ask<object>(new SetUpProxyGuard("s", peer, listenPort, sourcePort, fwmark), Wait));

        Assert.Equal(kind, failed.Error.Kind);
    }

    [Fact]
    public async Task SetUp_ListenPortTaken_ListenPortUnavailable()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        var failed = Assert.IsType<ProxyGuardSetUpFailed>(await Proxy().Ask<object>(new SetUpProxyGuard("s", _server.Url.ToString(), port), Wait));

        Assert.Equal(ProxyGuardErrorKind.ListenPortUnavailable, failed.Error.Kind);
    }

    [Fact]
    public async Task Requests_OutOfPhase_RefusedTypedNothingChanged()
    {
        var proxy = Proxy();

        var early = Assert.IsType<ProxyGuardRequestRefused>(await proxy.Ask<object>(new StartProxyGuardTunnel("early", _wireGuard.Port), Wait));
        Assert.Equal(ProxyGuardErrorKind.InvalidState, early.Error.Kind);
        Assert.IsType<ProxyGuardReady>(await proxy.Ask<object>(new SetUpProxyGuard("s", _server.Url.ToString()), Wait));
        var twice = Assert.IsType<ProxyGuardSetUpFailed>(await proxy.Ask<object>(new SetUpProxyGuard("s2", _server.Url.ToString()), Wait));
        Assert.Equal(ProxyGuardErrorKind.InvalidState, twice.Error.Kind);
        var badPort = Assert.IsType<ProxyGuardRequestRefused>(await proxy.Ask<object>(new StartProxyGuardTunnel("bad", 0), Wait));
        Assert.Equal(ProxyGuardErrorKind.InvalidArgument, badPort.Error.Kind);
        Assert.IsType<ProxyGuardTunnelStarted>(await proxy.Ask<object>(new StartProxyGuardTunnel("ok", _wireGuard.Port), Wait));
        var again = Assert.IsType<ProxyGuardRequestRefused>(await proxy.Ask<object>(new StartProxyGuardTunnel("again", _wireGuard.Port), Wait));
        Assert.Equal(ProxyGuardErrorKind.InvalidState, again.Error.Kind);
    }

    [Fact]
    public async Task Tunnel_NoTrafficYet_NoConnection_ThenTheFirstDatagramIsTheFirstFrame()
    {
        var proxy = Proxy();
        var states = CreateTestProbe();
        proxy.Tell(new SubscribeProxyGuardState(states));
        Assert.Equal(ProxyGuardPhase.NotSetUp, (await states.ExpectMsgAsync<ProxyGuardStateChanged>()).Phase);
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", _server.Url.ToString()), _wireGuard);
        await ExpectPhaseAsync(states, ProxyGuardPhase.WaitingForTraffic);

        await Task.Delay(1000);
        Assert.Equal(0, _server.Connections);

        var first = Datagram(1);
        _wireGuard.Send(ready.ListenPort, first);
        await ExpectPhaseAsync(states, ProxyGuardPhase.Connecting);
        var connected = await ExpectPhaseAsync(states, ProxyGuardPhase.Connected);
        var (echo, fromPort) = await _wireGuard.ReceiveWithSourceAsync(Wait);

        Assert.Equal(first, echo);
        Assert.Equal(ready.ListenPort, fromPort);
        Assert.Equal(1, connected.Attempt);
        Assert.Equal($"127.0.0.1:{_server.Port}", connected.Server);
        Assert.Equal(1, _server.FramesToUdp);
        Assert.Equal(1, _server.Connections);
    }

    [Fact]
    public async Task Tunnel_WireGuardSizedDatagrams_EchoedByteExactInOrder()
    {
        var proxy = Proxy();
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", _server.Url.ToString()), _wireGuard);
        int[] sizes = [1420, 148, 92, 32, 1, 1500, 65507, 8000, 1420];
        var sent = Enumerable.Range(0, 300).Select(i => Datagram(i, sizes[i % sizes.Length])).ToList();

        // UDP itself drops when a socket buffer overflows (about 208 KiB here): at most ~100 KB in flight.
        var received = new List<byte[]>();
        var receivedBytes = 0L;
        var receiving = Task.Run(async () =>
        {
            while (received.Count < sent.Count && await _wireGuard.ReceiveAsync(TimeSpan.FromSeconds(10)) is { } datagram)
            {
                lock (received)
                {
                    received.Add(datagram);
                    receivedBytes += datagram.Length;
                }
            }
        });
        var sentBytes = 0L;
        foreach (var datagram in sent)
        {
            while (sentBytes - Interlocked.Read(ref receivedBytes) > 100_000 && !receiving.IsCompleted)
            {
                await Task.Delay(1);
            }
            _wireGuard.Send(ready.ListenPort, datagram);
            sentBytes += datagram.Length;
        }
        await receiving;

        Assert.Equal(sent.Count, received.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            Assert.True(sent[i].AsSpan().SequenceEqual(received[i]), $"datagram {i} ({sent[i].Length} bytes) differs");
        }
        var state = await proxy.Ask<CurrentProxyGuardState>(new GetProxyGuardState("q"), Wait);
        Assert.Equal(300, state.State.Counters.DatagramsToServer);
        Assert.Equal(300, state.State.Counters.DatagramsFromServer);
        Assert.Equal(0, state.State.Counters.DroppedQueueFull);
    }

    [Fact]
    public async Task Handshake_OnTheWire_ExactRequestTls13AlpnHttp11AndSni()
    {
        var proxy = Proxy();
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", _server.UrlFor("localhost", "/proxyguard?profile=wg-tcp").ToString()), _wireGuard);

        _wireGuard.Send(ready.ListenPort, [1]);
        Assert.Equal([1], await _wireGuard.ReceiveAsync(Wait));

        var request = Assert.Single(_server.Requests);
        Assert.Equal(
            $"GET /proxyguard?profile=wg-tcp HTTP/1.1\r\nHost: localhost:{_server.Port}\r\nUser-Agent: EduVpnActors Tests/1.0 EduVpnActors/{ProxyGuardUserAgent.LibraryVersion}\r\n"
            + "Connection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n",
            request.Head);
        Assert.Equal("localhost", request.ServerName);
        Assert.Equal(SslProtocols.Tls13, request.TlsProtocol);
        Assert.Equal("http/1.1", request.Alpn);
    }

    [Fact]
    public async Task Handshake_FrameInTheSameSegmentAsThe101_DeliveredToWireGuard()
    {
        await using var greeting = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { GreetingAfterUpgrade = "hello"u8.ToArray() });
        var ready = await SetUpAndStartAsync(Proxy(), new SetUpProxyGuard("s", greeting.Url.ToString()), _wireGuard);

        _wireGuard.Send(ready.ListenPort, [1]);

        Assert.Equal("hello"u8.ToArray(), await _wireGuard.ReceiveAsync(Wait));
        Assert.Equal([1], await _wireGuard.ReceiveAsync(Wait));
    }

    [Fact]
    public async Task Dial_FirstAddressSilent_ConnectTimeoutThenTheNextAddressInOrder()
    {
        // A black hole on loopback: a listener on 127.0.0.3 at the double's port whose backlog is full drops new SYNs.
        using var blackHole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackHole.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), _server.Port));
        blackHole.Listen(0);
        var filling = new List<Socket>();
        for (var i = 0; i < 4; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                filler.Connect(new IPEndPoint(IPAddress.Parse("127.0.0.3"), _server.Port));
            }
            catch (SocketException)
            {
                // In progress, or dropped: either way the queue fills.
            }
            filling.Add(filler);
        }
        await Task.Delay(200);
        var hooked = new List<string>();
        var setUp = new SetUpProxyGuard("s", _server.Url.ToString(), PeerIps: [IPAddress.Parse("127.0.0.3"), IPAddress.Loopback],
            SocketSetup: socket => { lock (hooked) { hooked.Add(socket.AddressFamily.ToString()); } });
        var proxy = Proxy(Settings("eduvpn.proxyguard.connect-timeout = 500ms"));
        var states = CreateTestProbe();
        proxy.Tell(new SubscribeProxyGuardState(states));
        var ready = await SetUpAndStartAsync(proxy, setUp, _wireGuard);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        _wireGuard.Send(ready.ListenPort, [5]);

        var connected = await ExpectPhaseAsync(states, ProxyGuardPhase.Connected);
        Assert.Equal($"127.0.0.1:{_server.Port}", connected.Server);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(450), $"connected after {clock.Elapsed.TotalMilliseconds} ms: 127.0.0.3 was not tried first");
        Assert.Equal(2, hooked.Count);
        Assert.Equal([5], await _wireGuard.ReceiveAsync(Wait));
        filling.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task Tunnel_PlainHttpPeer_LikeABareProxyGuardServer()
    {
        await using var plain = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Tls = false });
        var ready = await SetUpAndStartAsync(Proxy(), new SetUpProxyGuard("s", plain.UrlFor("127.0.0.1").ToString()), _wireGuard);

        _wireGuard.Send(ready.ListenPort, "hello"u8);

        Assert.Equal("hello"u8.ToArray(), await _wireGuard.ReceiveAsync(Wait));
        Assert.Null(Assert.Single(plain.Requests).TlsProtocol);
    }

    [Fact]
    public async Task SocketOptions_HookSeesEverySocketBeforeConnect_SourcePortBound_FwmarkSet()
    {
        var sourcePort = FreeTcpPort();
        var hooked = new List<(bool Connected, int LocalPort, int Mark)>();
        var proxy = Proxy();
        var setUp = new SetUpProxyGuard("s", _server.UrlFor("127.0.0.1").ToString(), TcpSourcePort: sourcePort, Fwmark: 0x2a,
            PeerIps: [IPAddress.Parse("127.0.0.1")],
            SocketSetup: socket =>
            {
                var mark = new byte[4];
                socket.GetRawSocketOption(1, 36, mark);
                lock (hooked)
                {
                    hooked.Add((socket.Connected, ((IPEndPoint)socket.LocalEndPoint!).Port, BitConverter.ToInt32(mark)));
                }
            });
        var ready = await SetUpAndStartAsync(proxy, setUp, _wireGuard);

        _wireGuard.Send(ready.ListenPort, [7, 7]);
        Assert.Equal([7, 7], await _wireGuard.ReceiveAsync(Wait));

        var (connected, localPort, socketMark) = Assert.Single(hooked);
        Assert.False(connected);
        Assert.Equal(sourcePort, localPort);
        Assert.Equal(0x2a, socketMark);
        Assert.Equal(sourcePort, Assert.Single(_server.Requests).Remote!.Port);
    }

    [Fact]
    public async Task SocketHook_Throws_ReconnectingWithSocketHookFailed()
    {
        var proxy = Proxy();
        var states = CreateTestProbe();
        proxy.Tell(new SubscribeProxyGuardState(states));
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", _server.UrlFor("127.0.0.1").ToString(),
            SocketSetup: _ => throw new InvalidOperationException("protect() refused")), _wireGuard);

        _wireGuard.Send(ready.ListenPort, [1]);

        var reconnecting = await ExpectPhaseAsync(states, ProxyGuardPhase.Reconnecting);
        Assert.Equal(ProxyGuardErrorKind.SocketHookFailed, reconnecting.Error!.Kind);
        Assert.Contains("protect() refused", reconnecting.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _server.Connections);
    }

    [Fact]
    public async Task Stop_WhileConnected_BothPortsFreeAtOnce_StoppedPublished_ActorGone()
    {
        var sourcePort = FreeTcpPort();
        var proxy = Proxy();
        var states = CreateTestProbe();
        proxy.Tell(new SubscribeProxyGuardState(states));
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", _server.UrlFor("127.0.0.1").ToString(), TcpSourcePort: sourcePort), _wireGuard);
        _wireGuard.Send(ready.ListenPort, [1]);
        Assert.Equal([1], await _wireGuard.ReceiveAsync(Wait));
        Watch(proxy);

        Assert.IsType<ProxyGuardStopped>(await proxy.Ask<object>(new StopProxyGuard("stop"), Wait));

        // Both free at once: the UDP port, and the TCP source port without SO_REUSEADDR (no TIME_WAIT after a reset).
        Assert.True(UdpPortFree(ready.ListenPort));
        Assert.True(TcpPortFree(sourcePort));
        await ExpectPhaseAsync(states, ProxyGuardPhase.Stopped);
        await ExpectTerminatedAsync(proxy);
    }

    [Fact]
    public async Task StoppedByItsParent_PortFreedAndStoppedPublished()
    {
        var proxy = Proxy();
        var states = CreateTestProbe();
        proxy.Tell(new SubscribeProxyGuardState(states));
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", _server.Url.ToString()), _wireGuard);

        Sys.Stop(proxy);

        await ExpectPhaseAsync(states, ProxyGuardPhase.Stopped);
        await Support.Eventually.HoldsAsync(() => UdpPortFree(ready.ListenPort), Wait, "the listen port stays bound");
    }

    [Fact]
    public async Task WireGuardRestarts_PortUnreachableMeanwhile_TunnelKeepsRunningAndDeliversAgain()
    {
        // The server side is a UDP socket of the test's own (the double forwards there), so it can send at will.
        using var serverSide = new FakeWireGuard();
        await using var server = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Forward = serverSide.EndPoint });
        var wireGuardPort = _wireGuard.Port;
        var proxy = Proxy();
        var ready = await SetUpAndStartAsync(proxy, new SetUpProxyGuard("s", server.Url.ToString()), _wireGuard);
        _wireGuard.Send(ready.ListenPort, [1]);
        var (first, doublePort) = await serverSide.ReceiveWithSourceAsync(Wait);
        Assert.Equal([1], first);
        var towardsClient = new IPEndPoint(IPAddress.Loopback, doublePort);

        // WireGuard goes away: what the server sends meets a closed port (ICMP port unreachable).
        _wireGuard.Dispose();
        for (byte i = 0; i < 5; i++)
        {
            serverSide.SendTo(towardsClient, [i]);
            await Task.Delay(20);
        }
        using var restarted = new FakeWireGuard(wireGuardPort);
        serverSide.SendTo(towardsClient, [42]);

        Assert.Equal([42], await restarted.ReceiveAsync(Wait));
        var state = await proxy.Ask<CurrentProxyGuardState>(new GetProxyGuardState("q"), Wait);
        Assert.Equal(ProxyGuardPhase.Connected, state.State.Phase);
        Assert.Equal(1, state.State.Attempt);
    }

    private IActorRef Proxy(ProxyGuardSettings? settings = null, ProxyGuardOptions? options = null) =>
        Sys.ActorOf(ProxyGuardActor.Props(settings ?? Settings(), options ?? Options));

    private static async Task<ProxyGuardStateChanged> ExpectPhaseAsync(Akka.TestKit.TestProbe states, ProxyGuardPhase phase) =>
        await states.FishForMessageAsync<ProxyGuardStateChanged>(change => change.Phase == phase, Wait);

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static int FreeTcpPort() => Support.Loopback.FreeIpv4Port();
}
