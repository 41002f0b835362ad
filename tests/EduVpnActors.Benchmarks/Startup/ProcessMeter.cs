using System.Diagnostics;
using System.Globalization;

namespace EduVpnActors.Benchmarks.Startup;

/// <summary>What one fresh process cost: wall time (start to exit), CPU (user + system) and peak resident memory.</summary>
internal sealed record ProcessCost(double WallMs, double CpuMs, double PeakMb, int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs a command as a fresh process and measures it. CPU and peak memory come from the kernel's own account of
/// the child (<c>wait4</c>'s rusage, through GNU <c>/usr/bin/time</c>): exact, and taken after the last instruction.
/// Without <c>/usr/bin/time</c> the child's <c>/proc</c> entries are polled until it exits (a close lower bound).
/// </summary>
internal static class ProcessMeter
{
    private const string GnuTime = "/usr/bin/time";

    public static bool UsesRusage { get; } = File.Exists(GnuTime);

    public static async Task<ProcessCost> RunAsync(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var rusageFile = UsesRusage ? Path.GetTempFileName() : null;
        var start = new ProcessStartInfo(rusageFile is null ? fileName : GnuTime)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (rusageFile is not null)
        {
            foreach (var part in new[] { "-f", "%U %S %M", "-o", rusageFile, fileName })
            {
                start.ArgumentList.Add(part);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Remove("DISPLAY");
        start.Environment.Remove("WAYLAND_DISPLAY");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        try
        {
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var polled = rusageFile is null ? PollAsync(process.Id) : Task.FromResult((0.0, 0.0));
            using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not exit in time");
            }
            var wallMs = clock.Elapsed.TotalMilliseconds;
            var (cpuMs, peakMb) = rusageFile is null ? await polled : ReadRusage(rusageFile);
            return new ProcessCost(wallMs, cpuMs, peakMb, process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (rusageFile is not null)
            {
                File.Delete(rusageFile);
            }
        }
    }

    private static (double CpuMs, double PeakMb) ReadRusage(string file)
    {
        // GNU time may print a "Command exited with non-zero status" line first; the figures are the last line.
        var last = File.ReadAllLines(file).Last(line => line.Trim().Length > 0).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var user = double.Parse(last[0], CultureInfo.InvariantCulture);
        var system = double.Parse(last[1], CultureInfo.InvariantCulture);
        var maxRssKb = double.Parse(last[2], CultureInfo.InvariantCulture);
        return ((user + system) * 1000, maxRssKb / 1024);
    }

    /// <summary>utime + stime from <c>/proc/PID/stat</c> and VmHWM from <c>/proc/PID/status</c>, the last values read before exit.</summary>
    private static async Task<(double CpuMs, double PeakMb)> PollAsync(int pid)
    {
        double cpuMs = 0, peakMb = 0;
        var ticksPerSecond = 100.0; // USER_HZ on Linux
        while (true)
        {
            try
            {
                var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                cpuMs = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 1000 / ticksPerSecond;
                foreach (var line in await File.ReadAllLinesAsync($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        peakMb = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
                    }
                }
                if (fields[0] == "Z")
                {
                    return (cpuMs, peakMb);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                return (cpuMs, peakMb);
            }
            await Task.Delay(2);
        }
    }
}
