using Akka.Actor;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Tests.Persistence;

/// <summary>Real engine databases for the storage tests, and ways to damage them.</summary>
internal static class StorageFiles
{
    public const string DatabaseFileName = "eduvpn-actors.db";

    /// <summary>
    /// Runs the discovery actor once on <paramref name="dataDirectory"/> against a loopback discovery
    /// server, so the database holds real journal and snapshot rows. Returns the database path.
    /// </summary>
    public static async Task<string> CreatePopulatedAsync(string dataDirectory)
    {
        await using var server = await DiscoveryTestServer.StartWithSnapshotAsync(DateTimeOffset.UtcNow.AddDays(-1));
        using var http = new EngineHttpClient(TestCertificate.TrustingPolicy());
        var system = ActorSystem.Create("populate", EngineTestConfig.OnSqlite(dataDirectory));
        try
        {
            var settings = new DiscoverySettings(server.BaseUrl, MinisignVerifier.ProductionKeys, false, TimeSpan.FromHours(1), 20);
            var discovery = system.ActorOf(DiscoveryActor.Props(settings, http));
            var servers = await discovery.Ask<ServerListResponse>(new GetServerList(), TimeSpan.FromSeconds(30));
            Assert.Equal(DiscoverySource.Network, servers.Status.Source);
            // A second list adds journal rows after the first snapshot.
            await discovery.Ask<OrganizationListResponse>(new GetOrganizationList(), TimeSpan.FromSeconds(30));
        }
        finally
        {
            await system.Terminate();
        }
        return Path.Combine(dataDirectory, DatabaseFileName);
    }

    /// <summary>Engine overrides with discovery on a closed loopback port (every fetch fails fast), plus <paramref name="hocon"/>.</summary>
    public static Akka.Configuration.Config Offline(string hocon = "") => Akka.Configuration.ConfigurationFactory.ParseString($"""
        eduvpn.discovery.base-url = "https://127.0.0.1:9/"
        akka.loglevel = WARNING
        {hocon}
        """);

    /// <summary>A read-write connection without pooling (so closing it releases the file).</summary>
    public static SqliteConnection Open(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    public static long Scalar(string databasePath, string sql)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static int Execute(string databasePath, string sql)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>
    /// Overwrites the payload of the newest engine-written row of <paramref name="table"/> with the SQL
    /// expression <paramref name="garbage"/>, keeping its manifest (a journal row is made live, as a
    /// snapshot may have deleted it). Returns the row's persistence id, sequence number and manifest.
    /// </summary>
    public static (string PersistenceId, long SequenceNr, string Manifest) Damage(string databasePath, string table, string garbage)
    {
        var (payload, serializer, live) = table switch
        {
            "journal" => ("message", "identifier", ", deleted = 0"),
            "snapshot" => ("snapshot", "serializer_id", ""),
            _ => throw new ArgumentOutOfRangeException(nameof(table), table, "journal or snapshot"),
        };
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT persistence_id, sequence_number, manifest FROM {table}
            WHERE {serializer} = {EduVpnActors.Actors.Persistence.EngineSerializer.Id} ORDER BY sequence_number DESC LIMIT 1
            """;
        string persistenceId, manifest;
        long sequenceNr;
        using (var reader = command.ExecuteReader())
        {
            Assert.True(reader.Read(), $"no engine-written {table} row to damage");
            (persistenceId, sequenceNr, manifest) = (reader.GetString(0), reader.GetInt64(1), reader.GetString(2));
        }
        command.CommandText = $"UPDATE {table} SET {payload} = {garbage}{live} WHERE persistence_id = $pid AND sequence_number = $seq";
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$seq", sequenceNr);
        Assert.Equal(1, command.ExecuteNonQuery());
        return (persistenceId, sequenceNr, manifest);
    }

    /// <summary>Overwrites <paramref name="count"/> bytes at <paramref name="offset"/> with seeded random bytes.</summary>
    public static void Scribble(string path, long offset, int count, int seed = 7)
    {
        var garbage = new byte[count];
        new Random(seed).NextBytes(garbage);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Position = offset;
        stream.Write(garbage);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a dedicated thread that is subject to file permissions: for root,
    /// CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH are dropped from that thread's effective set first
    /// (capabilities are per thread, so the rest of the test run keeps them). Returns false, with the
    /// reason in <paramref name="whyNot"/> and without running <paramref name="action"/>, when they cannot be dropped.
    /// </summary>
    public static bool WithoutPermissionBypass<T>(Func<T> action, out T result, out string? whyNot)
    {
        T value = default!;
        string? reason = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            if (Environment.IsPrivilegedProcess)
            {
                try
                {
                    Failover.ThreadCapabilities.DropEffective(Failover.ThreadCapabilities.DacOverride);
                    Failover.ThreadCapabilities.DropEffective(Failover.ThreadCapabilities.DacReadSearch);
                }
                catch (Exception e) when (e is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
                {
                    reason = $"running as root and cannot drop CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH on a thread ({e.Message})";
                    return;
                }
            }
            try
            {
                value = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
        result = value;
        whyNot = reason;
        return reason is null;
    }

    /// <summary>Runs <paramref name="test"/> with <paramref name="path"/> set to <paramref name="mode"/>, restoring 0700 after.</summary>
    public static void WithMode(string path, UnixFileMode mode, Action test)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Unix file modes only.");
        }
        var before = File.GetUnixFileMode(path);
        File.SetUnixFileMode(path, mode);
        try
        {
            test();
        }
        finally
        {
            File.SetUnixFileMode(path, before);
        }
    }
}
