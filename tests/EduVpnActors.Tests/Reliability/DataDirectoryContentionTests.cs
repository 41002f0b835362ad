using System.Globalization;
using System.Text.Json;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Tests.Support;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Reliability;

/// <summary>
/// One engine per data directory with real console processes started together: each ends with success
/// or, after its <c>--wait</c>, exit code 5 (DataDirectoryInUse) naming the holder; none crashes, nothing
/// acknowledged is lost, nothing refused is applied, and a SIGKILLed holder leaves no stale lock.
/// EDUVPN_LOCK_ROUNDS sets the number of rounds (4 by default).
/// </summary>
public sealed class DataDirectoryContentionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int InUseExitCode = 5;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    private LabHost _lab = null!;

    private HostProcess Host => _lab.Host;

    public async Task InitializeAsync() => _lab = await LabHost.StartAsync(logsIn: false);

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task ParallelProcesses_ManyRounds_EachSucceedsOrExits5_NoCrashNoLoss()
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("EDUVPN_LOCK_ROUNDS"), CultureInfo.InvariantCulture, out var r) ? r : 4;
        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        var refused = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        int runs = 0, succeeded = 0, inUse = 0;

        for (var round = 0; round < rounds; round++)
        {
            var patient = StateFile(round, "patient");
            var hasty = StateFile(round, "hasty");
            // Started together: the ones with a long --wait must get through; the others may be refused.
            var commands = new (string[] Args, bool MustSucceed, string? Imports)[]
            {
                (["import-state", patient.Path, "--apply", "--wait", "120"], true, patient.Url),
                (["import-state", hasty.Path, "--apply", "--wait", "0"], false, hasty.Url),
                (["servers", "--search", "lab", "--wait", "120"], true, null),
                (["servers", "--search", "lab", "--wait", "0"], false, null),
                (["list", "--wait", "0"], false, null),
                (["repair", "--wait", "0.2"], false, null),
            };
            var results = await Task.WhenAll(commands.Select(c => Host.RunAsync(c.Args, null, Timeout)));
            for (var i = 0; i < commands.Length; i++)
            {
                var (args, mustSucceed, imports) = commands[i];
                var run = results[i];
                runs++;
                var what = $"round {round}: `{string.Join(' ', args)}`";
                if (run.ExitCode == 0)
                {
                    succeeded++;
                    if (imports is not null)
                    {
                        acknowledged.Add(imports);
                    }
                }
                else if (run.ExitCode == InUseExitCode && !mustSucceed && run.Words.Contains("is in use by another engine", StringComparison.Ordinal))
                {
                    inUse++;
                    if (imports is not null)
                    {
                        refused.Add(imports);
                    }
                }
                else
                {
                    failures.Add($"{what} ended with exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
                }
            }
        }

        var list = await Host.RunAsync(["list"], null, Timeout);
        runs++;
        Assert.True(list.Acknowledged, $"the final list failed (exit {list.ExitCode}): {list.Stdout} {list.Stderr}");
        var listed = list.Json!.RootElement.GetProperty("servers").EnumerateArray()
            .Select(s => s.GetProperty("server").GetProperty("identifier").GetString()!).ToHashSet(StringComparer.Ordinal);
        var lost = acknowledged.Except(listed).ToArray();
        var phantoms = listed.Except(acknowledged).ToArray();

        Figures.Report(output, $"data directory contention: {rounds} rounds x 6 parallel console processes, {runs} runs: {succeeded} succeeded, "
            + $"{inUse} refused with exit 5 (DataDirectoryInUse), {failures.Count} crashes or other exits, {lost.Length} losses, {phantoms.Length} refused imports applied");
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }
        Assert.Empty(failures);
        Assert.Empty(lost);
        Assert.Empty(phantoms);
        Assert.Equal(rounds, acknowledged.Count(url => url.Contains("patient", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TwoServersSearchesAtOnce_OnAFreshDataDirectory_BothAnswer()
    {
        // Once one could die after 90 s with an unhandled AskTimeoutException (exit 134): the loser of the race
        // for the fresh database lost its discovery query with the actor that failed to write.
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Host.RunAsync(["servers", "--search", "lab", "--wait", "120"], null, Timeout)));

        Assert.All(runs, run =>
        {
            Assert.True(run.Acknowledged, $"exit {run.ExitCode}: {run.Stdout} {run.Stderr}");
            Assert.NotEmpty(run.Json!.RootElement.GetProperty("results").EnumerateArray());
        });
    }

    [Fact]
    public async Task HolderWaitsForALogin_SecondExits5NamingItsPid_AfterSigkillTheNextStartsAtOnce()
    {
        using var killHolder = new CancellationTokenSource();
        var asked = new TaskCompletionSource<AuthorizationAsked>(TaskCreationOptions.RunContinuationsAsynchronously);
        // `add` holds the engine (and its lock) while it waits for a login nobody does.
        var holder = Host.RunAsync(["add", "custom", _lab.Lab.InstituteUrl], null, Timeout, kill: killHolder.Token, asked: asked);
        var holderPid = (await asked.Task.WaitAsync(TimeSpan.FromSeconds(120))).ProcessId;

        var second = await Host.RunAsync(["list", "--wait", "1"], null, Timeout);

        Assert.Equal(InUseExitCode, second.ExitCode);
        Assert.Contains($"process {holderPid}", second.Words, StringComparison.Ordinal);
        Assert.Contains("not released within 1 s", second.Words, StringComparison.Ordinal);

        await killHolder.CancelAsync();
        var killed = await holder;
        Assert.True(killed.Killed);
        Assert.Equal(holderPid, DataDirectoryLock.ReadHolder(_lab.Store)); // the dead holder's pid stays in the file...

        var third = await Host.RunAsync(["list", "--wait", "0"], null, Timeout);

        Assert.True(third.Acknowledged, $"exit {third.ExitCode}: {third.Stdout} {third.Stderr}"); // ...but its lock is gone
        Assert.Equal(0, second.LoginsAsked + third.LoginsAsked);
    }

    /// <summary>An eduvpn-common v2 state with one custom server of its own.</summary>
    private (string Path, string Url) StateFile(int round, string name)
    {
        var url = $"https://{name}-{round}.contention.example.org/";
        var path = System.IO.Path.Combine(_lab.Work, $"state-{name}-{round}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            v2 = new
            {
                server_list = new Dictionary<string, object>
                {
                    [$"3,{url}"] = new { profiles = new { current = "" }, last_authorize_time = "0001-01-01T00:00:00Z", expire_time = "0001-01-01T00:00:00Z" },
                },
                last_chosen_id = $"3,{url}",
            },
        }));
        return (path, url);
    }
}
