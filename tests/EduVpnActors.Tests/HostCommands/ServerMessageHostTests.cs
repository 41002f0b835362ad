using EduVpnActors.Tests.Reliability;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// Client rule 32 at the console: a portal that refuses API downloads (403) or fails (500) says why in a
/// JSON <c>error</c>, and the user sees it (escaped, beside the engine's own sentence), in <c>--json</c> too.
/// </summary>
public sealed class ServerMessageHostTests : HostLabTestBase
{
    protected override PortalOptions Options => new() { Profiles = [PortalProfile.Default] };

    [Fact]
    public async Task Forbidden_Json_ServerMessageIsAField()
    {
        await AddInstituteAsync();
        Lab.Portal.UpdateOptions(o => o with { MaxActiveApiConfigurations = 0 });

        var run = await Host.RunAsync(["connect", Lab.InstituteUrl], null, Timeout);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        var error = HostOutputContractTests.OnlyError(run);
        Assert.Equal("session", error.GetProperty("kind").GetString());
        Assert.Equal("forbidden", error.GetProperty("session").GetString());
        Assert.Equal(403, error.GetProperty("http_status").GetInt32());
        Assert.Equal("no API configuration downloads allowed", error.GetProperty("server_message").GetString());
    }

    [Fact]
    public async Task ServerError_ForAPerson_WhatTheServerSaid_Escaped()
    {
        await AddInstituteAsync();
        Lab.Portal.FailNext(PortalTestServer.ConnectPath, 500, error: "database \u001b[2J gone");

        var run = await Host.RunAsync(["connect", Lab.InstituteUrl], null, Timeout, new HostRunOptions(Json: false));

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Contains("the server said: database \\x1b[2J gone", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Stdout + run.Stderr);
        HostOutputContractTests.AssertNoStackTrace(run.Stderr);
    }
}
