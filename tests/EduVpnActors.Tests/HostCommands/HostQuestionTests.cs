using System.Globalization;
using System.Text.Json;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Tests.Client;
using EduVpnActors.Tests.Reliability;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// Issue 12 §1 and §3 through the real console host against the portal double (three profiles, two Secure Internet
/// locations): a question the host cannot ask (stdin a closed pipe, or <c>--json</c>) fails at once with
/// <c>choice_required</c> (exit 6), listing the choices and the option to pass, though the engine would wait ten
/// minutes for an answer; a <c>--profile</c> the server does not offer is <c>invalid_choice</c> (exit 2) listing the
/// offered ones, and on a terminal the user chooses again.
/// </summary>
public sealed class HostQuestionTests : HostLabTestBase
{
    private static readonly HostRunOptions Person = new(Json: false);

    private static readonly string[] ProfileIds = ["default", "wg-only", "ovpn-only"];

    [Fact]
    public async Task ProfileQuestion_Json_FailsAtOnceWithTheChoicesAsData_NothingRememberedNoConfig()
    {
        await AddInstituteAsync();

        var run = await Host.RunAsync(["connect", Lab.InstituteUrl], null, Timeout);

        Assert.True(run.ExitCode == 6, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        var error = run.Json!.RootElement.GetProperty("error");
        Assert.Equal("choice_required", error.GetProperty("kind").GetString());
        Assert.Equal("profile", error.GetProperty("question").GetString());
        Assert.Equal("--profile", error.GetProperty("option").GetString());
        var choices = error.GetProperty("choices").EnumerateArray().ToArray();
        Assert.Equal(ProfileIds, choices.Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(["Default", "WireGuard Only", "OpenVPN Only"], choices.Select(c => c.GetProperty("display_name").GetString()));
        Assert.Empty(Lab.Portal.RequestsTo(PortalTestServer.ConnectPath));
        await AssertRememberedProfileAsync(null);
    }

    [Fact]
    public async Task ProfileQuestion_StdinAClosedPipe_FailsAtOnceNamingTheOptionAndTheChoices()
    {
        await AddInstituteAsync();

        var run = await Host.RunAsync(["connect", Lab.InstituteUrl], null, Timeout, Person);

        Assert.True(run.ExitCode == 6, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Equal("", run.Stdout.Trim());
        Assert.Contains("A profile must be chosen", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--profile ID", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Default (default)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("WireGuard Only (wg-only)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("OpenVPN Only (ovpn-only)", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
        // The option it names does the job, without a terminal.
        var again = await Host.RunAsync(["connect", Lab.InstituteUrl, "--profile", "wg-only"], null, Timeout);
        Assert.True(again.Acknowledged, $"{again.Stdout} {again.Stderr}");
        Assert.Equal("wg-only", again.Json!.RootElement.GetProperty("profile").GetString());
    }

    [Fact]
    public async Task LocationQuestion_Json_FailsAtOnceWithTheLocationsAndTheLocationOption()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        var add = await Host.RunAsync(["add", "secure", ClientFlowLab.OrganizationId], null, Timeout);
        Assert.True(add.Acknowledged, $"{add.Stdout} {add.Stderr}");
        Assert.True((await Host.RunAsync(["location", ClientFlowLab.OrganizationId, "de"], null, Timeout)).Acknowledged);
        // The chosen location leaves discovery: the engine must ask for another one.
        Lab.PublishDiscovery(withSecondLocation: false);

        var run = await Host.RunAsync(["connect", ClientFlowLab.OrganizationId], null, Timeout);

        Assert.True(run.ExitCode == 6, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        var error = run.Json!.RootElement.GetProperty("error");
        Assert.Equal(("choice_required", "location", "--location"),
            (error.GetProperty("kind").GetString(), error.GetProperty("question").GetString(), error.GetProperty("option").GetString()));
        Assert.Equal(["NL"], error.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("id").GetString()!.ToUpperInvariant()));
        Assert.Empty(Lab.Portal.RequestsTo(PortalTestServer.ConnectPath));
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("admins")]
    public async Task ProfileNotOffered_Json_InvalidChoiceListingTheOffered_Exit2(string wanted)
    {
        await AddInstituteAsync();

        var run = await Host.RunAsync(["connect", Lab.InstituteUrl, "--profile", wanted], null, Timeout);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        var error = run.Json!.RootElement.GetProperty("error");
        Assert.Equal(("invalid_choice", "--profile"), (error.GetProperty("kind").GetString(), error.GetProperty("option").GetString()));
        Assert.Contains(wanted, error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var choices = error.GetProperty("choices").EnumerateArray().ToArray();
        Assert.Equal(ProfileIds, choices.Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("WireGuard Only", choices[1].GetProperty("display_name").GetString());
        Assert.Empty(Lab.Portal.RequestsTo(PortalTestServer.ConnectPath));
        await AssertRememberedProfileAsync(null);
    }

    [Fact]
    public async Task ProfileNotOffered_ForAPerson_SaysWhichOnesAreOffered_NotTheConnectionState()
    {
        await AddInstituteAsync();

        var run = await Host.RunAsync(["connect", Lab.InstituteUrl, "--profile", "nosuch"], null, Timeout, Person);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Contains("not offered to you", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--profile ID", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("WireGuard Only (wg-only)", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("current connection state", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfileQuestion_CannotBeAsked_SaidInTheUsersLanguage()
    {
        await AddInstituteAsync();

        var run = await Host.RunAsync(["connect", Lab.InstituteUrl], null, Timeout,
            new HostRunOptions(Json: false, new Dictionary<string, string?> { ["LC_ALL"] = "de_DE.UTF-8" }));

        Assert.True(run.ExitCode == 6, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        var german = ErrorTexts.For(HostChoiceText.ProfileRequired, CultureInfo.GetCultureInfo("de"));
        Assert.NotEqual(ErrorTexts.For(HostChoiceText.ProfileRequired, CultureInfo.InvariantCulture), german);
        Assert.Contains(german, run.StderrWords, StringComparison.Ordinal);
        Assert.Contains("--profile ID", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfileNotOffered_OnATerminal_TheUserChoosesAgain()
    {
        await AddInstituteAsync();

        var (exit, screen) = await RunOnTerminalAsync(["connect", Lab.InstituteUrl, "--profile", "nosuch", "-o", Path.Combine(Lab.DataDirectory.Path, "vpn.conf")],
            answerWhen: "Which profile?", answer: "\u001b[B\r");

        Assert.True(exit == 0, $"exit {exit}: {screen}");
        Assert.Contains("not offered to you", screen, StringComparison.Ordinal);
        Assert.Contains("WireGuard Only (wg-only)", screen, StringComparison.Ordinal);
        // The second entry was chosen: that profile's configuration, and it is remembered.
        Assert.Contains("configuration for profile", screen, StringComparison.Ordinal);
        await AssertRememberedProfileAsync("wg-only");
    }

    private async Task AssertRememberedProfileAsync(string? profile)
    {
        var list = await Host.RunAsync(["list"], null, Timeout);
        Assert.True(list.Acknowledged, $"{list.Stdout} {list.Stderr}");
        var server = list.Json!.RootElement.GetProperty("servers")[0].GetProperty("server").GetProperty("profile");
        Assert.Equal(profile, server.ValueKind == JsonValueKind.Null ? null : server.GetString());
    }
}
