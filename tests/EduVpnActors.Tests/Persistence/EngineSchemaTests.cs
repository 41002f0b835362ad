using Akka.Actor;
using Akka.Persistence;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Tests.Persistence;

/// <summary>The boot path creates the plugin's tables itself (its auto-initialize is off there): the very same schema.</summary>
public sealed class EngineSchemaTests : IDisposable
{
    private readonly TempDataDirectory _ours = new();
    private readonly TempDataDirectory _plugins = new();

    [Fact]
    public async Task Ensure_CreatesExactlyTheTablesAndIndexesThePluginCreates()
    {
        var ours = ConnectionString(_ours.Path);
        EngineSchema.Ensure(ours);

        // The plugin's own auto-initialize (EnginePersistence.ToConfig keeps it on) creates its tables as a persistent actor recovers.
        var config = EngineTestConfig.OnSqlite(_plugins.Path);
        var system = ActorSystem.Create("schema", config);
        try
        {
            var recovered = new TaskCompletionSource();
            system.ActorOf(Props.Create(() => new RecoveringActor(recovered)));
            await recovered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await system.Terminate();
        }

        var expected = Schema(EngineConfiguration.ConnectionString(config));
        Assert.Contains("journal", expected.Keys);
        Assert.Contains("snapshot", expected.Keys);
        Assert.Contains("tags", expected.Keys);
        Assert.Equal(expected, Schema(ours));
    }

    [Fact]
    public void Ensure_AgainOnAFilledDatabase_ChangesNothing()
    {
        var connectionString = ConnectionString(_ours.Path);
        EngineSchema.Ensure(connectionString);
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message) VALUES (1, 0, 'p', 1, x'00')";
            insert.ExecuteNonQuery();
        }
        var before = Schema(connectionString);

        EngineSchema.Ensure(connectionString);

        Assert.Equal(before, Schema(connectionString));
        using var check = new SqliteConnection(connectionString);
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT count(*) FROM journal";
        Assert.Equal(1L, (long)count.ExecuteScalar()!);
    }

    private static string ConnectionString(string directory)
    {
        Directory.CreateDirectory(directory);
        return $"Data Source={Path.Combine(directory, "schema.db")};Pooling=False";
    }

    /// <summary>Every table and index by name with its SQL (SQLite's own automatic indexes and bookkeeping left out).</summary>
    private static SortedDictionary<string, string> Schema(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'";
        using var reader = command.ExecuteReader();
        var schema = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            schema[reader.GetString(0)] = reader.GetString(1);
        }
        return schema;
    }

    public void Dispose()
    {
        _ours.Dispose();
        _plugins.Dispose();
    }

    private sealed class RecoveringActor : ReceivePersistentActor
    {
        public RecoveringActor(TaskCompletionSource recovered) =>
            Recover<RecoveryCompleted>(_ => recovered.TrySetResult());

        public override string PersistenceId => "schema-probe";
    }
}
