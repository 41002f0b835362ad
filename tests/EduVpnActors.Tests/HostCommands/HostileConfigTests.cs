using EduVpnActors.Tests.Reliability;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>
/// A hostile or broken <c>--config</c> file, given to the real console host: each used to end in exit 134
/// and a stack trace (or to hang); each is now a typed configuration error naming the key or the file, exit 1.
/// </summary>
public sealed class HostileConfigTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly TempDataDirectory _data = new();
    private HostProcess? _host;

    private HostProcess Host => _host ??= OfflineHost.In(_data);

    public static TheoryData<string, string, string?, string?> Cases => new()
    {
        // name, file text, the key named, the file named (relative to the data directory)
        { "include-missing", "include \"missing.conf\"\n", null, "missing.conf" },
        { "include-itself", "include \"hostile.conf\"\n", null, "hostile.conf" },
        { "integer-overflow", "eduvpn.http.max-redirects = 99999999999999999999\n", "eduvpn.http.max-redirects", null },
        { "negative-duration", "eduvpn.http.timeout = -5s\n", "eduvpn.http.timeout", null },
        { "missing-certificate", "eduvpn.http.extra-trusted-certificate = \"/nonexistent/ca.pem\"\n", "eduvpn.http.extra-trusted-certificate", null },
        { "parser-loop", "a = [1, 2\nb = 3\n", null, "hostile.conf" },
        { "unknown-key", "eduvpn.htpp.timeout = 5s\n", "eduvpn.htpp.timeout", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileConfig_Json_TypedConfigurationError_ExitOne(string name, string text, string? key, string? file)
    {
        var config = WriteConfig(text);

        var run = await Host.RunAsync(["--config", config, "list"], null, Timeout);

        Assert.True(run.ExitCode == 1, $"{name}: exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        var error = HostOutputContractTests.OnlyError(run);
        Assert.Equal("configuration", error.GetProperty("kind").GetString());
        Assert.Equal(key, error.GetProperty("key").GetString());
        var message = error.GetProperty("message").GetString()!;
        if (key is not null)
        {
            Assert.Contains(key, message, StringComparison.Ordinal);
        }
        if (file is not null)
        {
            Assert.Equal(Path.Combine(_data.Path, file), error.GetProperty("file").GetString());
            Assert.Contains(Path.Combine(_data.Path, file), message, StringComparison.Ordinal);
        }
        Assert.Equal("", run.Stderr);
        output.WriteLine($"{name}: {message}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileConfig_ForAPerson_OneLineOnStderr_NoStackTrace_ExitOne(string name, string text, string? key, string? file)
    {
        var config = WriteConfig(text);

        var run = await Host.RunAsync(["--config", config, "list"], null, Timeout, new HostRunOptions(Json: false));

        Assert.True(run.ExitCode == 1, $"{name}: exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        Assert.Equal("", run.Stdout);
        Assert.Contains(key ?? Path.Combine(_data.Path, file!), run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        HostOutputContractTests.AssertNoStackTrace(run.Stderr);
    }

    [Fact]
    public async Task Probe_WithAHostileConfig_IsTheSameTypedError()
    {
        var config = WriteConfig("eduvpn.failover.interval = -2s\n");

        var run = await Host.RunAsync(["--config", config, "probe", "127.0.0.1"], null, Timeout);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("eduvpn.failover.interval", HostOutputContractTests.OnlyError(run).GetProperty("key").GetString());
    }

    [Fact]
    public async Task GoodConfig_WithAnInclude_IsUsed()
    {
        Directory.CreateDirectory(_data.Path);
        File.WriteAllText(Path.Combine(_data.Path, "trust.conf"), $"eduvpn.http.extra-trusted-certificate = \"{TestCertificate.PemPath}\"\n");
        var config = WriteConfig("include \"trust.conf\"\neduvpn.http.timeout = 3s\n");

        var run = await Host.RunAsync(["--config", config, "list"], null, Timeout);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
    }

    public void Dispose() => _data.Dispose();

    private string WriteConfig(string text)
    {
        Directory.CreateDirectory(_data.Path);
        var path = Path.Combine(_data.Path, "hostile.conf");
        File.WriteAllText(path, text);
        return path;
    }
}
