using EduVpnActors.Tests.Persistence;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Reliability;

/// <summary>
/// The console host on a database that is not the engine's: every command refuses with exit code 4 and
/// points at <c>repair --move-aside</c>, <c>repair</c> reports it (exit 3), and <c>repair --move-aside</c>
/// keeps the file aside so the next command starts on a fresh database.
/// </summary>
public sealed class RepairProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TempDataDirectory _work = new();

    [Fact]
    public async Task ForeignDatabase_Exit4_RepairReports3_MoveAsideThenTheEngineStarts()
    {
        var store = _work.Create();
        var database = Path.Combine(store, StorageFiles.DatabaseFileName);
        StorageFiles.Execute(database, "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes(text) VALUES ('keep me');");
        var before = File.ReadAllBytes(database);
        var config = Path.Combine(_work.Path, "host.conf");
        File.WriteAllText(config, "eduvpn.discovery.base-url = \"https://127.0.0.1:9/\"");
        var host = new HostProcess(store, config);

        // As a person reads them: the hint and the problem's name are for people.
        var human = new HostRunOptions(Json: false);
        var refused = await host.RunAsync(["list"], null, Timeout, human);
        var report = await host.RunAsync(["repair"], null, Timeout, human);

        Assert.Equal(4, refused.ExitCode);
        // Errors and their hints are on stderr (stdout holds results only); the console may wrap lines.
        Assert.Contains("repair --move-aside", refused.StderrWords, StringComparison.Ordinal);
        Assert.Equal(3, report.ExitCode);
        Assert.Contains("Foreign", report.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(database));

        var moved = await host.RunAsync(["repair", "--move-aside"], null, Timeout);
        var list = await host.RunAsync(["list"], null, Timeout);

        Assert.Equal(0, moved.ExitCode);
        Assert.True(list.Acknowledged, $"exit {list.ExitCode}: {list.Stdout} {list.Stderr}");
        var kept = Assert.Single(Directory.GetFiles(store, StorageFiles.DatabaseFileName + ".damaged-*"));
        Assert.Equal(before, File.ReadAllBytes(kept));
    }

    [Fact]
    public async Task Repair_ChecksTheDatabaseTheConfigNames()
    {
        var store = _work.Create();
        var database = Path.Combine(store, "other.db");
        StorageFiles.Execute(database, "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT);");
        var config = Path.Combine(_work.Path, "host.conf");
        File.WriteAllText(config, "eduvpn.discovery.base-url = \"https://127.0.0.1:9/\"\neduvpn.database-file-name = \"other.db\"");
        var host = new HostProcess(store, config);

        var report = await host.RunAsync(["repair"], null, Timeout);

        Assert.Equal(3, report.ExitCode);
        Assert.NotNull(report.Json);
        Assert.Equal(database, report.Json!.RootElement.GetProperty("database").GetString());
        Assert.False(File.Exists(Path.Combine(store, StorageFiles.DatabaseFileName)));
    }

    public void Dispose() => _work.Dispose();
}
