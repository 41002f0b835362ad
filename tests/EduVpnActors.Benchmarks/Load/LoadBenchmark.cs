using System.Globalization;
using EduVpnActors.TestServer;

namespace EduVpnActors.Benchmarks.Load;

/// <summary>
/// Timed load run: 50 servers, ~200 ListServers/GetConnectionState queries per second for 10 s while a
/// user connects, disconnects and renews; prints time-outs, latencies, dead letters and the GC heap.
/// Arguments after <c>load</c>: servers, seconds, queries per second.
/// </summary>
internal static class LoadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var servers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
        var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var rate = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200;
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"eduvpn-load-{Guid.NewGuid():N}");
        try
        {
            var figures = await EngineLoad.RunAsync(servers, TimeSpan.FromSeconds(seconds), rate, dataDirectory);
            Console.WriteLine(figures);
            return figures.TimeOuts == 0 && figures.DeadLetterAnswers == 0 && figures.QueryFailures == 0 && figures.FlowFailures == 0 ? 0 : 1;
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
