using System.Text.Json;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Tests.Persistence;
using EduVpnActors.Tests.Support;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Reliability;

/// <summary>
/// Compaction in short-lived processes: every console command is its own process and exits right after its
/// answer, yet the snapshots it takes delete the events and snapshots before them (the answer waits for the
/// deletes). With snapshots every 3 events, after a dozen commands each journal holds one snapshot and fewer
/// rows than the snapshot interval.
/// </summary>
public sealed class CompactionProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int SnapshotEvery = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private LabHost _lab = null!;

    private HostProcess Host => _lab.Host;

    private string Database => Path.Combine(_lab.Store, StorageFiles.DatabaseFileName);

    public async Task InitializeAsync() => _lab = await LabHost.StartAsync($"""
        eduvpn.registry.snapshot-every = {SnapshotEvery}
        eduvpn.discovery.snapshot-every = {SnapshotEvery}
        """);

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task ShortProcesses_EachSnapshotDeletesWhatCameBefore()
    {
        const string server = "https://compaction.example.org/";
        var state = Path.Combine(_lab.Work, "state.json");
        await File.WriteAllTextAsync(state, JsonSerializer.Serialize(new
        {
            v2 = new { server_list = new Dictionary<string, object> { [$"3,{server}"] = new { profiles = new { current = "" } } } },
        }));
        Assert.True((await Host.RunAsync(["import-state", state, "--apply"], null, Timeout)).Acknowledged);
        var profiles = Enumerable.Range(1, 10).Select(i => $"profile-{i}").ToArray();
        foreach (var profile in profiles)
        {
            var run = await Host.RunAsync(["profile", server, profile], null, Timeout);
            Assert.True(run.Acknowledged, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
        }

        var list = await Host.RunAsync(["list"], null, Timeout);

        Assert.Equal(profiles[^1], list.Json!.RootElement.GetProperty("servers")[0].GetProperty("server").GetProperty("profile").GetString());
        var rows = new Dictionary<string, (long Rows, long Live, long Snapshots)>();
        foreach (var id in new[] { ServerRegistryActor.PersistenceIdValue, DiscoveryActor.PersistenceIdValue })
        {
            rows[id] = (StorageFiles.Scalar(Database, $"SELECT COUNT(*) FROM journal WHERE persistence_id = '{id}'"),
                StorageFiles.Scalar(Database, $"SELECT COUNT(*) FROM journal WHERE persistence_id = '{id}' AND deleted = 0"),
                StorageFiles.Scalar(Database, $"SELECT COUNT(*) FROM snapshot WHERE persistence_id = '{id}'"));
        }
        Figures.Report(output, $"compaction in short processes: 12 console commands, snapshot every {SnapshotEvery}: "
            + string.Join("; ", rows.Select(r => $"{r.Key} {r.Value.Snapshots} snapshot(s), {r.Value.Rows} journal rows ({r.Value.Live} live)"))
            + $"; database {new FileInfo(Database).Length / 1024} KiB");
        foreach (var (id, (total, _, snapshots)) in rows)
        {
            Assert.True(snapshots == 1, $"{id}: {snapshots} snapshots");
            Assert.True(total <= SnapshotEvery, $"{id}: {total} journal rows");
        }
    }
}
