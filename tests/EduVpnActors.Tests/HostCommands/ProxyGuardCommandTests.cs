using System.Text.Json;
using System.Text.RegularExpressions;
using EduVpnActors.Tests.ProxyGuard;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// <c>proxyguard</c> as a real process against the ProxyGuard double: it carries datagrams, prints its
/// states, stops cleanly on SIGTERM (143) and SIGINT (130) with its port freed, exits 7 on a fatal error
/// and 1 on bad arguments; <c>--json</c> leaves one JSON document on stdout.
/// </summary>
public sealed partial class ProxyGuardCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TempDataDirectory _data = new();
    private ProxyGuardTestServer _server = null!;
    private string _config = "";

    public async Task InitializeAsync()
    {
        _server = await ProxyGuardTestServer.StartAsync();
        Directory.CreateDirectory(_data.Path);
        _config = Path.Combine(_data.Path, "host.conf");
        await File.WriteAllTextAsync(_config, $"eduvpn.http.extra-trusted-certificate = \"{TestCertificate.PemPath}\"\neduvpn.proxyguard.backoff = [100ms]\n");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Theory]
    [InlineData(15, 143, "stopped (SIGTERM)")]
    [InlineData(2, 130, "stopped (SIGINT)")]
    public async Task Run_CarriesDatagrams_StopsCleanlyOnASignal(int signal, int exitCode, string lastLine)
    {
        using var wireGuard = new FakeWireGuard();
        await using var run = Start("--peer", _server.Url.ToString(), "--listen-port", "0", "--forward-port", wireGuard.Port.ToString());
        var listenPort = int.Parse(ListeningOn().Match(await run.LineAsync(l => l.Contains("listening on", StringComparison.Ordinal))).Groups[1].Value);
        await run.LineAsync(l => l.Contains("waiting for traffic", StringComparison.Ordinal));

        var datagram = ProxyGuardTesting.Datagram(1, 1420);
        wireGuard.Send(listenPort, datagram);
        Assert.Equal(datagram, await wireGuard.ReceiveAsync(Wait));
        await run.LineAsync(l => l.Contains($"connected to 127.0.0.1:{_server.Port}", StringComparison.Ordinal));

        run.Signal(signal);

        Assert.Equal(exitCode, await run.ExitAsync());
        Assert.EndsWith(lastLine, run.Stdout.TrimEnd(), StringComparison.Ordinal);
        Assert.True(ProxyGuardTesting.UdpPortFree(listenPort));
        Assert.DoesNotContain("Exception", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotAProxyGuardServer_FatalExitSeven_TypedAndTranslated()
    {
        _server.Mode = ProxyGuardServerMode.WrongStatus;
        using var wireGuard = new FakeWireGuard();
        await using var run = Start("--peer", _server.Url.ToString(), "--listen-port", "0", "--forward-port", wireGuard.Port.ToString());
        var listenPort = int.Parse(ListeningOn().Match(await run.LineAsync(l => l.Contains("listening on", StringComparison.Ordinal))).Groups[1].Value);

        wireGuard.Send(listenPort, [1]);

        Assert.Equal(7, await run.ExitAsync());
        Assert.Contains("failed: The server refused the VPN proxy connection. (UnexpectedStatus: the server answered 200", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListenPortTaken_SetUpFailsFatal_ExitSeven()
    {
        using var taken = new FakeWireGuard();
        await using var run = Start("--peer", _server.Url.ToString(), "--listen-port", taken.Port.ToString(), "--forward-port", "51820");

        Assert.Equal(7, await run.ExitAsync());
        Assert.Contains("(ListenPortUnavailable:", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--listen-port", "0", "--forward-port", "51820")]
    [InlineData("--peer", "ftp://vpn.example.org/", "--listen-port", "0", "--forward-port", "51820")]
    [InlineData("--peer", "https://vpn.example.org/", "--listen-port", "70000", "--forward-port", "51820")]
    [InlineData("--peer", "https://vpn.example.org/", "--listen-port", "0", "--forward-port", "0")]
    [InlineData("--peer", "https://vpn.example.org/", "--listen-port", "0", "--forward-port", "51820", "--fwmark", "-1")]
    [InlineData("--peer", "https://vpn.example.org/", "--listen-port", "0", "--forward-port", "51820", "--peer-ips", "not-an-ip")]
    [InlineData("--peer", "https://vpn.example.org/", "--listen-port", "zero", "--forward-port", "51820")]
    public async Task BadArguments_ExitOneWithAReason(params string[] arguments)
    {
        await using var run = Start(arguments);

        Assert.Equal(1, await run.ExitAsync());
        Assert.False(string.IsNullOrWhiteSpace(run.Stderr));
        Assert.DoesNotContain("listening on", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokenConfigFile_IsAConfigurationError_NamingTheFile()
    {
        var broken = Path.Combine(Path.GetDirectoryName(_config)!, "broken.conf");
        File.WriteAllText(broken, "include \"missing.conf\"");
        await using var run = ConsoleRun.Start(["--json", "--config", broken, "proxyguard", "--peer", "https://vpn.example.org/", "--listen-port", "0", "--forward-port", "51820"], Wait);

        Assert.Equal(1, await run.ExitAsync());
        using var document = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal("configuration", error.GetProperty("kind").GetString());
        Assert.Contains("missing.conf", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_StatesOnStderr_OneDocumentOnStdoutAtTheEnd()
    {
        using var wireGuard = new FakeWireGuard();
        await using var run = Start("--json", "--peer", _server.Url.ToString(), "--listen-port", "0", "--forward-port", wireGuard.Port.ToString(), "--peer-ips", "127.0.0.1");
        var listenPort = int.Parse(ListeningOn().Match(await run.LineAsync(l => l.Contains("listening on", StringComparison.Ordinal))).Groups[1].Value);
        wireGuard.Send(listenPort, [1, 2, 3]);
        Assert.Equal([1, 2, 3], await wireGuard.ReceiveAsync(Wait));
        await run.LineAsync(l => l.Contains("connected to", StringComparison.Ordinal));

        run.Signal(15);

        Assert.Equal(143, await run.ExitAsync());
        using var document = JsonDocument.Parse(run.Stdout);
        var root = document.RootElement;
        Assert.Equal(143, root.GetProperty("exit_code").GetInt32());
        Assert.Equal(listenPort, root.GetProperty("proxy").GetProperty("listen_port").GetInt32());
        Assert.Equal(["127.0.0.1"], root.GetProperty("proxy").GetProperty("peer_ips").EnumerateArray().Select(ip => ip.GetString()));
        Assert.Equal(["not_set_up", "ready", "waiting_for_traffic", "connecting", "connected"],
            root.GetProperty("states").EnumerateArray().Select(s => s.GetProperty("phase").GetString()));
    }

    private ConsoleRun Start(params string[] arguments) => ConsoleRun.Start(["--config", _config, "proxyguard", .. arguments], Wait);

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    internal static partial Regex ListeningOn();
}
