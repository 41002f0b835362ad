using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.TestServer;

namespace EduVpnActors.Benchmarks.Startup;

/// <summary>
/// The data directories the start-up benchmark runs the host on, made the way a user's would be: the signed discovery
/// lists cached (from a local discovery server that is then stopped, so discovery is a closed loopback port), one
/// custom server authorized on the portal double (which stays up: <c>connect</c> reaches it), servers imported from
/// an eduvpn-common <c>state.json</c> (real discovery entries, so <c>list</c> judges them delisted or not), and the
/// same with 3,000 imported servers; plus two stores whose registry wrote 10 and 10,000 journal events.
/// </summary>
internal sealed class StartupLab : IAsyncDisposable
{
    private long _firstPortalRequest;

    private StartupLab(string root, PortalTestServer portal, string configFile)
    {
        Root = root;
        Portal = portal;
        ConfigFile = configFile;
        portal.Intercept = _ =>
        {
            Interlocked.CompareExchange(ref _firstPortalRequest, Stopwatch.GetTimestamp(), 0);
            return Task.FromResult(false);
        };
    }

    public string Root { get; }

    public PortalTestServer Portal { get; }

    /// <summary>HOCON for every run: discovery on a closed loopback port, the test certificate trusted (for the portal).</summary>
    public string ConfigFile { get; }

    public string Handful => Path.Combine(Root, "handful");

    public string Many => Path.Combine(Root, "many");

    public string History(int events) => Path.Combine(Root, $"history-{events}");

    /// <summary>Servers in <see cref="Handful"/>.</summary>
    public int HandfulCount { get; private set; }

    /// <summary>When the portal got its first request since <see cref="ResetFirstPortalRequest"/> (a <see cref="Stopwatch"/> timestamp; 0: none).</summary>
    public long FirstPortalRequest => Interlocked.Read(ref _firstPortalRequest);

    public void ResetFirstPortalRequest() => Interlocked.Exchange(ref _firstPortalRequest, 0);

    public static async Task<StartupLab> CreateAsync(int manyServers, int[] historyEvents)
    {
        var root = Directory.CreateTempSubdirectory("eduvpn-startup-").FullName;
        var portal = await PortalTestServer.StartAsync();
        var discovery = await DiscoveryTestServer.StartWithSnapshotAsync(DateTimeOffset.UtcNow.AddDays(-1));
        var hocon = $$"""
            eduvpn.discovery.base-url = "{{discovery.BaseUrl.AbsoluteUri}}"
            eduvpn.http.extra-trusted-certificate = "{{TestCertificate.PemPath}}"
            """;
        var configFile = Path.Combine(root, "host.conf");
        await File.WriteAllTextAsync(configFile, hocon);
        var lab = new StartupLab(root, portal, configFile);
        try
        {
            var overrides = ConfigurationFactory.ParseString(hocon + "\nakka.loglevel = ERROR\nakka.stdout-loglevel = ERROR");
            var (institutes, organization) = SnapshotEntries(DiscoveryTestServer.LoadSnapshot());
            var handful = StateJson(institutes.Take(2), [organization], custom: 2);
            lab.HandfulCount = await lab.PrepareAsync(lab.Handful, overrides, handful, authorize: true) ;
            var many = StateJson(institutes, [organization], custom: manyServers - institutes.Count - 1);
            await lab.PrepareAsync(lab.Many, overrides, many, authorize: false);
            foreach (var events in historyEvents)
            {
                await WriteHistoryAsync(lab.History(events), overrides, events);
            }
            // Discovery goes down; its port is closed from now on: every start is offline, from the cache.
            await discovery.DisposeAsync();
            return lab;
        }
        catch
        {
            await discovery.DisposeAsync();
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Caches both discovery lists, imports <paramref name="stateJson"/> and, when asked, adds the portal as an authorized custom server.</summary>
    private async Task<int> PrepareAsync(string dataDirectory, Config overrides, string stateJson, bool authorize)
    {
        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(dataDirectory, overrides, CultureInfo.InvariantCulture));
        var timeout = TimeSpan.FromSeconds(120);
        var servers = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(), timeout);
        var organizations = await engine.Runtime.Discovery.Ask<OrganizationListResponse>(new GetOrganizationList(), timeout);
        if (servers.Status.Source != DiscoverySource.Network || organizations.Status.Source != DiscoverySource.Network)
        {
            throw new InvalidOperationException($"caching discovery failed: {servers.Status.Source}, {organizations.Status.Source}");
        }
        var imported = await engine.Runtime.Registry.Ask<object>(new ImportEduVpnCommonState("import", Encoding.UTF8.GetBytes(stateJson), Apply: true), timeout);
        if (imported is not StateImported)
        {
            throw new InvalidOperationException($"import failed: {imported}");
        }
        if (authorize)
        {
            using var stop = new CancellationTokenSource();
            var changes = engine.StateChangesAsync(stop.Token);
            var login = Task.Run(async () =>
            {
                await foreach (var change in changes)
                {
                    if (change.Data is AuthorizationUrlData url)
                    {
                        using var browser = new TestBrowser();
                        var callback = await browser.AuthorizeAsync(url.Url, "alice", "alice-password");
                        using var _ = await browser.FollowAsync(callback);
                    }
                }
            });
            await engine.AddServerAsync(ServerType.Custom, Portal.BaseUrl.AbsoluteUri).WaitAsync(timeout);
            await stop.CancelAsync();
            await login.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return (await engine.ListServersAsync()).Count;
    }

    /// <summary>A registry that wrote exactly <paramref name="events"/> events: one added server, then alternating profile choices.</summary>
    private static async Task WriteHistoryAsync(string dataDirectory, Config overrides, int events)
    {
        await using var engine = EduVpnEngine.Start(new EduVpnEngineOptions(dataDirectory, overrides, CultureInfo.InvariantCulture));
        var id = new ServerId(ServerType.Custom, "https://history.example.org/");
        var timeout = TimeSpan.FromSeconds(120);
        await engine.Runtime.Registry.Ask<object>(new AddServerRecord("add", id, id.Identifier, LocalizedText.English("History"), null), timeout);
        // Sent in waves: the journal batches what arrives together, and the registry answers each after its write.
        const int Wave = 200;
        for (var n = 1; n < events; n += Wave)
        {
            var wave = Enumerable.Range(n, Math.Min(Wave, events - n))
                .Select(i => engine.Runtime.Registry.Ask<object>(new RecordProfileChoice($"p{i}", id, i % 2 == 0 ? "even" : "odd"), timeout));
            foreach (var reply in await Task.WhenAll(wave))
            {
                if (reply is not RegistryUpdated)
                {
                    throw new InvalidOperationException($"profile choice failed: {reply}");
                }
            }
        }
    }

    /// <summary>Institute Access base URLs and one organization id that the real discovery snapshot lists.</summary>
    private static (IReadOnlyList<string> Institutes, string Organization) SnapshotEntries(IReadOnlyDictionary<string, byte[]> snapshot)
    {
        var servers = JsonNode.Parse(snapshot["server_list.json"])!["server_list"]!.AsArray();
        var institutes = servers
            .Where(s => (string?)s!["server_type"] == "institute_access")
            .Select(s => (string)s!["base_url"]!)
            .ToArray();
        var organization = (string)JsonNode.Parse(snapshot["organization_list.json"])!["organization_list"]![0]!["org_id"]!;
        return (institutes, organization);
    }

    /// <summary>An eduvpn-common v2 state with these Institute Access and Secure Internet servers and <paramref name="custom"/> custom ones.</summary>
    private static string StateJson(IEnumerable<string> institutes, IEnumerable<string> organizations, int custom)
    {
        var list = new JsonObject();
        var entry = () => new JsonObject
        {
            ["profiles"] = new JsonObject { ["current"] = "" },
            ["last_authorize_time"] = "0001-01-01T00:00:00Z",
            ["expire_time"] = "0001-01-01T00:00:00Z",
        };
        foreach (var url in institutes)
        {
            list[$"1,{url}"] = entry();
        }
        foreach (var org in organizations)
        {
            var home = entry();
            home["country_code"] = "nl";
            list[$"2,{org}"] = home;
        }
        for (var i = 0; i < custom; i++)
        {
            list[string.Create(CultureInfo.InvariantCulture, $"3,https://vpn{i}.example.org/")] = entry();
        }
        return new JsonObject { ["v2"] = new JsonObject { ["server_list"] = list } }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    public async ValueTask DisposeAsync()
    {
        await Portal.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the temp directory is cleaned by the system then.
        }
    }
}
