using System.Text.Json;
using EduVpnActors.Tests.Client;
using EduVpnActors.Tests.Reliability;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// Control characters and terminal escape sequences in what the console host prints: the user's own
/// arguments and what servers send (discovery display names, organization ids, profile names). In
/// human-readable output each one is shown as a visible escape, never sent raw to the terminal; in
/// <c>--json</c> it stays data, JSON-escaped.
/// </summary>
public sealed class TerminalEscapeTests : HostLabTestBase
{
    private const string Title = "\u001b]0;owned\u0007";
    private const string Clear = "\u001b[2J";
    private const string RightToLeft = "\u202e";
    private static readonly HostRunOptions Person = new(Json: false, English);
    private static readonly Dictionary<string, string?> English = new() { ["LC_ALL"] = "en_US.UTF-8" };

    protected override PortalOptions Options => new()
    {
        Profiles =
        [
            PortalProfile.Default with { DisplayName = $"Default{Clear}" },
            PortalProfile.WireGuardOnly with { DisplayName = $"{RightToLeft}ylnO draugeriW" },
        ],
    };

    private protected override void Prepare(ClientFlowLab lab)
    {
        lab.PublishDiscovery(instituteName: $"Lab {Title}Institute");
        lab.PublishOrganizations($"https://evil.example/{Clear}red");
    }

    [Fact]
    public async Task Servers_HostileDisplayName_ShownEscaped()
    {
        var run = await Host.RunAsync(["servers", "--search", "lab"], null, Timeout, Person);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Contains("Lab \\x1b]0;owned\\x07Institute", run.Stdout, StringComparison.Ordinal);
        AssertNothingRaw(run);
    }

    [Fact]
    public async Task Organizations_HostileId_ShownEscaped()
    {
        var run = await Host.RunAsync(["organizations", "--limit", "0"], null, Timeout, Person);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Contains("\\x1b[2Jred", run.Stdout, StringComparison.Ordinal);
        AssertNothingRaw(run);
    }

    [Fact]
    public async Task AddedServer_HostileName_EscapedInTheTable_DataInJson()
    {
        await AddInstituteAsync(new HostRunOptions(Environment: English));

        var table = await Host.RunAsync(["list"], null, Timeout, Person);
        var json = await Host.RunAsync(["list"], null, Timeout, new HostRunOptions(Environment: English));

        Assert.Contains("Lab \\x1b]0;owned\\x07Institute", table.Stdout, StringComparison.Ordinal);
        AssertNothingRaw(table);
        // JSON keeps the data: escaped in the text, the very same string once parsed.
        AssertNothingRaw(json);
        Assert.Contains("\\u001B]0;owned\\u0007", json.Stdout, StringComparison.Ordinal);
        var name = json.Json!.RootElement.GetProperty("servers")[0].GetProperty("server").GetProperty("display_name").GetProperty("en").GetString();
        Assert.Equal($"Lab {Title}Institute", name);
    }

    [Fact]
    public async Task ProfileQuestion_ThatCannotBeAsked_ListsTheDisplayNamesEscaped()
    {
        await AddInstituteAsync(new HostRunOptions(Environment: English));

        var connect = await Host.RunAsync(["connect", Lab.InstituteUrl], null, Timeout, new HostRunOptions(Environment: English));

        Assert.NotEqual(0, connect.ExitCode);
        Assert.Contains("Default\\x1b[2J (default)", connect.Stderr, StringComparison.Ordinal);
        Assert.Contains("\\u202eylnO draugeriW (wg-only)", connect.Stderr, StringComparison.Ordinal);
        AssertNothingRaw(connect);
        using var error = JsonDocument.Parse(connect.Stdout);
        Assert.True(error.RootElement.TryGetProperty("error", out _));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Argument_WithEscapes_EchoedEscaped(bool json)
    {
        var run = await Host.RunAsync(["connect", $"{Clear}{Title}no-such-server"], null, Timeout, new HostRunOptions(json, English));

        Assert.Equal(2, run.ExitCode);
        AssertNothingRaw(run);
        if (json)
        {
            var detail = HostOutputContractTests.OnlyError(run).GetProperty("detail").GetString();
            Assert.Contains($"{Clear}{Title}no-such-server", detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("\\x1b[2J\\x1b]0;owned\\x07no-such-server", run.Stderr, StringComparison.Ordinal);
        }
    }

    private static void AssertNothingRaw(HostRun run)
    {
        foreach (var (name, text) in new[] { ("stdout", run.Stdout), ("stderr", run.Stderr) })
        {
            var raw = text.Where(c => (char.IsControl(c) && c is not '\n' and not '\r') || c is '\u202e' or '\u009b').ToArray();
            Assert.True(raw.Length == 0, $"{name} carries raw control characters {string.Join(" ", raw.Select(c => $"U+{(int)c:X4}"))}: {text}");
        }
    }
}
