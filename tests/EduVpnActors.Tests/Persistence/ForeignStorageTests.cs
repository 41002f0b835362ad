using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Tests.Support;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Persistence;

/// <summary>
/// Databases the engine must not use although SQLite opens them: another program's database, a journal of
/// another layout, rows under a serializer the engine does not know. Each is a typed error before any actor
/// starts, the file is left as it was (no engine table added), and moving it aside lets the engine start.
/// </summary>
public sealed class ForeignStorageTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDataDirectory _dir = new();

    private string DatabasePath => Path.Combine(_dir.Path, StorageFiles.DatabaseFileName);

    [Fact]
    public async Task AnotherProgramsDatabase_Foreign_NothingAdded_MoveAsideThenStarts()
    {
        _dir.Create();
        StorageFiles.Execute(DatabasePath, """
            CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            INSERT INTO users(name) VALUES ('alice'), ('bob');
            CREATE VIEW names AS SELECT name FROM users;
            """);
        var before = File.ReadAllBytes(DatabasePath);

        var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())));

        output.WriteLine(error.Message);
        Assert.Equal(StorageProblemKind.Foreign, error.Kind);
        Assert.Contains("table 'users'", error.Message, StringComparison.Ordinal);
        Assert.True(error.CanMoveAside);
        Assert.Equal(before, File.ReadAllBytes(DatabasePath));
        Assert.Equal(0, StorageFiles.Scalar(DatabasePath, "SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('journal', 'snapshot', 'tags')"));

        var kept = StorageHealth.MoveAside(error.DatabasePath!);
        await AssertStartsAsync();
        Assert.Equal(before, File.ReadAllBytes(kept));
    }

    [Fact]
    public async Task JournalTableOfAnotherLayout_Foreign_NamingTheTable()
    {
        _dir.Create();
        // The layout of the older Akka.Persistence.Sqlite plugin.
        StorageFiles.Execute(DatabasePath, """
            CREATE TABLE journal(ordering INTEGER PRIMARY KEY NOT NULL, persistence_id VARCHAR(255) NOT NULL, sequence_nr INTEGER(8) NOT NULL,
              is_deleted INTEGER(1) NOT NULL, manifest VARCHAR(500) NULL, timestamp INTEGER NOT NULL, payload BLOB NOT NULL,
              tags VARCHAR(100) NULL, serializer_id INTEGER(4), UNIQUE (persistence_id, sequence_nr));
            """);

        var result = StorageHealth.Check(_dir.Path, StorageFiles.DatabaseFileName);

        output.WriteLine(result.Message);
        Assert.Equal(StorageProblemKind.Foreign, result.Problem);
        Assert.Contains("'journal' has another layout", result.Message, StringComparison.Ordinal);
        StorageHealth.MoveAside(result.DatabasePath);
        await AssertStartsAsync();
    }

    [Fact]
    public async Task EngineTableWithAnExtraRequiredColumn_Foreign()
    {
        var path = await StorageFiles.CreatePopulatedAsync(_dir.Path);
        StorageFiles.Execute(path, "ALTER TABLE snapshot ADD COLUMN owner TEXT NOT NULL DEFAULT 'x'");
        Assert.True(StorageHealth.Check(_dir.Path, StorageFiles.DatabaseFileName).IsHealthy, "a column with a default does not stop inserts");
        StorageFiles.Execute(path, """
            CREATE TABLE snapshot2 AS SELECT * FROM snapshot; DROP TABLE snapshot;
            CREATE TABLE snapshot(persistence_id TEXT NOT NULL, sequence_number INTEGER NOT NULL, created INTEGER NOT NULL, snapshot BLOB,
              manifest TEXT, serializer_id INTEGER, owner TEXT NOT NULL, PRIMARY KEY (persistence_id, sequence_number));
            DROP TABLE snapshot2;
            """);

        var result = StorageHealth.Check(_dir.Path, StorageFiles.DatabaseFileName);

        Assert.Equal(StorageProblemKind.Foreign, result.Problem);
        Assert.Contains("required owner", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("journal", "identifier", "deleted = 0, ")]
    [InlineData("snapshot", "serializer_id", "")]
    public async Task RowUnderASerializerTheEngineDoesNotKnow_NewerVersion_RowKept(string table, string column, string revive)
    {
        var path = await StorageFiles.CreatePopulatedAsync(_dir.Path);
        Assert.True(StorageFiles.Execute(path, $"UPDATE {table} SET {revive}{column} = 9999 WHERE rowid = (SELECT MAX(rowid) FROM {table})") == 1);
        var rows = StorageFiles.Scalar(path, $"SELECT COUNT(*) FROM {table}");

        var error = Assert.Throws<StorageException>(() => EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline())));

        output.WriteLine(error.Message);
        Assert.Equal(StorageProblemKind.NewerVersion, error.Kind);
        Assert.Contains($"{table} rows of serializer 9999", error.Message, StringComparison.Ordinal);
        Assert.Equal(rows, StorageFiles.Scalar(path, $"SELECT COUNT(*) FROM {table}"));
        StorageHealth.MoveAside(error.DatabasePath!);
        await AssertStartsAsync();
    }

    [Fact]
    public async Task DamagedEventThatTheSnapshotCovers_RecoveryNeverReadsIt_HealthyAndStarts()
    {
        // Bounded by the snapshot: an old live event before the latest snapshot (as compaction that never
        // ran leaves them) is not replayed, so it is not decoded at start either. Sequence numbers start at
        // 1; the damaged copy goes below them, and the newest event is live and sound.
        var path = await StorageFiles.CreatePopulatedAsync(_dir.Path);
        var snapshot = StorageFiles.Scalar(path, "SELECT MAX(sequence_number) FROM snapshot WHERE persistence_id = 'discovery-cache'");
        Assert.Equal(snapshot, StorageFiles.Scalar(path, "SELECT MAX(sequence_number) FROM journal WHERE persistence_id = 'discovery-cache'"));
        StorageFiles.Execute(path, $"""
            UPDATE journal SET deleted = 0 WHERE persistence_id = 'discovery-cache' AND sequence_number = {snapshot};
            INSERT INTO journal(created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
            SELECT created, 0, persistence_id, -1, randomblob(40), manifest, identifier, writer_uuid FROM journal
            WHERE persistence_id = 'discovery-cache' AND sequence_number = {snapshot};
            """);

        var result = StorageHealth.Check(_dir.Path, StorageFiles.DatabaseFileName);

        Assert.True(result.IsHealthy, result.Message);
        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline()));
        var servers = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(AllowRefresh: false), TimeSpan.FromSeconds(30));
        Assert.Equal(DiscoverySource.Cache, servers.Status.Source);
    }

    private async Task AssertStartsAsync()
    {
        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(_dir.Path, Offline()));
        var response = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(), TimeSpan.FromSeconds(30));
        Assert.NotEmpty(response.List.Servers);
        Assert.Equal(1, StorageFiles.Scalar(DatabasePath, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'journal'"));
    }

    private static Config Offline() => StorageFiles.Offline();

    public void Dispose() => _dir.Dispose();
}
