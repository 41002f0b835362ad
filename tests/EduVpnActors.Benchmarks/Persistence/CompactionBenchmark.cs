using System.Diagnostics;
using System.Globalization;
using Akka.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Servers;
using EduVpnActors.TestServer;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Benchmarks.Persistence;

/// <summary>
/// <c>dotnet run -c Release --project tests/EduVpnActors.Benchmarks -- compaction [rounds]</c>: the database after
/// many <c>connect</c>/<c>disconnect</c> rounds (default 1,000) used the way the console host uses it, one engine
/// per command: each command starts an engine (which refreshes discovery, a 304 from a local server with the real
/// signed snapshot), runs, and stops it at once. Prints the file, the rows per persistence id and the snapshots.
/// The access token lives 10 minutes of the run's wall time, so refreshes (new single-use refresh tokens) happen too.
/// </summary>
internal static class CompactionBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        var dataDirectory = Directory.CreateTempSubdirectory("eduvpn-compaction-").FullName;
        try
        {
            await using var portal = await PortalTestServer.StartAsync(new PortalOptions
            {
                Profiles = [PortalProfile.Default],
                AccessTokenLifetime = TimeSpan.FromMinutes(10),
            });
            await using var discovery = await DiscoveryTestServer.StartWithSnapshotAsync(DateTimeOffset.UtcNow.AddDays(-1));
            var overrides = ConfigurationFactory.ParseString($$"""
                eduvpn.discovery.base-url = "{{discovery.BaseUrl.AbsoluteUri}}"
                eduvpn.http.extra-trusted-certificate = "{{TestCertificate.PemPath.Replace("\\", "\\\\", StringComparison.Ordinal)}}"
                akka.loglevel = ERROR
                akka.stdout-loglevel = ERROR
                """);
            var options = new EduVpnEngineOptions(dataDirectory, overrides, CultureInfo.InvariantCulture);
            var server = new ServerId(ServerType.Custom, portal.BaseUrl.AbsoluteUri);
            var clock = Stopwatch.StartNew();
            await using (var engine = EduVpnEngine.Start(options))
            {
                using var stop = new CancellationTokenSource();
                var user = EngineUser.LogInWhenAskedAsync(engine, stop.Token);
                await engine.AddServerAsync(ServerType.Custom, server.Identifier).WaitAsync(TimeSpan.FromSeconds(60));
                await stop.CancelAsync();
                await user;
            }
            Console.WriteLine($"connect/disconnect rounds, one engine per command as in the console host ({Environment.ProcessorCount} cores)");
            Console.WriteLine("| rounds | engine starts | database file | pages in use | journal rows (live) per persistence id | snapshots per persistence id | largest snapshot |");
            Console.WriteLine("|---:|---:|---:|---:|---|---|---:|");
            for (var round = 1; round <= rounds; round++)
            {
                await using (var engine = EduVpnEngine.Start(options))
                {
                    await engine.GetConfigAsync(server).WaitAsync(TimeSpan.FromSeconds(60));
                }
                await using (var engine = EduVpnEngine.Start(options))
                {
                    await engine.CleanupAsync(server).WaitAsync(TimeSpan.FromSeconds(60));
                }
                if (round == rounds || round % Math.Max(1, rounds / 5) == 0)
                {
                    Console.WriteLine(Row(round, Path.Combine(dataDirectory, "eduvpn-actors.db")));
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{2 * rounds + 1} engine starts in {clock.Elapsed.TotalSeconds:F0} s"));
            return 0;
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static string Row(int round, string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var journal = Query(connection, """
            SELECT persistence_id, COUNT(*), SUM(deleted = 0) FROM journal GROUP BY persistence_id ORDER BY persistence_id
            """, r => $"{Short(r.GetString(0))} {r.GetInt64(1)} ({r.GetInt64(2)})");
        var snapshots = Query(connection, "SELECT persistence_id, COUNT(*) FROM snapshot GROUP BY persistence_id ORDER BY persistence_id",
            r => $"{Short(r.GetString(0))} {r.GetInt64(1)}");
        var largest = Query(connection, "SELECT COALESCE(MAX(LENGTH(snapshot)), 0) FROM snapshot", r => r.GetInt64(0)).Single();
        var inUse = Query(connection, "SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count)", r => r.GetInt64(0)).Single();
        var starts = (2 * round) + 1;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {round:N0} | {starts:N0} | {new FileInfo(database).Length / 1024.0:N0} KiB | {inUse:N0} | {string.Join(", ", journal)} | {string.Join(", ", snapshots)} | {largest / 1024.0:N1} KiB |");
    }

    private static string Short(string persistenceId) => persistenceId.StartsWith("server-session:", StringComparison.Ordinal) ? "session" : persistenceId;

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> row)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(row(reader));
        }
        return rows;
    }
}
