using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.TestServer;

namespace EduVpnActors.Benchmarks.ProxyGuard;

/// <summary>
/// <c>dotnet run -c Release --project tests/EduVpnActors.Benchmarks -- proxyguard [seconds]</c>: the ProxyGuard
/// client on loopback against the Kestrel double (https, TLS 1.3) and its UDP echo, beside a direct UDP
/// echo without the proxy (the floor). The double and both echoes run in a child process
/// (<c>proxyguard-server</c>), so this process's CPU time and allocations are the client's and the
/// load generator's (whose loops allocate nothing). Prints throughput (1420-byte datagrams, 64 in
/// flight), round trips (64 B and 1420 B, one in flight), CPU per MB, allocations per 1,000 datagrams
/// and memory per idle tunnel.
/// </summary>
internal static class ProxyGuardBenchmark
{
    private const int InFlight = 64;
    private const int RoundTrips = 5000;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        using var child = ServerProcess.Start();
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(EngineConfiguration.Defaults());
        using var system = ActorSystem.Create("proxyguard-bench", config);
        var settings = ProxyGuardSettings.FromConfig(config);
        var options = new ProxyGuardOptions(ProxyGuardUserAgent.For("EduVpnActors Benchmarks", "1.0")) { ExtraTrustedCertificate = child.Certificate };
        var peer = $"https://localhost:{child.ProxyGuardPort}/proxyguard";

        using var direct = Endpoint.Connect(child.EchoPort);
        using var proxied = await Endpoint.ThroughProxyAsync(system, settings, options, peer);
        using var plain = await Endpoint.ThroughProxyAsync(system, settings, options, $"http://127.0.0.1:{child.PlainPort}/proxyguard");
        var background = await BackgroundAllocationRateAsync();

        Console.WriteLine($"ProxyGuard on loopback, {Environment.ProcessorCount} cores, load average {LoadAverage()}; {seconds:0.#} s per throughput run");
        Console.WriteLine($"allocations: this process allocates {background:0} B/s with no traffic at all (Akka's scheduler, timers); that rate is subtracted");
        Console.WriteLine("| path | throughput (1420 B, 64 in flight) | datagrams/s | RTT 64 B p50 / p99 | RTT 1420 B p50 / p99 | CPU per MB | allocated per 1,000 datagrams |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var floor = await MeasureAsync("direct UDP echo (floor)", direct, seconds, background);
        var proxy = await MeasureAsync("ProxyGuard, https (TLS 1.3)", proxied, seconds, background);
        await MeasureAsync("ProxyGuard, plain http", plain, seconds, background);
        Console.WriteLine($"| ratio proxy / floor | {proxy.MegabytesPerSecond / floor.MegabytesPerSecond:0.00}x | | {proxy.Rtt64.P50 / floor.Rtt64.P50:0.0}x / {proxy.Rtt64.P99 / floor.Rtt64.P99:0.0}x "
            + $"| {proxy.Rtt1420.P50 / floor.Rtt1420.P50:0.0}x / {proxy.Rtt1420.P99 / floor.Rtt1420.P99:0.0}x | | |");

        var (waiting, connected) = await IdleMemoryAsync(system, settings, options, peer);
        Console.WriteLine();
        Console.WriteLine($"memory per idle tunnel (managed heap, after a full GC): waiting for traffic {waiting / 1024.0:0.0} KiB, connected without traffic {connected / 1024.0:0.0} KiB");
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        await system.Terminate();
        return 0;
    }

    /// <summary>The child process's side (<c>proxyguard-server</c>): the double and the floor's echo until stdin closes.</summary>
    public static Task<int> ServeAsync() => ServerProcess.ServeAsync();

    /// <summary>Bytes per second this process allocates while no datagram moves.</summary>
    private static async Task<double> BackgroundAllocationRateAsync()
    {
        await Task.Delay(500);
        var before = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        return (GC.GetTotalAllocatedBytes(true) - before) / clock.Elapsed.TotalSeconds;
    }

    private static async Task<Result> MeasureAsync(string name, Endpoint endpoint, double seconds, double background)
    {
        // Warm up at full speed (connection, JIT tiers, buffers), then measure.
        Throughput(endpoint, TimeSpan.FromSeconds(2));
        var rtt64 = RoundTripTimes(endpoint, 64);
        var rtt1420 = RoundTripTimes(endpoint, 1420);
        Throughput(endpoint, TimeSpan.FromSeconds(0.5));
        using var process = Process.GetCurrentProcess();
        var allocated = GC.GetTotalAllocatedBytes(true);
        var cpu = process.TotalProcessorTime;
        var (datagrams, elapsed) = Throughput(endpoint, TimeSpan.FromSeconds(seconds));
        process.Refresh();
        var cpuUsed = process.TotalProcessorTime - cpu;
        var allocatedBytes = Math.Max(0, GC.GetTotalAllocatedBytes(true) - allocated - (background * elapsed.TotalSeconds));
        await Task.Yield();

        var megabytes = datagrams * 1420 / 1e6;
        var result = new Result(megabytes / elapsed.TotalSeconds, datagrams / elapsed.TotalSeconds, rtt64, rtt1420);
        Console.WriteLine($"| {name} | {result.MegabytesPerSecond:0.0} MB/s | {result.DatagramsPerSecond:0} | {rtt64.P50:0.000} / {rtt64.P99:0.000} ms "
            + $"| {rtt1420.P50:0.000} / {rtt1420.P99:0.000} ms | {cpuUsed.TotalMilliseconds / megabytes:0.0} ms | {allocatedBytes * 1000.0 / datagrams:0} B |");
        return result;
    }

    /// <summary>Echoes of 1420-byte datagrams, 64 in flight, for <paramref name="duration"/>; lost ones are replaced after 50 ms.</summary>
    private static (long Datagrams, TimeSpan Elapsed) Throughput(Endpoint endpoint, TimeSpan duration)
    {
        var datagram = new byte[1420];
        var reply = new byte[65536];
        var clock = Stopwatch.StartNew();
        long received = 0;
        var inFlight = 0;
        while (clock.Elapsed < duration)
        {
            while (inFlight < InFlight)
            {
                endpoint.Socket.Send(datagram);
                inFlight++;
            }
            if (endpoint.Socket.Poll(50_000, SelectMode.SelectRead))
            {
                endpoint.Socket.Receive(reply);
                received++;
                inFlight--;
            }
            else
            {
                inFlight = 0;
            }
        }
        var elapsed = clock.Elapsed;
        endpoint.Drain();
        return (received, elapsed);
    }

    /// <summary>Round trips of one datagram at a time, in milliseconds.</summary>
    private static Percentiles RoundTripTimes(Endpoint endpoint, int size)
    {
        var datagram = new byte[size];
        var reply = new byte[65536];
        var times = new double[RoundTrips];
        for (var i = -200; i < RoundTrips; i++)
        {
            var start = Stopwatch.GetTimestamp();
            endpoint.Socket.Send(datagram);
            if (!endpoint.Socket.Poll(1_000_000, SelectMode.SelectRead))
            {
                i--;
                continue;
            }
            endpoint.Socket.Receive(reply);
            if (i >= 0)
            {
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        Array.Sort(times);
        return new Percentiles(times[RoundTrips / 2], times[(int)(RoundTrips * 0.99)]);
    }

    private static async Task<(double Waiting, double Connected)> IdleMemoryAsync(ActorSystem system, ProxyGuardSettings settings, ProxyGuardOptions options, string peer)
    {
        const int Tunnels = 50;
        var before = GC.GetTotalMemory(true);
        var endpoints = new List<Endpoint>();
        for (var i = 0; i < Tunnels; i++)
        {
            endpoints.Add(await Endpoint.ThroughProxyAsync(system, settings, options, peer));
        }
        var waiting = (GC.GetTotalMemory(true) - before) / (double)Tunnels;
        var reply = new byte[65536];
        foreach (var endpoint in endpoints)
        {
            endpoint.Socket.Send(new byte[148]);
            endpoint.Socket.ReceiveTimeout = 10_000;
            endpoint.Socket.Receive(reply);
        }
        await Task.Delay(500);
        var connected = (GC.GetTotalMemory(true) - before) / (double)Tunnels;
        foreach (var endpoint in endpoints)
        {
            endpoint.Dispose();
        }
        return (waiting, connected);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed record Percentiles(double P50, double P99);

    private sealed record Result(double MegabytesPerSecond, double DatagramsPerSecond, Percentiles Rtt64, Percentiles Rtt1420);

    /// <summary>WireGuard's side: a UDP socket connected to what it talks to (the echo, or the proxy's listen port).</summary>
    private sealed class Endpoint(Socket socket, IActorRef? proxy) : IDisposable
    {
        public Socket Socket { get; } = socket;

        public static Endpoint Connect(int port)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return new Endpoint(socket, null);
        }

        public static async Task<Endpoint> ThroughProxyAsync(ActorSystem system, ProxyGuardSettings settings, ProxyGuardOptions options, string peer)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var proxy = system.ActorOf(ProxyGuardActor.Props(settings, options));
            var ready = (ProxyGuardReady)await proxy.Ask<object>(new SetUpProxyGuard("bench", peer, PeerIps: [IPAddress.Loopback]), TimeSpan.FromSeconds(30));
            await proxy.Ask<object>(new StartProxyGuardTunnel("bench", ((IPEndPoint)socket.LocalEndPoint!).Port), TimeSpan.FromSeconds(30));
            socket.Connect(new IPEndPoint(IPAddress.Loopback, ready.ListenPort));
            return new Endpoint(socket, proxy);
        }

        public void Drain()
        {
            var buffer = new byte[65536];
            while (Socket.Poll(100_000, SelectMode.SelectRead))
            {
                Socket.Receive(buffer);
            }
        }

        public void Dispose()
        {
            proxy?.Tell(new StopProxyGuard("bench"));
            Socket.Dispose();
        }
    }

    /// <summary>The double and the floor's echo in a child process (this same program, <c>proxyguard-server</c>).</summary>
    private sealed class ServerProcess(Process process, int proxyGuardPort, int echoPort, X509Certificate2 certificate, int plainPort) : IDisposable
    {
        public int ProxyGuardPort { get; } = proxyGuardPort;

        /// <summary>A double without TLS (the bare proxyguard-server), to show what TLS costs.</summary>
        public int PlainPort { get; } = plainPort;

        public int EchoPort { get; } = echoPort;

        /// <summary>The child's TLS certificate (made in that process), trusted as an extra root here.</summary>
        public X509Certificate2 Certificate { get; } = certificate;

        public static ServerProcess Start()
        {
            var start = Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal)
                ? new ProcessStartInfo(Environment.ProcessPath, [typeof(ProxyGuardBenchmark).Assembly.Location, "proxyguard-server"])
                : new ProcessStartInfo(Environment.ProcessPath, ["proxyguard-server"]);
            start.RedirectStandardOutput = true;
            start.RedirectStandardInput = true;
            var process = Process.Start(start)!;
            var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the server process ended at once");
            var parts = line.Split(' ');
            return new ServerProcess(process, int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture),
                X509CertificateLoader.LoadCertificate(Convert.FromBase64String(parts[3])), int.Parse(parts[4], CultureInfo.InvariantCulture));
        }

        /// <summary>The child's side: serve until stdin closes.</summary>
        public static async Task<int> ServeAsync()
        {
            await using var server = await ProxyGuardTestServer.StartAsync();
            await using var plain = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Tls = false });
            using var echo = UdpEcho.Start();
            Console.WriteLine($"ready {server.Port} {echo.EndPoint.Port} {Convert.ToBase64String(TestCertificate.Certificate.RawData)} {plain.Port}");
            await Console.In.ReadToEndAsync();
            return 0;
        }

        public void Dispose()
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(5000))
            {
                process.Kill();
            }
            process.Dispose();
        }
    }
}
