using System.Text.Json;
using EduVpnActors.Tests.Reliability;
using EduVpnActors.Tests.Support;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// The console host's output contract, as a real process: under <c>--json</c> stdout holds exactly one JSON
/// document in every outcome (errors too) and nothing else; logs reach stderr only with <c>--verbose</c> or
/// on an internal fault; a fault the host did not expect ends in one typed line and exit 70, without a
/// stack trace unless <c>--verbose</c>.
/// </summary>
public sealed class HostOutputContractTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly TempDataDirectory _data = new();
    private HostProcess? _host;

    // Discovery on a loopback port nobody listens on: nothing leaves the machine.
    private HostProcess Host => _host ??= OfflineHost.In(_data);

    [Fact]
    public async Task JsonAddOfAnUnknownType_TwentyRuns_StdoutIsOneJsonErrorDocument_ExitOne_NoLog()
    {
        var runs = 0;
        for (var i = 0; i < 20; i++)
        {
            var run = await Host.RunAsync(["add", "bogus", "x"], null, Timeout);
            runs++;

            Assert.True(run.ExitCode == 1, $"run {i}: exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
            var error = OnlyError(run);
            Assert.Equal("usage", error.GetProperty("kind").GetString());
            Assert.Contains("bogus", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("", run.Stderr);
        }
        Figures.Report(output, $"--json add bogus x: {runs} runs, {runs} with exactly one JSON document on stdout and an empty stderr");
    }

    [Fact]
    public async Task JsonEngineError_AfterTheEngineStarted_OneDocumentWithTheExistingFields_ExitTwo_NoLog()
    {
        for (var i = 0; i < 3; i++)
        {
            var run = await Host.RunAsync(["connect", "nosuch"], null, Timeout);

            Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
            var error = OnlyError(run);
            Assert.Equal("unknown_server", error.GetProperty("kind").GetString());
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
            Assert.Contains("nosuch", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, error.GetProperty("session").ValueKind);
            Assert.Equal("", run.Stderr);
        }
    }

    [Fact]
    public async Task JsonUsageError_OfTheParser_IsTheJsonDocument_NotHelpText()
    {
        var run = await Host.RunAsync(["connect"], null, Timeout);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("usage", OnlyError(run).GetProperty("kind").GetString());
    }

    [Fact]
    public async Task HumanEngineError_OnStderr_NoStackTrace_StdoutEmpty()
    {
        var run = await Host.RunAsync(["connect", "nosuch"], null, Timeout, new HostRunOptions(Json: false));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("nosuch", run.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(run.Stderr);
    }

    [Fact]
    public async Task Verbose_LogGoesToStderr_StdoutStaysTheOneDocument()
    {
        var run = await Host.RunAsync(["--verbose", "list"], null, Timeout);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("servers").ValueKind);
        Assert.Contains("Akka.Actor.ActorSystem", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("command", true)]
    [InlineData("command", false)]
    [InlineData("thread", true)]
    [InlineData("thread", false)]
    public async Task InternalFault_OneTypedLine_ExitSeventy_NoStackTraceWithoutVerbose(string where, bool json)
    {
        var fault = new HostRunOptions(json, new Dictionary<string, string?> { ["EDUVPN_ACTORS_INJECT_FAULT"] = where });

        var run = await Host.RunAsync(["list"], null, Timeout, fault);

        Assert.True(run.ExitCode == 70, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        AssertNoStackTrace(run.Stdout + run.Stderr);
        if (json)
        {
            var error = OnlyError(run);
            Assert.Equal("internal", error.GetProperty("kind").GetString());
            Assert.Contains("InvalidOperationException", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("", run.Stdout);
            var first = run.Stderr.Split('\n')[0];
            Assert.StartsWith("internal error (InvalidOperationException): injected fault", first, StringComparison.Ordinal);
        }

        var verbose = await Host.RunAsync(["--verbose", "list"], null, Timeout, fault);

        Assert.Equal(70, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", verbose.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();

    /// <summary>stdout parses as exactly one JSON document whose only member is <c>error</c>.</summary>
    internal static JsonElement OnlyError(HostRun run)
    {
        // JsonDocument.Parse refuses trailing content: a log line or a second document fails here.
        using var json = JsonDocument.Parse(run.Stdout);
        var members = json.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["error"], members);
        return json.RootElement.GetProperty("error").Clone();
    }

    internal static void AssertNoStackTrace(string text)
    {
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
    }
}
