using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EduVpnActors.Actors.Diagnostics;

namespace EduVpnActors.Benchmarks.Startup;

/// <summary>
/// <c>dotnet run -c Release --project tests/EduVpnActors.Benchmarks -- startup [--runs N] [--no-build]</c>: every console
/// command as a fresh process, the way a user or a script pays for it, beside a bare hello world: median wall time,
/// CPU (user + system) and peak resident memory of N runs after one warm-up, as ratios to hello world; the embedded
/// engine (<c>EduVpnEngine.Start</c> to the first ListServers and search answers) in a fresh process; the start-up
/// phases of <c>list</c> (<c>EDUVPN_ACTORS_STARTUP_TRACE=1</c>); and <c>list</c> after 10 and after 10,000 journal events.
/// </summary>
internal static class StartupBenchmark
{
    private const int HistoryShort = 10;
    private const int HistoryLong = 10_000;
    private const int ManyServers = 3_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(10);
        var repository = Repository();
        // Kept between runs (one per checkout): the embedding app's ReadyToRun compile takes minutes the first time only.
        var scratch = Path.Combine(Path.GetTempPath(), "eduvpn-startup-apps-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(repository)))[..12]);
        if (!args.Contains("--no-build"))
        {
            Console.Error.WriteLine("building src/Host (Release) …");
            await DotnetAsync(repository, "build", "src/Host/EduVpnActors.Host.csproj", "-c", "Release", "-nologo", "-v", "q");
        }
        Console.Error.WriteLine("building hello world and the embedding app …");
        var hello = await ScratchApps.BuildHelloAsync(scratch);
        var embedded = await ScratchApps.BuildEmbeddedAsync(scratch, repository);
        var host = Path.Combine(repository, "src", "Host", "bin", "Release", "net10.0", "eduvpn-actors.dll");
        Console.Error.WriteLine($"preparing the data directories ({ManyServers} servers, {HistoryLong} events) …");
        await using var lab = await StartupLab.CreateAsync(ManyServers, [HistoryShort, HistoryLong]);

        var loadBefore = LoadAverage();
        var rows = new List<Row>();
        var baseline = await MeasureAsync("hello world (`dotnet new console`)", runs, hello, []);
        rows.Add(baseline);
        string[] common = ["--config", lab.ConfigFile, "--data-dir", lab.Handful];
        rows.Add(await MeasureAsync("`--help`", runs, host, ["--help"]));
        rows.Add(await MeasureAsync("`info`", runs, host, ["info", .. common]));
        rows.Add(await MeasureAsync($"`list` ({lab.HandfulCount} servers)", runs, host, ["list", .. common]));
        rows.Add(await MeasureAsync("`status`", runs, host, ["status", .. common]));
        rows.Add(await MeasureAsync("`servers --search vrije`", runs, host, ["servers", "--search", "vrije", .. common]));
        rows.Add(await MeasureAsync("`organizations --search amsterdam`", runs, host, ["organizations", "--search", "amsterdam", .. common]));
        var configOut = Path.Combine(lab.Root, "connect.conf");
        var connect = await MeasureAsync("`connect` (authorized custom server, to exit)", runs, host,
            ["connect", lab.Portal.BaseUrl.AbsoluteUri, "--profile", "default", "--json", "-o", configOut, .. common], lab);
        rows.Add(connect);
        rows.Add(await MeasureAsync($"`list` ({ManyServers:N0} imported servers)", runs, host,
            ["list", "--config", lab.ConfigFile, "--data-dir", lab.Many]));
        var embeddedRow = await MeasureAsync("embedded: `EduVpnEngine.Start`, ListServers, search (whole process)", runs, embedded,
            [lab.Handful, lab.ConfigFile, "vrije"]);
        rows.Add(embeddedRow);
        var historyShort = await MeasureAsync($"`list` after {HistoryShort} journal events", runs, host,
            ["list", "--config", lab.ConfigFile, "--data-dir", lab.History(HistoryShort)]);
        var historyLong = await MeasureAsync($"`list` after {HistoryLong:N0} journal events", runs, host,
            ["list", "--config", lab.ConfigFile, "--data-dir", lab.History(HistoryLong)]);
        rows.Add(historyShort);
        rows.Add(historyLong);
        var phases = await PhasesAsync(runs, host, ["list", .. common]);
        var loadAfter = LoadAverage();

        Console.WriteLine($"Start-up as fresh processes: median of {runs} runs after one warm-up; {Environment.ProcessorCount} cores; load average {loadBefore} before, {loadAfter} after; "
            + (ProcessMeter.UsesRusage ? "CPU and peak RSS from wait4 (GNU time)" : "CPU and peak RSS polled from /proc"));
        Console.WriteLine();
        Console.WriteLine("| command | wall | CPU | peak RSS | wall × hello | CPU × hello |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            Console.WriteLine(Invariant($"| {row.Name} | {row.WallMs / 1000:F2} s | {row.CpuMs / 1000:F2} s | {row.PeakMb:F0} MB | {row.WallMs / baseline.WallMs:F1}× | {row.CpuMs / baseline.CpuMs:F1}× |"));
        }
        Console.WriteLine();
        Console.WriteLine(Invariant($"`connect`: process start to the portal's first request, median {connect.FirstRequestMs:F0} ms."));
        Console.WriteLine(Invariant($"Embedded engine, inside the process (from the call to Start): started {embeddedRow.Embedded[0]:F0} ms, ListServers answered {embeddedRow.Embedded[1]:F0} ms, search answered {embeddedRow.Embedded[2]:F0} ms (medians)."));
        Console.WriteLine(Invariant($"History: `list` after {HistoryLong:N0} events / after {HistoryShort}: wall {historyLong.WallMs / historyShort.WallMs:F2}×, CPU {historyLong.CpuMs / historyShort.CpuMs:F2}×."));
        Console.WriteLine();
        PrintPhases(phases);
        return 0;
    }

    private sealed record Row(string Name, double WallMs, double CpuMs, double PeakMb, double FirstRequestMs, double[] Embedded);

    private static async Task<Row> MeasureAsync(string name, int runs, string dll, string[] arguments, StartupLab? firstRequestOf = null)
    {
        Console.Error.WriteLine($"  {name}");
        var costs = new List<ProcessCost>();
        var firstRequests = new List<double>();
        for (var i = 0; i <= runs; i++)
        {
            firstRequestOf?.ResetFirstPortalRequest();
            var started = Stopwatch.GetTimestamp();
            var cost = await ProcessMeter.RunAsync(Dotnet(), [dll, .. arguments]);
            if (cost.ExitCode != 0)
            {
                throw new InvalidOperationException($"{name} exited {cost.ExitCode}: {cost.Stdout}{cost.Stderr}");
            }
            if (i == 0)
            {
                continue; // the warm-up: the disk cache and the runtime's files, as a user's second command has them
            }
            costs.Add(cost);
            if (firstRequestOf?.FirstPortalRequest is > 0 and var first)
            {
                firstRequests.Add(Stopwatch.GetElapsedTime(started, first).TotalMilliseconds);
            }
        }
        var embedded = costs
            .Select(c => c.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith(ScratchApps.EmbeddedPrefix, StringComparison.Ordinal)))
            .OfType<string>()
            .Select(l => l.Split(' ').Skip(1).Take(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        return new Row(name, Median(costs.Select(c => c.WallMs)), Median(costs.Select(c => c.CpuMs)), Median(costs.Select(c => c.PeakMb)),
            firstRequests.Count > 0 ? Median(firstRequests) : 0,
            embedded.Length > 0 ? [.. Enumerable.Range(0, 3).Select(i => Median(embedded.Select(e => e[i])))] : []);
    }

    /// <summary>The trace marks of <paramref name="runs"/> traced runs: per phase, the median time since process start and CPU at its end.</summary>
    private static async Task<List<(string Phase, double AtMs, double CpuMs, double Jitted, double RssMb)>> PhasesAsync(int runs, string dll, string[] arguments)
    {
        Console.Error.WriteLine("  start-up phases of `list`");
        var marks = new Dictionary<string, List<double[]>>();
        var order = new List<string>();
        for (var i = 0; i <= runs; i++)
        {
            var cost = await ProcessMeter.RunAsync(Dotnet(), [dll, .. arguments], new Dictionary<string, string> { [StartupTrace.EnvironmentVariable] = "1" });
            foreach (var line in cost.Stderr.Split('\n').Where(l => l.StartsWith(StartupTrace.LinePrefix + "\t", StringComparison.Ordinal)))
            {
                var f = line.TrimEnd('\r').Split('\t');
                var values = new[] { f[1], f[2], f[3], f[6] }.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                if (!marks.TryGetValue(f[7], out var list))
                {
                    marks[f[7]] = list = [];
                    order.Add(f[7]);
                }
                if (i > 0)
                {
                    list.Add(values);
                }
            }
        }
        return [.. order.Select(p => (p, Median(marks[p].Select(v => v[0])), Median(marks[p].Select(v => v[1])), Median(marks[p].Select(v => v[2])), Median(marks[p].Select(v => v[3]))))];
    }

    private static void PrintPhases(List<(string Phase, double AtMs, double CpuMs, double Jitted, double RssMb)> phases)
    {
        Console.WriteLine("Start-up phases of `list` (EDUVPN_ACTORS_STARTUP_TRACE=1; medians; each row ends when the phase ends; \"process start\" is the runtime's own start before Main):");
        Console.WriteLine();
        Console.WriteLine("| phase ends | at (wall) | phase wall | CPU so far | phase CPU | methods JIT-compiled so far | RSS |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        double previousAt = 0, previousCpu = 0;
        foreach (var (phase, at, cpu, jitted, rss) in phases)
        {
            Console.WriteLine(Invariant($"| {phase} | {at:F0} ms | {at - previousAt:F0} ms | {cpu:F0} ms | {cpu - previousCpu:F0} ms | {jitted:F0} | {rss:F0} MB |"));
            previousAt = at;
            previousCpu = cpu;
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Dotnet() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";

    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EduVpnActors.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("EduVpnActors.sln not found above the benchmark's directory");
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/>; a failure throws with its output.</summary>
    internal static async Task DotnetAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Dotnet()) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await stdout}{await stderr}");
        }
    }
}
