using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EduVpnActors.Tests.Reliability;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// The console host's <c>servers</c> and <c>organizations</c> as a real process with no reachable
/// discovery server: ranked answers from the signed snapshot shipped in the library, and it says so.
/// </summary>
public sealed class DiscoveryCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly TempDataDirectory _data = new();
    private readonly HostProcess _host;

    // A loopback port nobody listens on: every download is refused at once.
    public DiscoveryCommandTests() =>
        _host = HostProcess.In(_data, $"eduvpn.discovery.base-url = \"https://127.0.0.1:{ClosedPort()}/\"\n");

    [Fact]
    public async Task Servers_Offline_RankedFromTheBundledSnapshot_AndSaysSo()
    {
        var run = await _host.RunAsync(["servers", "--search", "hogeschool utrecht", "--lang", "nl"], null, Timeout);

        Assert.Equal(0, run.ExitCode);
        var json = run.Json!.RootElement;
        AssertBundledWithWarning(json.GetProperty("status"), "servers");
        var first = json.GetProperty("results").EnumerateArray().First();
        // Found through the Dutch name although the words are in another order than in it.
        Assert.Equal("https://hku.eduvpn.nl/", first.GetProperty("base_url").GetString());
        Assert.Equal("Hogeschool voor de Kunsten Utrecht", first.GetProperty("display_name").GetString());
    }

    [Fact]
    public async Task Organizations_Offline_DiacriticsFoldedAndRanked()
    {
        var run = await _host.RunAsync(["organizations", "--search", "geant", "--limit", "0"], null, Timeout);

        Assert.Equal(0, run.ExitCode);
        var json = run.Json!.RootElement;
        AssertBundledWithWarning(json.GetProperty("status"), "organizations");
        var results = json.GetProperty("results").EnumerateArray().ToArray();
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.Contains("ANT", r.GetProperty("display_name").GetString()!.ToUpperInvariant().Replace('É', 'E'), StringComparison.Ordinal));
        var scores = results.Select(r => r.GetProperty("score").GetInt32()).ToArray();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
    }

    public void Dispose() => _data.Dispose();

    private static void AssertBundledWithWarning(JsonElement status, string kind)
    {
        Assert.Equal(kind, status.GetProperty("kind").GetString());
        Assert.Equal("bundled", status.GetProperty("source").GetString());
        Assert.Equal(1671801755, status.GetProperty("version").GetInt64());
        Assert.Equal("fetch_failed", status.GetProperty("warning").GetProperty("kind").GetString());
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
