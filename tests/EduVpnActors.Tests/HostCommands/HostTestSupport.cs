using System.Diagnostics;
using System.Text;
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

    /// <summary>
    /// Runs the host on a pseudo-terminal (util-linux <c>script</c>), as a person at a terminal would, and types
    /// <paramref name="answer"/> once <paramref name="answerWhen"/> is on the screen.
    /// </summary>
    private protected async Task<(int ExitCode, string Screen)> RunOnTerminalAsync(IReadOnlyList<string> command, string answerWhen, string answer)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        // The store and --config file HostProcess.In uses for this lab.
        var words = new[] { dotnet, HostProcess.HostDll, "--data-dir", Path.Combine(Lab.DataDirectory.Path, "store"), "--config", Path.Combine(Lab.DataDirectory.Path, "host.conf") }
            .Concat(command).Select(w => "'" + w.Replace("'", "'\\''", StringComparison.Ordinal) + "'");
        var start = new ProcessStartInfo("script", ["-qefc", string.Join(' ', words), "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["TERM"] = "xterm-256color";
        start.Environment.Remove("DISPLAY");
        start.Environment.Remove("WAYLAND_DISPLAY");
        using var process = Process.Start(start)!;
        var screen = new StringBuilder();
        var answered = false;
        using var deadline = new CancellationTokenSource(Timeout);
        var buffer = new char[4096];
        while (true)
        {
            var read = await process.StandardOutput.ReadAsync(buffer, deadline.Token);
            if (read == 0)
            {
                break;
            }
            screen.Append(buffer, 0, read);
            if (!answered && screen.ToString().Contains(answerWhen, StringComparison.Ordinal))
            {
                answered = true;
                await Task.Delay(300, deadline.Token); // the prompt reads keys once it has drawn itself
                await process.StandardInput.WriteAsync(answer);
                await process.StandardInput.FlushAsync(deadline.Token);
            }
        }
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, screen.ToString());
    }
}
