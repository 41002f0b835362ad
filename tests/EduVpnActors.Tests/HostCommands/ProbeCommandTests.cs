using EduVpnActors.Tests.Reliability;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// <c>probe</c> as a real process with real ICMP on loopback: its verdict and its exit code (0 not
/// dropped, 1 dropped, 2 error). Dropping gateways are covered in namespaces by RealIcmpProbeTests.
/// </summary>
public sealed class ProbeCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly TempDataDirectory _data = new();
    private readonly HostProcess _host;

    public ProbeCommandTests() => _host = HostProcess.In(_data, "");

    [Fact]
    public async Task Probe_LoopbackGateway_NotDroppedOnTheReply_ExitZero()
    {
        var run = await _host.RunAsync(["probe", "127.0.0.1", "--interface", "lo", "--count", "2", "--interval", "0.2", "--timeout", "0.5"], null, Timeout);

        var verdict = run.Json!.RootElement.GetProperty("verdict");
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {verdict} {run.Stderr}");
        Assert.Equal("not_dropped", verdict.GetProperty("outcome").GetString());
        Assert.True(verdict.GetProperty("reply_seen").GetBoolean());
        // The counter of the interface given was read before the first echo.
        Assert.True(verdict.GetProperty("rx_bytes_before").GetInt64() > 0);
    }

    [Fact]
    public async Task Probe_MtuBelowTheHeaders_TypedErrorVerdict_ExitTwo()
    {
        var run = await _host.RunAsync(["probe", "127.0.0.1", "--mtu", "10"], null, Timeout);

        Assert.Equal(2, run.ExitCode);
        var verdict = run.Json!.RootElement.GetProperty("verdict");
        Assert.Equal("error", verdict.GetProperty("outcome").GetString());
        Assert.Equal("invalid_mtu", verdict.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal(0, verdict.GetProperty("echoes_sent").GetInt32());
    }

    [Fact]
    public async Task Probe_NotAnAddress_ExitTwoWithAReason()
    {
        var run = await _host.RunAsync(["probe", "gateway.example"], null, Timeout);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("neither an IP address nor a CIDR", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
