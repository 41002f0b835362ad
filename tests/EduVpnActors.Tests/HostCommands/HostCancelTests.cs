using System.Diagnostics;
using System.Globalization;
using EduVpnActors.Tests.Reliability;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// Issue 12 §4 through the real console host and real signals: SIGINT or SIGTERM while the browser login waits
/// cancels it in the engine and ends with "cancelled" (the one JSON document under <c>--json</c>) and 130 or 143,
/// never a stack trace, and the engine lets go of its data (the next command runs at once). A SIGINT the shell
/// ignores (a background job) changes nothing: the wait ends at the configured callback time-out, and says so.
/// </summary>
public sealed class HostCancelTests : HostLabTestBase
{
    [Theory]
    [InlineData("INT", 130, true)]
    [InlineData("TERM", 143, true)]
    [InlineData("INT", 130, false)]
    [InlineData("TERM", 143, false)]
    public async Task SignalDuringTheBrowserWait_CancelledWithTheSignalsCode_NoStackTrace(string signal, int code, bool json)
    {
        var (run, _) = await SignalDuringLoginAsync(signal, new HostRunOptions(Json: json));

        Assert.False(run.Killed);
        Assert.True(run.ExitCode == code, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        if (json)
        {
            var error = run.Json!.RootElement.GetProperty("error");
            Assert.Equal(("cancelled", "cancelled"), (error.GetProperty("kind").GetString(), error.GetProperty("message").GetString()));
        }
        else
        {
            Assert.Equal("", run.Stdout.Trim());
            Assert.Contains("cancelled", run.Stderr, StringComparison.Ordinal);
        }
        // It ended with the engine: not by the bound on the engine's stop, nor with a trace.
        Assert.DoesNotContain("did not stop", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
        // The engine let go: the next command gets the data directory without waiting, and the cancelled add left no server.
        var list = await Host.RunAsync(["--wait", "0", "list"], null, Timeout);
        Assert.True(list.Acknowledged, $"{list.Stdout} {list.Stderr}");
        Assert.Equal(0, list.Json!.RootElement.GetProperty("servers").GetArrayLength());
    }

    [Fact]
    public async Task IgnoredInterrupt_TheWaitEndsAtTheConfiguredTimeout_AndTheMessageSaysThatTime()
    {
        const int callbackSeconds = 4;
        // The same --config file, with a short browser wait.
        HostProcess.In(Lab.DataDirectory, Lab.WorldHocon() + $"\neduvpn.oauth.callback-timeout = {callbackSeconds}s\n");

        var (run, signalledAfter) = await SignalDuringLoginAsync("INT", new HostRunOptions(IgnoreInterrupt: true));

        Assert.False(run.Killed);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        var error = run.Json!.RootElement.GetProperty("error");
        Assert.Equal("timed_out", error.GetProperty("session").GetString());
        Assert.Contains($"within {callbackSeconds.ToString(CultureInfo.InvariantCulture)} seconds", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // The text is true: the process did wait that long (it ignored the signal, sent after the wait began).
        Assert.True(run.Duration >= TimeSpan.FromSeconds(callbackSeconds), $"{run.Duration}");
        Assert.True(run.Duration > signalledAfter, $"{run.Duration} {signalledAfter}");
    }

    /// <summary>Adds the lab's institute, nobody logs in, and <paramref name="signal"/> goes to the host once it waits for the browser.</summary>
    private async Task<(HostRun Run, TimeSpan SignalledAfter)> SignalDuringLoginAsync(string signal, HostRunOptions options)
    {
        var store = Path.Combine(Lab.DataDirectory.Path, "store");
        var host = new HostProcess(store, Path.Combine(Lab.DataDirectory.Path, "host.conf")) { LogsIn = false };
        var asked = new TaskCompletionSource<AuthorizationAsked>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        var running = host.RunAsync(["add", "institute", Lab.InstituteUrl], null, Timeout, options, asked: asked);
        var waiting = await asked.Task.WaitAsync(Timeout);
        var signalledAfter = clock.Elapsed;
        using (var kill = Process.Start("kill", [$"-{signal}", waiting.ProcessId.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }
        return (await running, signalledAfter);
    }
}
