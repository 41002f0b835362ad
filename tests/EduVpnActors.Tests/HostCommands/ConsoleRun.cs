using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using EduVpnActors.Tests.Reliability;

namespace EduVpnActors.Tests.HostCommands;

/// <summary>The console host as a child process whose output lines can be awaited and which can be signalled.</summary>
internal sealed class ConsoleRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TimeSpan _wait;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private ConsoleRun(Process process, TimeSpan wait)
    {
        _process = process;
        _wait = wait;
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the host with <paramref name="arguments"/> (and <paramref name="environment"/> set); each line and the exit are
    /// awaited within <paramref name="wait"/>.
    /// </summary>
    public static ConsoleRun Start(IReadOnlyList<string> arguments, TimeSpan wait, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostProcess.HostDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // No desktop: a browser is never opened.
        start.Environment.Remove("DISPLAY");
        start.Environment.Remove("WAYLAND_DISPLAY");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var run = new ConsoleRun(new Process { StartInfo = start }, wait);
        run._process.OutputDataReceived += (_, e) => run.Collect(run._stdout, e.Data);
        run._process.ErrorDataReceived += (_, e) => run.Collect(run._stderr, e.Data);
        run._process.Start();
        run._process.BeginOutputReadLine();
        run._process.BeginErrorReadLine();
        return run;
    }

    /// <summary>The first line (stdout or stderr) that matches, within the run's wait.</summary>
    public async Task<string> LineAsync(Func<string, bool> match)
    {
        using var deadline = new CancellationTokenSource(_wait);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(deadline.Token);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no such line; stdout: {Stdout} stderr: {Stderr}");
        }
    }

    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    public async Task<int> ExitAsync()
    {
        using var deadline = new CancellationTokenSource(_wait);
        await _process.WaitForExitAsync(deadline.Token);
        await _process.WaitForExitAsync(); // drains the output handlers
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Collect(StringBuilder into, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (into)
        {
            into.AppendLine(line);
        }
        _lines.Writer.TryWrite(line);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
