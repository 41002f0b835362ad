using System.Net;
using System.Net.Sockets;
using EduVpnActors.Tests.Client;
using EduVpnActors.Tests.Reliability;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>A console host with its own data directory and no network: discovery points at a closed loopback port.</summary>
internal static class OfflineHost
{
    public static HostProcess In(TempDataDirectory data) =>
        HostProcess.In(data, $"eduvpn.discovery.base-url = \"https://127.0.0.1:{ClosedPort()}/\"\n");

    /// <summary>A loopback port nobody listens on: every connection is refused at once.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// The real console host against a fresh lab (portal double with <see cref="Options"/>, signed discovery) per
/// test, with the lab's trust in its <c>--config</c>.
/// </summary>
public abstract class HostLabTestBase : IAsyncLifetime
{
    /// <summary>How long one host run may take.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private protected ClientFlowLab Lab { get; private set; } = null!;

    private protected HostProcess Host { get; private set; } = null!;

    /// <summary>The portal the lab plays (default: a stock portal).</summary>
    protected virtual PortalOptions Options => new();

    public async Task InitializeAsync()
    {
        Lab = await ClientFlowLab.StartAsync(Options, startEngine: false);
        Prepare(Lab);
        Host = HostProcess.In(Lab.DataDirectory, Lab.WorldHocon());
    }

    public async Task DisposeAsync() => await Lab.DisposeAsync();

    /// <summary>Publishes what the test needs before the host first runs.</summary>
    private protected virtual void Prepare(ClientFlowLab lab)
    {
    }

    /// <summary>Adds the lab's institute through the host (the test browser logs in), under <c>--json</c>.</summary>
    private protected async Task AddInstituteAsync(HostRunOptions? options = null)
    {
        var add = await Host.RunAsync(["add", "institute", Lab.InstituteUrl], null, Timeout, options);
        Assert.True(add.Acknowledged, $"{add.Stdout} {add.Stderr}");
    }
}
