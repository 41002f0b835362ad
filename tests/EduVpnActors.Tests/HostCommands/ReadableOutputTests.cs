using System.Diagnostics;
using System.Text;
using EduVpnActors.Actors.Api;
using EduVpnActors.Tests.Reliability;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// Issue 12 §8, output a person reads, through the real console host: a table in a pipe never wraps a URL;
/// protocols read "WireGuard", "OpenVPN", "WireGuard over TCP" (and <c>--json</c> uses the server's own
/// lower-case names); the profile prompt, on a real terminal, shows each profile's name beside its id.
/// </summary>
public sealed class ReadableOutputTests : HostLabTestBase
{
    private static readonly HostRunOptions Person = new(Json: false);

    protected override PortalOptions Options => new()
    {
        Profiles = [PortalProfile.Default, PortalProfile.WireGuardOnly, PortalProfile.WireGuardTcp],
    };

    [Fact]
    public async Task Table_InAPipe_NeverWrapsAUrl()
    {
        using var offline = new TempDataDirectory();
        var host = OfflineHost.In(offline);
        var json = await host.RunAsync(["servers", "--limit", "0"], null, Timeout);
        var urls = json.Json!.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("base_url").GetString()!).ToArray();
        Assert.True(urls.Length > 50, $"{urls.Length} servers");

        var table = await host.RunAsync(["servers", "--limit", "0"], null, Timeout, Person);

        Assert.Equal(0, table.ExitCode);
        var lines = table.Stdout.Split('\n');
        // Every URL whole on one line (the bundled list has names long enough to push past 80 columns).
        Assert.All(urls, url => Assert.Contains(lines, line => line.Contains(UrlRules.ForDisplay(url), StringComparison.Ordinal)));
        Assert.Contains(lines, line => line.TrimEnd().Length > 80);
    }

    [Theory]
    [InlineData("default", false, "OpenVPN", "openvpn")]
    [InlineData("wg-only", false, "WireGuard", "wireguard")]
    [InlineData("wg-tcp", true, "WireGuard over TCP", "wireguard+tcp")]
    public async Task ProtocolNames_ForAPersonAndInJson(string profile, bool tcp, string shown, string json)
    {
        await AddInstituteAsync();
        var choose = await Host.RunAsync(["profile", Lab.InstituteUrl, profile], null, Timeout);
        Assert.True(choose.Acknowledged, $"{choose.Stdout} {choose.Stderr}");
        string[] connect = ["connect", Lab.InstituteUrl, .. tcp ? new[] { "--tcp" } : []];

        var person = await Host.RunAsync([.. connect, "-o", Path.Combine(Lab.DataDirectory.Path, "vpn.conf")], null, Timeout, Person);
        var script = await Host.RunAsync(connect, null, Timeout);

        Assert.True(person.ExitCode == 0, $"{person.Stdout} {person.Stderr}");
        Assert.StartsWith($"{shown} configuration for profile {profile},", person.Stdout, StringComparison.Ordinal);
        Assert.True(script.Acknowledged, $"{script.Stdout} {script.Stderr}");
        Assert.Equal(json, script.Json!.RootElement.GetProperty("protocol").GetString());
        if (tcp)
        {
            var proxy = script.Json.RootElement.GetProperty("proxy");
            Assert.True(proxy.GetProperty("listen_port").GetInt32() > 0);
            Assert.StartsWith("https://", proxy.GetProperty("peer").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConfigOnStdout_IsTheConfigOnly_TheLineAboutItOnStderr()
    {
        await AddInstituteAsync();
        Assert.True((await Host.RunAsync(["profile", Lab.InstituteUrl, "wg-only"], null, Timeout)).Acknowledged);

        var run = await Host.RunAsync(["connect", Lab.InstituteUrl], null, Timeout, Person);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("[Interface]", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("configuration for profile", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("WireGuard configuration for profile wg-only", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfilePrompt_OnATerminal_ShowsNamesBesideIds()
    {
        await AddInstituteAsync();

        var (exit, screen) = await RunOnTerminalAsync(["connect", Lab.InstituteUrl], answerWhen: "Which profile?", answer: "\u001b[B\r");

        Assert.True(exit == 0, $"exit {exit}: {screen}");
        Assert.Contains("Default (default)", screen, StringComparison.Ordinal);
        Assert.Contains("WireGuard Only (wg-only)", screen, StringComparison.Ordinal);
        Assert.Contains("WireGuard TCP (wg-tcp)", screen, StringComparison.Ordinal);
        // The arrow moved to the second entry: that profile was chosen and remembered.
        var list = await Host.RunAsync(["list"], null, Timeout);
        Assert.Equal("wg-only", list.Json!.RootElement.GetProperty("servers")[0].GetProperty("server").GetProperty("profile").GetString());
    }

    /// <summary>
    /// Runs the host on a pseudo-terminal (util-linux <c>script</c>), as a person at a terminal would, and types
    /// <paramref name="answer"/> once <paramref name="answerWhen"/> is on the screen.
    /// </summary>
    private async Task<(int ExitCode, string Screen)> RunOnTerminalAsync(IReadOnlyList<string> command, string answerWhen, string answer)
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
