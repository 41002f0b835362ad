using EduVpnActors.Tests.Persistence;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Reliability;

/// <summary>
/// The console host keeps its hands off the engine's own files: <c>connect -o</c> at the live database (directly or
/// through a link) or at the token key is refused (exit 1) and the store keeps working; <c>--data-dir</c> at a shared
/// 1777 folder is refused (exit 4) without changing its mode.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EngineFilesProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private LabHost _lab = null!;

    private HostProcess Host => _lab.Host;

    private string Store => _lab.Store;

    private string Work => _lab.Work;

    public async Task InitializeAsync() => _lab = await LabHost.StartAsync();

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task ConnectOutput_AtTheDatabaseOrTheKey_RefusedWithExit1_TheStoreKeepsWorking()
    {
        Assert.True((await Host.RunAsync(["add", "custom", _lab.Lab.InstituteUrl], null, Timeout)).Acknowledged);
        var database = Path.Combine(Store, StorageFiles.DatabaseFileName);
        var before = StorageFiles.Scalar(database, "SELECT COUNT(*) FROM journal");
        var link = Path.Combine(Work, "wg0.conf");
        File.CreateSymbolicLink(link, database);

        foreach (var target in new[] { database, link, Path.Combine(Store, "session-tokens.key"), database + "-journal" })
        {
            var refused = await Host.RunAsync(["connect", _lab.Lab.InstituteUrl, "--profile", "default", "-o", target], null, Timeout);

            Assert.Equal(1, refused.ExitCode);
            Assert.True(refused.Words.Contains("write the configuration somewhere else", StringComparison.Ordinal), $"{target}: {refused.Stdout} {refused.Stderr}");
            Assert.Equal(0, refused.LoginsAsked);
        }

        Assert.Equal(before, StorageFiles.Scalar(database, "SELECT COUNT(*) FROM journal"));
        Assert.Equal(32, new FileInfo(Path.Combine(Store, "session-tokens.key")).Length);
        var output = Path.Combine(Work, "wg1.conf");
        var connect = await Host.RunAsync(["connect", _lab.Lab.InstituteUrl, "--profile", "default", "-o", output], null, Timeout);
        Assert.True(connect.Acknowledged, $"exit {connect.ExitCode}: {connect.Stdout} {connect.Stderr}");
        Assert.True(new FileInfo(output).Length > 0);
    }

    [Fact]
    public async Task DataDir_ASharedStickyFolder_Exit4_ModeUnchanged()
    {
        var shared = Directory.CreateDirectory(Path.Combine(Work, "shared")).FullName;
        const UnixFileMode mode = (UnixFileMode)0b1_111_111_111; // 1777, like /tmp
        File.SetUnixFileMode(shared, mode);
        var host = new HostProcess(shared, _lab.ConfigFile);

        var run = await host.RunAsync(["list"], null, Timeout);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("open to other users", run.Words, StringComparison.Ordinal);
        Assert.Equal(mode, File.GetUnixFileMode(shared));
        Assert.Empty(Directory.EnumerateFileSystemEntries(shared));
    }
}
