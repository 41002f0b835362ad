using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.TestServer;

namespace EduVpnActors.Benchmarks.Discovery;

/// <summary>
/// <c>dotnet run -c Release --project tests/EduVpnActors.Benchmarks -- coldstart</c>: time from
/// creating the engine (actor system, SQLite journal, discovery actor) to its first server-list answer,
/// on a warm cache (the real signed snapshot fetched once from a local discovery server) with the
/// discovery server down, so the answer comes from SQLite after re-verifying the signature.
/// The first start from the cache runs its code paths cold (JIT); it is printed apart from the later starts.
/// </summary>
internal static class ColdStartBenchmark
{
    private const int Runs = 20;

    public static async Task<int> RunAsync()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("eduvpn-coldstart-").FullName;
        try
        {
            var server = await DiscoveryTestServer.StartWithSnapshotAsync(DateTimeOffset.UtcNow.AddDays(-1));
            var overrides = ConfigurationFactory.ParseString($$"""
                eduvpn.discovery.base-url = "{{server.BaseUrl.AbsoluteUri}}"
                eduvpn.http.extra-trusted-certificate = "{{TestCertificate.PemPath}}"
                akka.loglevel = ERROR
                akka.stdout-loglevel = ERROR
                """);
            var warm = await FirstAnswerAsync(dataDirectory, overrides);
            if (warm.Source != DiscoverySource.Network)
            {
                Console.Error.WriteLine($"warming the cache failed: the list came from {warm.Source}");
                return 1;
            }
            await server.DisposeAsync();

            var times = new List<double>();
            for (var i = 0; i < Runs; i++)
            {
                var run = await FirstAnswerAsync(dataDirectory, overrides);
                if (run.Source != DiscoverySource.Cache)
                {
                    Console.Error.WriteLine($"run {i}: expected the cache, got {run.Source}");
                    return 1;
                }
                times.Add(run.Milliseconds);
            }
            var first = times[0];
            var rest = times.Skip(1).Order().ToArray();
            Console.WriteLine($"cold start to first discovery answer, warm SQLite cache, discovery server down ({Environment.ProcessorCount} cores, {Runs} starts)");
            Console.WriteLine("| measure | ms |");
            Console.WriteLine("|---|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| first start from the cache (those code paths still cold) | {first:F1} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| later starts, median | {rest[rest.Length / 2]:F1} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| later starts, p95 | {rest[(int)Math.Ceiling(rest.Length * 0.95) - 1]:F1} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| later starts, min | {rest[0]:F1} |"));
            return 0;
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<(DiscoverySource Source, double Milliseconds)> FirstAnswerAsync(string dataDirectory, Config overrides)
    {
        var clock = Stopwatch.StartNew();
        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(dataDirectory, overrides));
        var answer = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(AllowRefresh: false), TimeSpan.FromSeconds(60));
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return (answer.Status.Source, elapsed);
    }
}
