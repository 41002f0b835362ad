using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Benchmarks.Persistence;

/// <summary>
/// <c>dotnet run -c Release --project tests/EduVpnActors.Benchmarks -- storagecheck [events...]</c>: the start-up
/// storage check (<see cref="StorageHealth.Check"/>) after a short and a long history of the real server registry
/// on SQLite (default 10 and 10,000 events). "compacted" is the database as the engine leaves it (snapshot every
/// 20 events, older events and snapshots deleted); "uncompacted" adds back every older event as a live row, as
/// short-lived processes left them before compaction waited for its deletes. The last column is the work the check
/// did before it was bounded by the snapshots: decoding every live row.
/// </summary>
internal static class StorageCheckBenchmark
{
    private const int WarmUp = 30;
    private const int Rounds = 10;
    private const int RunsPerRound = 30;

    // Commands in flight at once: a few, as a busy engine has (each reply waits for its clean-up).
    private const int InFlight = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var histories = args.Length > 1 ? args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [10, 10_000];
        var root = Directory.CreateTempSubdirectory("eduvpn-storagecheck-").FullName;
        if (Environment.GetEnvironmentVariable("EDUVPN_BENCH_KEEP") is { Length: > 0 } keep)
        {
            root = Directory.CreateDirectory(keep).FullName;
        }
        try
        {
            var databases = new List<(string Kind, int Events, string Directory)>();
            foreach (var events in histories)
            {
                var compacted = Path.Combine(root, $"compacted-{events}");
                await WriteHistoryAsync(compacted, events);
                var uncompacted = Path.Combine(root, $"uncompacted-{events}");
                Directory.CreateDirectory(uncompacted);
                File.Copy(Path.Combine(compacted, DatabaseFileName), Path.Combine(uncompacted, DatabaseFileName));
                FillHistory(Path.Combine(uncompacted, DatabaseFileName));
                databases.Add(("compacted", events, compacted));
                databases.Add(("uncompacted", events, uncompacted));
            }
            // Interleaved rounds, so drift in the machine's load (2 shared cores) hits every database alike.
            var times = databases.ToDictionary(d => d.Directory, _ => new List<double>());
            foreach (var database in databases)
            {
                Check(database.Directory, WarmUp);
            }
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var database in databases)
                {
                    times[database.Directory].AddRange(Check(database.Directory, RunsPerRound));
                }
            }
            Console.WriteLine($"start-up storage check, real registry history on SQLite ({Environment.ProcessorCount} cores, {Rounds * RunsPerRound} checks per database in {Rounds} interleaved rounds, after {WarmUp} warm-up)");
            Console.WriteLine("| history | events | live journal rows | snapshots | database file | check median | check p95 | decoding every live row (the check before) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            var medians = new Dictionary<(string, int), double>();
            foreach (var (kind, events, directory) in databases)
            {
                var sorted = times[directory].Order().ToArray();
                var median = medians[(kind, events)] = sorted[sorted.Length / 2];
                var database = Path.Combine(directory, DatabaseFileName);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {kind} | {events:N0} | {Scalar(database, "SELECT COUNT(*) FROM journal WHERE deleted = 0"):N0} | {Scalar(database, "SELECT COUNT(*) FROM snapshot")} "
                    + $"| {new FileInfo(database).Length / 1024.0:N0} KiB | {median:F2} ms | {sorted[(int)Math.Ceiling(sorted.Length * 0.95) - 1]:F2} ms | {DecodeEveryLiveRow(database):F2} ms |"));
            }
            var (shortest, longest) = (histories.Min(), histories.Max());
            foreach (var kind in new[] { "compacted", "uncompacted" })
            {
                var ratio = medians[(kind, longest)] / medians[(kind, shortest)];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{kind}: the check after {longest:N0} events takes {ratio:F3}x its time after {shortest:N0} ({(ratio - 1) * 100:+0.0;-0.0} %)"));
            }
            return 0;
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("EDUVPN_BENCH_KEEP") is not { Length: > 0 })
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private const string DatabaseFileName = "eduvpn-actors.db";

    /// <summary>One server added, then profile choices until <paramref name="events"/> events are in the journal (sent in batches, as a busy engine would).</summary>
    private static async Task WriteHistoryAsync(string directory, int events)
    {
        var offline = Akka.Configuration.ConfigurationFactory.ParseString("""
            eduvpn.discovery.base-url = "https://127.0.0.1:9/"
            akka.loglevel = ERROR
            akka.stdout-loglevel = ERROR
            """);
        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(directory, offline));
        var registry = engine.Runtime.Registry;
        var server = new ServerId(ServerType.Custom, "https://history.example.org/");
        await registry.Ask<object>(new AddServerRecord("add", server, server.Identifier, LocalizedText.Empty, null), TimeSpan.FromSeconds(30));
        for (var sent = 1; sent < events; sent += InFlight)
        {
            var batch = Enumerable.Range(sent, Math.Min(InFlight, events - sent))
                .Select(i => registry.Ask<object>(new RecordProfileChoice($"p{i}", server, $"profile-{i % 7}"), TimeSpan.FromSeconds(60)));
            foreach (var reply in await Task.WhenAll(batch))
            {
                if (reply is not RegistryUpdated)
                {
                    throw new InvalidOperationException($"unexpected reply {reply}");
                }
            }
        }
    }

    private static IEnumerable<double> Check(string directory, int runs)
    {
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = StorageHealth.Check(directory, DatabaseFileName);
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (!result.IsHealthy)
            {
                throw new InvalidOperationException(result.Message);
            }
        }
        return times;
    }

    /// <summary>Every sequence number below the newest that compaction deleted gets a live copy of a real event again.</summary>
    private static void FillHistory(string database)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = """
            WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < (SELECT MAX(sequence_number) FROM journal))
            INSERT INTO journal(created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
            SELECT j.created, 0, j.persistence_id, numbers.n, j.message, j.manifest, j.identifier, j.writer_uuid
            FROM numbers, (SELECT * FROM journal WHERE manifest = 'server-profile-chosen.v1' ORDER BY sequence_number DESC LIMIT 1) AS j
            WHERE NOT EXISTS (SELECT 1 FROM journal k WHERE k.persistence_id = j.persistence_id AND k.sequence_number = numbers.n);
            UPDATE journal SET deleted = 0;
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>What the check did before (median of 20): read and decode every live journal and snapshot row.</summary>
    private static double DecodeEveryLiveRow(string database)
    {
        var times = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            using var connection = Open(database);
            foreach (var sql in new[] { "SELECT manifest, message FROM journal WHERE deleted = 0", "SELECT manifest, snapshot FROM snapshot" })
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    EngineSerializer.Decode(reader.GetFieldValue<byte[]>(1), reader.GetString(0));
                }
            }
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        return connection;
    }

    private static long Scalar(string database, string sql)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
