using EduVpnActors.Actors.Sessions;
using EduVpnActors.Tests.Reliability;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// Issue 12 §7 through the real console host: it says who it is (User-Agent
/// <c>eduvpn-actors/&lt;version&gt; EduVpnActors/&lt;version&gt;</c>, not eduvpn-common) and what failed, in the
/// user's language, without the runtime's own texts.
/// </summary>
public sealed class HonestIdentityTests : HostLabTestBase
{

    [Fact]
    public async Task UserAgent_NamesTheConsoleHostAndTheEngine()
    {
        await AddInstituteAsync();

        // The browser's own requests (authorize, verify) carry the test browser's agent; the engine's carry ours.
        var engine = Lab.Portal.Requests.Where(r => r.Path is PortalTestServer.WellKnownPath or PortalTestServer.TokenPath).ToArray();
        Assert.NotEmpty(engine);
        Assert.All(engine, r => Assert.Equal($"eduvpn-actors/0.1.0 {ClientIdentity.LibraryName}/{ClientIdentity.LibraryVersion}", r.UserAgent));
        Assert.DoesNotContain(Lab.Portal.Requests, r => r.UserAgent?.Contains("eduvpn-common", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task ConnectionRefused_Json_SaysSo()
    {
        var run = await Host.RunAsync(["add", "custom", $"https://127.0.0.1:{OfflineHost.ClosedPort()}/"], null, Timeout,
            new HostRunOptions(Environment: new Dictionary<string, string?> { ["LC_ALL"] = "en_US.UTF-8" }));

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        var error = HostOutputContractTests.OnlyError(run);
        Assert.Equal("unreachable", error.GetProperty("session").GetString());
        Assert.Equal("connection_refused", error.GetProperty("transport").GetString());
        Assert.Equal("The server refused the connection: nothing answers at that address and port.", error.GetProperty("message").GetString());
        Assert.EndsWith(": connection refused.", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("inner exception", run.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("de_DE.UTF-8", "Dem Zertifikat des Servers wird nicht vertraut: Es wurde für einen anderen Namen ausgestellt.")]
    [InlineData("nl_NL.UTF-8", "Het certificaat van de server wordt niet vertrouwd: het is voor een andere naam uitgegeven.")]
    [InlineData("en_US.UTF-8", "The server's certificate is not trusted: it was issued for another name.")]
    public async Task CertificateForAnotherName_ForAPerson_InTheirLanguage(string locale, string expected)
    {
        await using var server = await ScriptedServer.StartAsync(_ => Task.CompletedTask, certificate: TestCertificate.WrongHostCertificate);

        var run = await Host.RunAsync(["add", "custom", server.Url("").AbsoluteUri], null, Timeout,
            new HostRunOptions(Json: false, new Dictionary<string, string?> { ["LC_ALL"] = locale }));

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Equal(expected, run.Stderr.Split('\n')[0].Trim());
        Assert.Contains("certificate not trusted (issued for another name)", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("inner exception", run.Stderr, StringComparison.OrdinalIgnoreCase);
        HostOutputContractTests.AssertNoStackTrace(run.Stderr);
    }
}
