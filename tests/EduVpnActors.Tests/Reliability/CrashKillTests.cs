using System.Globalization;
using System.Text.Json;
using EduVpnActors.Tests.Client;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Reliability;

/// <summary>
/// Crash safety with the real console host: commands (add, connect, profile, remove) are killed with
/// SIGKILL at random moments, and after every kill a fresh process must open the database and list
/// exactly the last acknowledged state. EDUVPN_CRASH_KILLS sets the number of kills (50 by default),
/// EDUVPN_CRASH_SEED the random seed (printed, so a failure can be replayed).
/// </summary>
/// <remarks>
/// What a killed command may leave behind (event sourcing persists step by step):
/// <list type="bullet">
/// <item>add: nothing, or the server without a profile; its tokens are then unknown (a later connect may log in).</item>
/// <item>connect: the old profile or the asked one (<c>--profile</c> chooses and remembers it); acknowledged tokens stay valid.</item>
/// <item>profile: the old or the new profile.</item>
/// <item>remove: nothing, or the server with its profile; its tokens are then unknown (they are forgotten first).</item>
/// </list>
/// Anything else is a loss: an acknowledged server or profile missing, a server nobody added, a record
/// with wrong fields, a database that does not open, or a login asked for although tokens were acknowledged.
/// </remarks>
public sealed class CrashKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Profiles = ["default", "wg-only", "ovpn-only"];

    private ClientFlowLab _lab = null!;
    private HostProcess _host = null!;
    private string _configFile = null!;

    public async Task InitializeAsync()
    {
        _lab = await ClientFlowLab.StartAsync(startEngine: false);
        _lab.DataDirectory.Create();
        _configFile = Path.Combine(Path.GetTempPath(), $"eduvpn-crash-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(_configFile, _lab.WorldHocon());
        _host = new HostProcess(_lab.DataDirectory.Path, _configFile);
    }

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        File.Delete(_configFile);
    }

    [Fact]
    public async Task RandomKills_RestartListsTheLastAcknowledgedState_NoLossAndNoSecondLogin()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("EDUVPN_CRASH_KILLS"), CultureInfo.InvariantCulture, out var k) ? k : 50;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("EDUVPN_CRASH_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}, host {HostProcess.HostDll}");

        // Two servers of the same portal: an institute (via discovery) and a custom one (any URL).
        var servers = new[]
        {
            new LabServer("institute", _lab.InstituteUrl, "institute_access"),
            new LabServer("custom", _lab.SecondLocationUrl, "custom"),
        };
        var model = servers.ToDictionary(x => x.Url, _ => ServerState.Absent);
        var durations = new Dictionary<string, TimeSpan>();
        var losses = new List<string>();
        int killCount = 0, acknowledged = 0, runs = 0, loginsExpected = 0;

        while (killCount < kills && losses.Count == 0)
        {
            var server = servers[random.Next(servers.Length)];
            var before = model[server.Url];
            var profile = Profiles[random.Next(Profiles.Length)];
            var (op, command) = !before.Present
                ? ("add", new[] { "add", server.Kind, server.Url })
                : random.Next(10) switch
                {
                    < 5 => ("connect", new[] { "connect", server.Url, "--profile", profile }),
                    < 8 => ("profile", new[] { "profile", server.Url, profile }),
                    _ => ("remove", new[] { "remove", server.Url }),
                };
            // Most runs are killed, somewhere between the start-up and a little after the usual end.
            var typical = durations.TryGetValue(op, out var d) ? d : TimeSpan.FromSeconds(2.5);
            TimeSpan? killAfter = random.Next(20) < 17 ? typical * (0.3 + (random.NextDouble() * 0.8)) : null;

            var run = await _host.RunAsync(command, killAfter, Timeout);
            runs++;
            if (run.LoginsAsked > 0 && before.TokensAcknowledged)
            {
                losses.Add($"`{string.Join(' ', command)}` asked for a login although tokens were acknowledged");
            }
            loginsExpected += run.LoginsAsked;

            if (run.Acknowledged)
            {
                acknowledged++;
                durations[op] = durations.TryGetValue(op, out var old) ? (old + run.Duration) / 2 : run.Duration;
                model[server.Url] = op switch
                {
                    "add" => new ServerState(true, null, TokensAcknowledged: true),
                    "connect" => before with { Profile = run.Json!.RootElement.GetProperty("profile").GetString(), TokensAcknowledged = true },
                    "profile" => before with { Profile = run.Json!.RootElement.GetProperty("server").GetProperty("profile").GetString() },
                    _ => ServerState.Absent,
                };
                if (op == "connect" && !run.Json!.RootElement.GetProperty("config").GetString()!.Contains("[Interface]", StringComparison.Ordinal)
                    && !run.Json.RootElement.GetProperty("config").GetString()!.Contains("remote ", StringComparison.Ordinal))
                {
                    losses.Add($"`connect` acknowledged without a usable configuration: {run.Stdout}");
                }
                continue;
            }
            if (!run.Killed)
            {
                Assert.Fail($"`{string.Join(' ', command)}` failed by itself (exit {run.ExitCode}): {run.Stdout} {run.Stderr}");
            }
            killCount++;

            // Restart after the kill: the database must open and hold one of the allowed states.
            var list = await _host.RunAsync(["list"], null, Timeout);
            runs++;
            if (!list.Acknowledged)
            {
                losses.Add($"after killing `{string.Join(' ', command)}` the restarted host failed (exit {list.ExitCode}): {list.Stdout} {list.Stderr}");
                break;
            }
            var listed = Listed(list.Json!, servers, losses);
            foreach (var other in servers.Where(x => x != server))
            {
                if (!Same(model[other.Url], listed.GetValueOrDefault(other.Url)))
                {
                    losses.Add($"killing `{string.Join(' ', command)}` changed {other.Name}: expected {model[other.Url]}, listed {Show(listed.GetValueOrDefault(other.Url))}");
                }
            }
            var after = listed.GetValueOrDefault(server.Url);
            if (Allowed(op, before, profile, after) is { } next)
            {
                model[server.Url] = next;
            }
            else
            {
                losses.Add($"killing `{string.Join(' ', command)}` after {run.Duration.TotalMilliseconds:0} ms left {server.Name} as {Show(after)} (before: {before})");
            }
        }

        // Afterwards: every server whose tokens were acknowledged connects without a new login.
        foreach (var server in servers.Where(x => model[x.Url].TokensAcknowledged))
        {
            var connect = await _host.RunAsync(["connect", server.Url, "--profile", "default"], null, Timeout);
            runs++;
            Assert.True(connect.Acknowledged, $"final connect of {server.Name} failed: {connect.Stdout} {connect.Stderr}");
            if (connect.LoginsAsked > 0)
            {
                losses.Add($"final connect of {server.Name} asked for a login although tokens were acknowledged");
            }
        }

        Figures.Report(output, $"crash kills: {killCount}, losses: {losses.Count}, acknowledged commands: {acknowledged}, host runs: {runs}, logins: {_host.Logins} (asked {loginsExpected})");
        foreach (var loss in losses)
        {
            output.WriteLine("LOSS: " + loss);
        }
        Assert.Empty(losses);
        Assert.Equal(kills, killCount);
    }

    /// <summary>The state after a killed <paramref name="op"/>, or null when it is not an allowed outcome.</summary>
    private static ServerState? Allowed(string op, ServerState before, string asked, ListedServer? after)
    {
        switch (op)
        {
            case "add":
                // Not stored, or stored (maybe with its authorization): a later connect may log in.
                return after is null ? ServerState.Absent
                    : after.Profile is null ? new ServerState(true, null, TokensAcknowledged: false) : null;
            case "remove":
                // Tokens are forgotten before the record: a surviving record may have lost them.
                return after is null ? ServerState.Absent
                    : after.Profile == before.Profile && (!before.TokensAcknowledged || after.Authorized) ? before with { TokensAcknowledged = false } : null;
            case "connect":
            case "profile":
                if (after is null || (before.TokensAcknowledged && !after.Authorized))
                {
                    return null;
                }
                // Both choose the asked profile (connect --profile as the profile command would): the old or the new one.
                return after.Profile == before.Profile || after.Profile == asked ? before with { Profile = after.Profile } : null;
            default:
                return null;
        }
    }

    private static bool Same(ServerState expected, ListedServer? listed) =>
        expected.Present
            ? listed is not null && listed.Profile == expected.Profile && (!expected.TokensAcknowledged || listed.Authorized)
            : listed is null;

    private static Dictionary<string, ListedServer> Listed(JsonDocument json, IReadOnlyList<LabServer> known, List<string> losses)
    {
        var result = new Dictionary<string, ListedServer>();
        foreach (var entry in json.RootElement.GetProperty("servers").EnumerateArray())
        {
            var record = entry.GetProperty("server");
            var identifier = record.GetProperty("identifier").GetString();
            var server = known.FirstOrDefault(x => x.Url == identifier);
            if (server is null || record.GetProperty("type").GetString() != server.Type
                || record.GetProperty("base_url").GetString() != server.Url || record.GetProperty("id").GetString() is not { Length: > 0 })
            {
                losses.Add($"a record nobody added or with wrong fields: {record}");
                continue;
            }
            if (!result.TryAdd(server.Url, new ListedServer(
                    record.GetProperty("profile").GetString(),
                    record.GetProperty("last_authorized_at").ValueKind != JsonValueKind.Null)))
            {
                losses.Add($"{server.Name} listed twice");
            }
        }
        return result;
    }

    private static string Show(ListedServer? listed) => listed?.ToString() ?? "absent";

    private sealed record LabServer(string Kind, string Url, string Type)
    {
        public string Name => Kind;
    }

    /// <summary>What the test knows for sure about a server.</summary>
    private sealed record ServerState(bool Present, string? Profile, bool TokensAcknowledged)
    {
        public static ServerState Absent { get; } = new(false, null, false);
    }

    private sealed record ListedServer(string? Profile, bool Authorized);
}
