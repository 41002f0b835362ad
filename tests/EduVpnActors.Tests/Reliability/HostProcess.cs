using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Reliability;

/// <summary>How one run of the console host ended.</summary>
/// <param name="Killed">The test killed it (SIGKILL) before it exited by itself.</param>
/// <param name="ExitCode">The process's exit code (137 or similar after a kill).</param>
/// <param name="Json">The JSON the command printed on stdout, or null when there was none (or it was cut off).</param>
/// <param name="LoginsAsked">How many authorization URLs it printed on stderr.</param>
internal sealed record HostRun(bool Killed, int ExitCode, JsonDocument? Json, int LoginsAsked, string Stdout, string Stderr, TimeSpan Duration)
{
    /// <summary>Acknowledged: the command printed its JSON result and exited 0.</summary>
    public bool Acknowledged => ExitCode == 0 && Json is not null;

    /// <summary>Stdout as one line of words: the console wraps long lines (at a space or within a word).</summary>
    public string Words => WordsOf(Stdout);

    /// <summary>Stderr (errors, hints, prompts) as one line of words, like <see cref="Words"/>.</summary>
    public string StderrWords => WordsOf(Stderr);

    private static string WordsOf(string text) => string.Join(' ', text.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>How one run of the console host is started, beyond its command.</summary>
/// <param name="Json">Pass <c>--json</c> (the default); false runs it as a person would (tables and lines).</param>
/// <param name="Environment">Variables set (a null value removes one) for this run.</param>
/// <param name="IgnoreInterrupt">Start it with SIGINT ignored, as a shell starts a background job (<c>trap '' INT</c>).</param>
internal sealed record HostRunOptions(bool Json = true, IReadOnlyDictionary<string, string?>? Environment = null, bool IgnoreInterrupt = false);

/// <summary>An authorization URL the host printed, and the process that waits for its callback.</summary>
internal sealed record AuthorizationAsked(int ProcessId, Uri Url);

/// <summary>
/// Runs the real console host (<c>eduvpn-actors.dll</c>, built with the tests) as a child process
/// against a lab, logging in with a <see cref="TestBrowser"/> whenever it prints an authorization
/// URL (with no DISPLAY the host only prints it), and optionally killing it with SIGKILL.
/// </summary>
internal sealed class HostProcess
{
    private readonly string _dataDirectory;
    private readonly string _configFile;

    public HostProcess(string dataDirectory, string configFile)
    {
        _dataDirectory = dataDirectory;
        _configFile = configFile;
    }

    /// <summary>A host whose store and <c>--config</c> file (holding <paramref name="hocon"/>) live in <paramref name="data"/>.</summary>
    public static HostProcess In(Support.TempDataDirectory data, string hocon)
    {
        Directory.CreateDirectory(data.Path);
        var config = Path.Combine(data.Path, "host.conf");
        File.WriteAllText(config, hocon);
        return new HostProcess(Path.Combine(data.Path, "store"), config);
    }

    /// <summary>The <c>--data-dir</c> it runs with.</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>The <c>--config</c> file it runs with.</summary>
    public string ConfigFile => _configFile;

    /// <summary>The host's dll: next to the repository's Host build output of the same configuration.</summary>
    public static string HostDll { get; } = FindHostDll();

    /// <summary>When false, authorization URLs are counted but nobody logs in (the command waits for the callback).</summary>
    public bool LogsIn { get; init; } = true;

    /// <summary>Logins completed by the browser (the callback was followed).</summary>
    public int Logins => _logins;

    private int _logins;

    /// <summary>
    /// Runs one command; kills it after <paramref name="killAfter"/> or when <paramref name="kill"/> is cancelled,
    /// when it is still running. <paramref name="asked"/> gets the first authorization URL it prints (and its process id).
    /// </summary>
    public async Task<HostRun> RunAsync(IReadOnlyList<string> command, TimeSpan? killAfter, TimeSpan timeout,
        HostRunOptions? options = null, CancellationToken kill = default, TaskCompletionSource<AuthorizationAsked>? asked = null)
    {
        options ??= new HostRunOptions();
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(options.IgnoreInterrupt ? "sh" : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (options.IgnoreInterrupt)
        {
            // The shell ignores SIGINT and becomes the host (same process id): the host inherits the ignored signal.
            foreach (var part in new[] { "-c", "trap '' INT; exec \"$0\" \"$@\"", dotnet })
            {
                start.ArgumentList.Add(part);
            }
        }
        start.ArgumentList.Add(HostDll);
        foreach (var part in new[] { "--data-dir", _dataDirectory, "--config", _configFile }.Concat(options.Json ? ["--json"] : []).Concat(command))
        {
            start.ArgumentList.Add(part);
        }
        // No desktop: the host prints the authorization URL instead of opening a browser.
        start.Environment.Remove("DISPLAY");
        start.Environment.Remove("WAYLAND_DISPLAY");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_TieredPGO"] = "0";
        foreach (var (name, value) in options.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var loginsAsked = 0;
        using var stop = new CancellationTokenSource();
        var logins = new List<Task>();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
                if (e.Data.StartsWith("https://", StringComparison.Ordinal) && e.Data.Contains("/oauth/authorize", StringComparison.Ordinal))
                {
                    loginsAsked++;
                    asked?.TrySetResult(new AuthorizationAsked(process.Id, new Uri(e.Data.Trim())));
                    if (LogsIn)
                    {
                        logins.Add(Task.Run(() => LogInAsync(new Uri(e.Data.Trim()), stop.Token)));
                    }
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();

        var killed = false;
        using (var deadline = new CancellationTokenSource(timeout))
        {
            var exited = process.WaitForExitAsync(deadline.Token);
            if (killAfter is not null || kill.CanBeCanceled)
            {
                var first = await Task.WhenAny(exited, Task.Delay(killAfter ?? Timeout.InfiniteTimeSpan, kill).ContinueWith(_ => { }, TaskScheduler.Default));
                if (first != exited && !process.HasExited)
                {
                    try
                    {
                        process.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no flush
                        killed = true;
                    }
                    catch (InvalidOperationException)
                    {
                        // It exited between the check and the kill.
                    }
                }
            }
            try
            {
                await exited;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException($"`{string.Join(' ', command)}` ran longer than {timeout}: {stderr}");
            }
        }
        await process.WaitForExitAsync(); // drains the output handlers
        await stop.CancelAsync();
        Task[] pending;
        lock (stderr)
        {
            pending = [.. logins];
        }
        await Task.WhenAll(pending);

        var text = stdout.ToString();
        JsonDocument? json = null;
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                json = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                // Cut off by the kill.
            }
        }
        return new HostRun(killed, process.ExitCode, json, loginsAsked, text, stderr.ToString(), clock.Elapsed);
    }

    private async Task LogInAsync(Uri url, CancellationToken ct)
    {
        try
        {
            using var browser = new TestBrowser();
            var callback = await browser.AuthorizeAsync(url, "alice", "alice-password", cancellationToken: ct);
            using var response = await browser.FollowAsync(callback, ct);
            Interlocked.Increment(ref _logins);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or TestBrowserException)
        {
            // The host was killed while the user logged in.
        }
    }

    private static string FindHostDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Parent?.Name ?? "Release"; // bin/<Configuration>/net10.0/
        var candidates = new[] { configuration, "Release", "Debug" }
            .Select(c => Path.Combine(TestPaths.RepoRoot, "src", "Host", "bin", c, "net10.0", "eduvpn-actors.dll"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("The console host is not built (it is a build dependency of the test project).", candidates.First());
    }
}
