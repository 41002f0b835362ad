using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace EduVpnActors.Actors.Diagnostics;

/// <summary>
/// Start-up phase marks for finding where a fresh process spends its time: with the environment variable
/// <c>EDUVPN_ACTORS_STARTUP_TRACE=1</c> each <see cref="Mark"/> writes one tab-separated line to stderr
/// (<c>startup-trace</c>, ms since the process started, CPU ms, methods JIT-compiled, JIT ms, GC heap MB,
/// resident MB, the phase). Without the variable a mark costs one static field read.
/// </summary>
public static class StartupTrace
{
    /// <summary>The environment variable that turns the trace on.</summary>
    public const string EnvironmentVariable = "EDUVPN_ACTORS_STARTUP_TRACE";

    /// <summary>The first column of every trace line.</summary>
    public const string LinePrefix = "startup-trace";

    private static readonly bool Enabled = Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";
    private static readonly object Gate = new();

    /// <summary>True when marks are written.</summary>
    public static bool IsEnabled => Enabled;

    /// <summary>Writes a mark for <paramref name="phase"/> (the moment it ended) when the trace is on.</summary>
    public static void Mark(string phase)
    {
        if (!Enabled)
        {
            return;
        }
        using var process = Process.GetCurrentProcess();
        // StartTime comes from /proc/self/stat on Linux: the moment the runtime's process was created.
        var sinceStart = (DateTime.Now - process.StartTime).TotalMilliseconds;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{LinePrefix}\t{sinceStart:F1}\t{process.TotalProcessorTime.TotalMilliseconds:F0}\t{JitInfo.GetCompiledMethodCount()}\t{JitInfo.GetCompilationTime().TotalMilliseconds:F0}\t{GC.GetTotalMemory(false) / 1048576.0:F1}\t{process.WorkingSet64 / 1048576.0:F1}\t{phase}");
        lock (Gate)
        {
            Console.Error.WriteLine(line);
        }
    }
}
