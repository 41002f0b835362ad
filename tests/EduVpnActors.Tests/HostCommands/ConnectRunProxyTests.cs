using System.Globalization;
using System.Text.Json;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.Tests.ProxyGuard;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// <c>connect --run-proxy</c> as a real process: the portal double gives a WireGuard-over-TCP configuration whose
/// <c>ProxyEndpoint</c> is the ProxyGuard double (with its UDP echo); the written configuration points WireGuard at the
/// proxy's listen port; a UDP socket standing in for WireGuard on <c>--wireguard-port</c> gets its datagrams echoed
/// byte-exact; SIGINT and SIGTERM stop it cleanly (130, 143) with its ports freed; a fatal failure exits 7; a plain
/// configuration is written with a note and exit 0.
/// </summary>
public sealed class ConnectRunProxyTests : HostLabTestBase
{
    /// <summary>Generous: engine start, the configuration and the proxy on a loaded 2-core machine.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private static readonly Dictionary<string, string> English = new() { ["LC_ALL"] = "en_US.UTF-8" };

    [Fact]
    public async Task WireGuardOverTcp_ConfigurationPointsAtTheProxy_DatagramsEchoedByteExact_SigIntStopsCleanly()
    {
        await using var proxyGuard = await ProxyGuardTestServer.StartAsync();
        Lab.Portal.SetProfiles(PortalProfile.WireGuardTcp with { ProxyEndpoint = proxyGuard.Url.ToString() });
        await AddInstituteAsync();
        using var wireGuard = new FakeWireGuard();
        var file = Path.Combine(Lab.DataDirectory.Path, "wg0.conf");

        await using var run = Connect("--tcp", "--run-proxy", "--wireguard-port", Port(wireGuard.Port), "--output", file);
        var listenPort = ListenPortOf(await run.LineAsync(l => l.Contains("listening on", StringComparison.Ordinal)));
        await run.LineAsync(l => l.Contains("waiting for traffic", StringComparison.Ordinal));

        // eduvpn-common's rewrite: no ProxyEndpoint left, WireGuard's Endpoint on the proxy's listen port.
        var config = await File.ReadAllTextAsync(file);
        Assert.Contains($"Endpoint = 127.0.0.1:{listenPort}\n", config, StringComparison.Ordinal);
        Assert.DoesNotContain("ProxyEndpoint", config, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        for (var i = 0; i < 50; i++)
        {
            var datagram = ProxyGuardTesting.Datagram(i, i % 5 == 0 ? 148 : 1420);
            wireGuard.Send(listenPort, datagram);
            var (echo, from) = await wireGuard.ReceiveWithSourceAsync(Wait);
            Assert.Equal(datagram, echo);
            // From the listen port: a reply from anywhere else would make WireGuard roam its endpoint there.
            Assert.Equal(listenPort, from);
        }
        await run.LineAsync(l => l.Contains($"connected to 127.0.0.1:{proxyGuard.Port}", StringComparison.Ordinal));
        Assert.Equal(50, proxyGuard.FramesToUdp);

        run.Signal(2);

        await ExitsWithAsync(run, 130);
        Assert.EndsWith("proxyguard: stopped (SIGINT)", run.Stdout.TrimEnd(), StringComparison.Ordinal);
        Assert.True(ProxyGuardTesting.UdpPortFree(listenPort), "the listen port is still bound");
        Assert.Single(proxyGuard.Requests);
        HostOutputContractTests.AssertNoStackTrace(run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Json_SigTerm_ListenPortPicked_EndpointRewritten_OneDocumentAtTheEnd()
    {
        await using var proxyGuard = await ProxyGuardTestServer.StartAsync();
        Lab.Portal.SetProfiles(PortalProfile.WireGuardTcp with { ProxyEndpoint = proxyGuard.Url.ToString() });
        await AddInstituteAsync();
        using var wireGuard = new FakeWireGuard();
        var file = Path.Combine(Lab.DataDirectory.Path, "wg0.conf");

        // --run-proxy implies prefer TCP; --listen-port 0 lets the proxy pick, and the configuration follows it.
        await using var run = Connect("--json", "--run-proxy", "--listen-port", "0", "--wireguard-port", Port(wireGuard.Port), "--output", file);
        var listenPort = ListenPortOf(await run.LineAsync(l => l.Contains("listening on", StringComparison.Ordinal)));
        Assert.Contains($"Endpoint = 127.0.0.1:{listenPort}\n", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        var datagram = ProxyGuardTesting.Datagram(7, 1420);
        wireGuard.Send(listenPort, datagram);
        Assert.Equal(datagram, await wireGuard.ReceiveAsync(Wait));
        await run.LineAsync(l => l.Contains("connected to", StringComparison.Ordinal));
        Assert.Equal("", run.Stdout);

        run.Signal(15);

        await ExitsWithAsync(run, 143);
        using var document = JsonDocument.Parse(run.Stdout);
        var root = document.RootElement;
        Assert.Equal(143, root.GetProperty("exit_code").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
        Assert.Equal("wireguard+tcp", root.GetProperty("protocol").GetString());
        Assert.Equal("wg-tcp", root.GetProperty("profile").GetString());
        Assert.Equal(file, root.GetProperty("file").GetString());
        Assert.Equal(listenPort, root.GetProperty("proxy").GetProperty("listen_port").GetInt32());
        Assert.Equal(wireGuard.Port, root.GetProperty("proxy").GetProperty("wireguard_port").GetInt32());
        Assert.Equal(proxyGuard.Url.ToString(), root.GetProperty("proxy").GetProperty("peer").GetString());
        var phases = root.GetProperty("states").EnumerateArray().Select(s => s.GetProperty("phase").GetString()).ToList();
        Assert.Equal(["waiting_for_traffic", "connecting", "connected", "stopped"], phases.SkipWhile(p => p != "waiting_for_traffic"));
        Assert.Contains("ready", phases);
        Assert.Contains("proxyguard: stopped (SIGTERM)", run.Stderr, StringComparison.Ordinal);
        Assert.True(ProxyGuardTesting.UdpPortFree(listenPort), "the listen port is still bound");
    }

    [Fact]
    public async Task NotAProxyGuardServer_FatalExitSeven_TranslatedWithTheKind_StdoutHoldsOnlyTheConfiguration()
    {
        await using var proxyGuard = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Mode = ProxyGuardServerMode.WrongStatus });
        Lab.Portal.SetProfiles(PortalProfile.WireGuardTcp with { ProxyEndpoint = proxyGuard.Url.ToString() });
        await AddInstituteAsync();
        using var wireGuard = new FakeWireGuard();

        // Without --output the configuration is the result (`connect X --run-proxy > wg0.conf`): the proxy's lines go to stderr.
        await using var run = Connect("--tcp", "--run-proxy", "--wireguard-port", Port(wireGuard.Port));
        var listenPort = ListenPortOf(await run.LineAsync(l => l.Contains("listening on", StringComparison.Ordinal)));
        wireGuard.Send(listenPort, [1]);

        await ExitsWithAsync(run, 7);
        var text = ErrorTexts.For(ProxyGuardErrorKind.UnexpectedStatus, CultureInfo.GetCultureInfo("en"));
        Assert.Contains($"proxyguard: failed: {text} (UnexpectedStatus: the server answered 200", run.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("[Interface]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Endpoint = 127.0.0.1:{listenPort}\n", run.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("proxyguard:", run.Stdout, StringComparison.Ordinal);
        Assert.True(ProxyGuardTesting.UdpPortFree(listenPort), "the listen port is still bound");
        HostOutputContractTests.AssertNoStackTrace(run.Stdout + run.Stderr);
    }

    [Theory]
    [InlineData("wg-only")]
    [InlineData("ovpn-only")]
    public async Task PlainConfiguration_WrittenAsWithoutRunProxy_NoteAndExitZero(string profile)
    {
        Lab.Portal.SetProfiles(profile == "wg-only" ? PortalProfile.WireGuardOnly : PortalProfile.OpenVpnOnly);
        await AddInstituteAsync();
        var file = Path.Combine(Lab.DataDirectory.Path, "vpn.conf");

        await using var run = Connect("--json", "--tcp", "--run-proxy", "--output", file);

        await ExitsWithAsync(run, 0);
        using var document = JsonDocument.Parse(run.Stdout);
        var root = document.RootElement;
        Assert.Equal(profile == "wg-only" ? "wireguard" : "openvpn", root.GetProperty("protocol").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("proxy").ValueKind);
        Assert.Equal(file, root.GetProperty("file").GetString());
        Assert.True(new FileInfo(file).Length > 0);
        Assert.Contains("--run-proxy: the server gave a", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("it needs no proxy, none runs", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--json", "--run-proxy")]
    [InlineData("--run-proxy", "--wireguard-port", "0")]
    [InlineData("--run-proxy", "--wireguard-port", "65536")]
    [InlineData("--run-proxy", "--listen-port", "-1")]
    [InlineData("--wireguard-port", "51820")]
    [InlineData("--listen-port", "0")]
    public async Task BadProxyOptions_UsageErrorBeforeAnyEngine(params string[] arguments)
    {
        await using var run = Connect(arguments);

        await ExitsWithAsync(run, 1);
        Assert.False(Directory.Exists(Host.DataDirectory), "an engine started");
        if (arguments.Contains("--json"))
        {
            using var document = JsonDocument.Parse(run.Stdout);
            Assert.Contains("needs --output", document.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    private static async Task ExitsWithAsync(ConsoleRun run, int expected)
    {
        var code = await run.ExitAsync();
        Assert.True(code == expected, $"exit {code}, not {expected}; stdout: {run.Stdout} stderr: {run.Stderr}");
    }

    private ConsoleRun Connect(params string[] arguments) =>
        ConsoleRun.Start(["--data-dir", Host.DataDirectory, "--config", Host.ConfigFile, "connect", Lab.InstituteUrl, .. arguments], Wait, English);

    private static int ListenPortOf(string line) =>
        int.Parse(ProxyGuardCommandTests.ListeningOn().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
