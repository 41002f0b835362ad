using System.Text.Json;
using EduVpnActors.Tests.Reliability;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// Server URLs through the real console host: a URL with a user name or password is refused before anything
/// is stored and the password is never printed; an internationalized host name is one server in any
/// spelling (Unicode or punycode) and is shown so that mixed scripts stand out.
/// </summary>
public sealed class ServerUrlTests : IDisposable
{
    private const string Secret = "pw-S3CRET";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly TempDataDirectory _data = new();
    private HostProcess? _host;

    private HostProcess Host => _host ??= OfflineHost.In(_data);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AddCustom_WithUserInfo_RefusedBeforeAnythingIsStored_PasswordNeverShown(bool json)
    {
        var run = await Host.RunAsync(["add", "custom", $"https://alice:{Secret}@127.0.0.1:1/"], null, Timeout, new HostRunOptions(json));

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.DoesNotContain(Secret, run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", run.Stdout + run.Stderr, StringComparison.Ordinal);
        if (json)
        {
            var error = HostOutputContractTests.OnlyError(run);
            Assert.Equal("url_with_credentials", error.GetProperty("kind").GetString());
            Assert.Contains("***@127.0.0.1", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("user name or password", run.Stderr, StringComparison.Ordinal);
        }
        var list = await Host.RunAsync(["list"], null, Timeout);
        Assert.Empty(list.Json!.RootElement.GetProperty("servers").EnumerateArray());
        Assert.DoesNotContain(Secret, string.Concat(Directory.EnumerateFiles(_data.Path, "*", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_ToAUrlWithUserInfo_UnknownServer_PasswordNotEchoed()
    {
        var run = await Host.RunAsync(["connect", $"https://alice:{Secret}@vpn.example.org/"], null, Timeout);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("unknown_server", HostOutputContractTests.OnlyError(run).GetProperty("kind").GetString());
        Assert.DoesNotContain(Secret, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InternationalizedHost_UnicodeAndPunycodeAreOneServer_ShownWithMixedScriptsRevealed()
    {
        // Imported, since nothing on loopback answers for these names: three spellings of two hosts.
        var state = Path.Combine(_data.Path, "state.json");
        Directory.CreateDirectory(_data.Path);
        File.WriteAllText(state, """
            {"v2":{"server_list":{
              "3,https://аррӏе.com/":{"profiles":{"current":""},"last_authorize_time":"0001-01-01T00:00:00Z","expire_time":"0001-01-01T00:00:00Z"},
              "3,https://XN--80AK6AA92E.com/":{"profiles":{"current":""},"last_authorize_time":"0001-01-01T00:00:00Z","expire_time":"0001-01-01T00:00:00Z"},
              "3,https://bücher.example/":{"profiles":{"current":""},"last_authorize_time":"0001-01-01T00:00:00Z","expire_time":"0001-01-01T00:00:00Z"}
            },"last_chosen_id":"3,https://bücher.example/"}}
            """);
        var import = await Host.RunAsync(["import-state", state, "--apply"], null, Timeout);
        Assert.True(import.ExitCode == 0, $"{import.Stdout} {import.Stderr}");

        var list = await Host.RunAsync(["list"], null, Timeout);
        var ids = list.Json!.RootElement.GetProperty("servers").EnumerateArray()
            .Select(s => s.GetProperty("server").GetProperty("identifier").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["https://xn--80ak6aa92e.com/", "https://xn--bcher-kva.example/"], ids);

        var table = await Host.RunAsync(["list"], null, Timeout, new HostRunOptions(Json: false));
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("https://xn--80ak6aa92e.com/ (аррӏе.com: mixed scripts Cyrillic + Latin)", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("https://bücher.example/", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("https://аррӏе.com/", table.Stdout, StringComparison.Ordinal);

        // Named in its Unicode spelling, the look-alike is the same (punycode) server.
        var remove = await Host.RunAsync(["remove", "https://аррӏе.com/"], null, Timeout);
        Assert.True(remove.ExitCode == 0, $"{remove.Stdout} {remove.Stderr}");
        Assert.Equal("3,https://xn--80ak6aa92e.com/", remove.Json!.RootElement.GetProperty("removed").GetString());
        var after = await Host.RunAsync(["list"], null, Timeout);
        Assert.Single(after.Json!.RootElement.GetProperty("servers").EnumerateArray());
    }

    public void Dispose() => _data.Dispose();
}
