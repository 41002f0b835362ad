using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Errors;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Tests.Discovery;

/// <summary>
/// The discovery actor against a real HTTPS discovery server on 127.0.0.1 and a real SQLite journal.
/// </summary>
public sealed class DiscoveryActorTests : TestKit, IAsyncLifetime
{
    private const long SnapshotVersion = 1671801755;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly TempDataDirectory _dataDir;
    private readonly EngineHttpClient _http = new(TestCertificate.TrustingPolicy());
    private readonly TestMinisignSigner _signer = new();
    private DateTimeOffset _lastModified = DateTimeOffset.UtcNow.AddDays(-1);
    private DiscoveryTestServer _server = null!;

    public DiscoveryActorTests() : this(new TempDataDirectory())
    {
    }

    private DiscoveryActorTests(TempDataDirectory dataDir) : base(EngineTestConfig.OnSqlite(dataDir.Path), "discovery-tests")
    {
        _dataDir = dataDir;
    }

    public async Task InitializeAsync() => _server = await DiscoveryTestServer.StartWithSnapshotAsync(DateTimeOffset.UtcNow.AddDays(-1));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
        _signer.Dispose();
        Shutdown();
        _dataDir.Dispose();
    }

    [Fact]
    public async Task FirstStart_ServerUp_FetchesAndVerifiesTheRealSnapshot()
    {
        var discovery = StartDiscovery(Sys);

        var response = await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);

        Assert.Equal(DiscoverySource.Network, response.Status.Source);
        Assert.Equal(SnapshotVersion, response.Status.Version);
        Assert.Null(response.Status.Warning);
        Assert.Equal(131, response.List.Servers.Count);
    }

    [Fact]
    public async Task Start_FetchesServerListButNotOrganizations()
    {
        var discovery = StartDiscovery(Sys);
        await discovery.Ask<ServerListResponse>(new GetServerList(AllowRefresh: false), Wait);

        await AwaitAssertAsync(() => Assert.Contains(_server.Requests, r => r.Path.EndsWith("server_list.json")), Wait);
        Assert.DoesNotContain(_server.Requests, r => r.Path.Contains("organization_list"));

        var organizations = await discovery.Ask<OrganizationSearchResponse>(new SearchOrganizations("amsterdam"), Wait);
        Assert.Equal(DiscoverySource.Network, organizations.Status.Source);
        Assert.Contains(_server.Requests, r => r.Path.EndsWith("organization_list.json"));
        Assert.NotEmpty(organizations.Results);
        Assert.Contains("amsterdam", organizations.Results[0].DisplayName, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task NextRun_SendsIfModifiedSince_And304KeepsTheCache()
    {
        var first = StartDiscovery(Sys);
        await first.Ask<ServerListResponse>(new GetServerList(), Wait);
        await StopAsync(first);
        _server.ClearRequests();

        var second = StartDiscovery(Sys);
        var response = await second.Ask<ServerListResponse>(new GetServerList(), Wait);

        var conditional = Assert.Single(_server.Requests, r => r.Path.EndsWith("server_list.json"));
        Assert.NotNull(conditional.IfModifiedSince);
        Assert.Equal(304, conditional.Status);
        Assert.Equal(DiscoverySource.Cache, response.Status.Source);
        Assert.Equal(SnapshotVersion, response.Status.Version);
        Assert.Null(response.Status.Warning);
    }

    [Fact]
    public async Task ServerDown_FirstStart_AnswersWithTheVerifiedBundledCopyAndAWarning()
    {
        await _server.StopAsync();
        var discovery = StartDiscovery(Sys);

        var response = await discovery.Ask<ServerSearchResponse>(new SearchServers("surf"), Wait);

        Assert.Equal(DiscoverySource.Bundled, response.Status.Source);
        Assert.Equal(SnapshotVersion, response.Status.Version);
        Assert.Equal(DiscoveryWarningKind.FetchFailed, response.Status.Warning?.Kind);
        Assert.Equal(HttpErrorKind.Network, response.Status.Warning?.Http);
        Assert.NotEmpty(response.Results);
    }

    [Fact]
    public async Task ServerDown_WithCache_AnswersFromTheCacheWithAWarning()
    {
        var first = StartDiscovery(Sys);
        await first.Ask<ServerListResponse>(new GetServerList(), Wait);
        await StopAsync(first);
        await _server.StopAsync();

        var second = StartDiscovery(Sys);
        var response = await second.Ask<ServerListResponse>(new GetServerList(), Wait);

        Assert.Equal(DiscoverySource.Cache, response.Status.Source);
        Assert.Equal(SnapshotVersion, response.Status.Version);
        Assert.Equal(DiscoveryWarningKind.FetchFailed, response.Status.Warning?.Kind);
    }

    [Fact]
    public async Task Restart_NewActorSystemOnTheSameDatabase_RecoversTheCacheWithoutNetwork()
    {
        var firstSystem = ActorSystem.Create("first-run", EngineTestConfig.OnSqlite(_dataDir.Path));
        var first = StartDiscovery(firstSystem);
        var fetched = await first.Ask<ServerListResponse>(new GetServerList(), Wait);
        Assert.Equal(DiscoverySource.Network, fetched.Status.Source);
        await firstSystem.Terminate();
        await _server.StopAsync();

        var secondSystem = ActorSystem.Create("second-run", EngineTestConfig.OnSqlite(_dataDir.Path));
        try
        {
            var second = StartDiscovery(secondSystem);
            var response = await second.Ask<ServerListResponse>(new GetServerList(AllowRefresh: false), Wait);
            Assert.Equal(DiscoverySource.Cache, response.Status.Source);
            Assert.Equal(SnapshotVersion, response.Status.Version);
            Assert.Equal(fetched.Status.CheckedAt, response.Status.CheckedAt);
            Assert.Equal(131, response.List.Servers.Count);
        }
        finally
        {
            await secondSystem.Terminate();
        }
    }

    [Fact]
    public async Task BadSignature_KeepsTheOldListWithATypedWarning()
    {
        Publish(ServerListJson(2000, "https://a.example.org/"), timestamp: 2000);
        var discovery = StartDiscovery(Sys, [_signer.PublicKey]);
        await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);

        _server.SetFile("server_list.json", ServerListJson(3000, "https://evil.example.org/"), NextModified());
        // The signature still covers the old document: the new bytes do not verify.
        var response = await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);

        Assert.Equal(2000, response.Status.Version);
        Assert.Equal(DiscoveryWarningKind.SignatureRejected, response.Status.Warning?.Kind);
        Assert.Equal(SignatureErrorKind.InvalidSignature, response.Status.Warning?.Signature);
        Assert.Equal("https://a.example.org/", Assert.Single(response.List.Servers).BaseUrl);
    }

    [Fact]
    public async Task Rollback_SignedBeforeTheHeldVersion_IsRefused()
    {
        Publish(ServerListJson(2000, "https://a.example.org/"), timestamp: 2000);
        var discovery = StartDiscovery(Sys, [_signer.PublicKey]);
        await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);

        Publish(ServerListJson(3000, "https://old.example.org/"), timestamp: 1999);
        var response = await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);

        Assert.Equal(DiscoveryWarningKind.RollbackRefused, response.Status.Warning?.Kind);
        Assert.Equal(SignatureErrorKind.SignTimeTooOld, response.Status.Warning?.Signature);
        Assert.Equal(2000, response.Status.Version);
    }

    [Fact]
    public async Task LowerVersion_FreshlySigned_IsNeverUsed()
    {
        Publish(ServerListJson(2000, "https://a.example.org/"), timestamp: 2000);
        var discovery = StartDiscovery(Sys, [_signer.PublicKey]);
        await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);

        Publish(ServerListJson(1000, "https://old.example.org/"), timestamp: 5000);
        var response = await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);

        Assert.Equal(DiscoveryWarningKind.RollbackRefused, response.Status.Warning?.Kind);
        Assert.Null(response.Status.Warning?.Signature);
        Assert.Equal("https://a.example.org/", Assert.Single(response.List.Servers).BaseUrl);
    }

    [Fact]
    public async Task EqualVersion_KeepsTheHeldCopy()
    {
        Publish(ServerListJson(2000, "https://a.example.org/"), timestamp: 2000);
        var discovery = StartDiscovery(Sys, [_signer.PublicKey]);
        await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);

        Publish(ServerListJson(2000, "https://changed.example.org/"), timestamp: 2500);
        var response = await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);

        Assert.Null(response.Status.Warning);
        Assert.Equal("https://a.example.org/", Assert.Single(response.List.Servers).BaseUrl);
    }

    [Fact]
    public async Task NewerVersion_ReplacesTheListCompletely()
    {
        Publish(ServerListJson(2000, "https://a.example.org/", "https://b.example.org/"), timestamp: 2000);
        var discovery = StartDiscovery(Sys, [_signer.PublicKey]);
        await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);

        Publish(ServerListJson(3000, "https://c.example.org/"), timestamp: 3000);
        var response = await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);

        Assert.Equal(3000, response.Status.Version);
        Assert.Equal("https://c.example.org/", Assert.Single(response.List.Servers).BaseUrl);
    }

    [Fact]
    public async Task EmptyList_KeepsTheHeldList()
    {
        Publish(ServerListJson(2000, "https://a.example.org/"), timestamp: 2000);
        var discovery = StartDiscovery(Sys, [_signer.PublicKey]);
        await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);

        Publish(ServerListJson(3000), timestamp: 3000);
        var response = await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);

        Assert.Equal(DiscoveryWarningKind.EmptyList, response.Status.Warning?.Kind);
        Assert.Single(response.List.Servers);
    }

    [Fact]
    public async Task MalformedButSignedDocument_IsATypedWarning()
    {
        Publish("{\"v\": 2000, \"server_list\": [{\"base_url\": 5}"u8.ToArray(), timestamp: 2000);
        var discovery = StartDiscovery(Sys, [_signer.PublicKey]);

        var response = await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);

        Assert.Equal(DiscoveryWarningKind.MalformedDocument, response.Status.Warning?.Kind);
    }

    [Fact]
    public async Task ServerListFetchedAtStart_IsNotFetchedAgainWithinTheHour()
    {
        var time = new ManualTimeProvider();
        var discovery = StartDiscovery(Sys, time: time);
        await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);
        await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);
        Assert.Single(_server.Requests, r => r.Path.EndsWith("server_list.json"));

        time.Advance(TimeSpan.FromMinutes(61));
        await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);
        Assert.Equal(2, _server.Requests.Count(r => r.Path.EndsWith("server_list.json")));
    }

    [Fact]
    public async Task ConcurrentQueries_DuringOneFetch_AreAllAnsweredFromOneDownload()
    {
        _server.SetFailure("server_list.json", new DiscoveryFailure(Delay: TimeSpan.FromMilliseconds(500)));
        var discovery = StartDiscovery(Sys);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => discovery.Ask<ServerListResponse>(new GetServerList(), Wait)));

        Assert.All(answers, a => Assert.Equal(SnapshotVersion, a.Status.Version));
        Assert.Single(_server.Requests, r => r.Path.EndsWith("server_list.json"));
    }

    [Fact]
    public async Task ManyRefreshes_KeepTheJournalShortThroughSnapshots()
    {
        var time = new ManualTimeProvider();
        var discovery = StartDiscovery(Sys, time: time);
        for (var i = 0; i < 45; i++)
        {
            await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);
        }

        await AwaitAssertAsync(() => Assert.True(JournalRows() < 25, $"journal rows: {JournalRows()}"), Wait);
    }

    private IActorRef StartDiscovery(ActorSystem system, IReadOnlyList<string>? keys = null, TimeProvider? time = null)
    {
        var settings = new DiscoverySettings(_server.BaseUrl, keys ?? MinisignVerifier.ProductionKeys, false, TimeSpan.FromHours(1), 20);
        return system.ActorOf(DiscoveryActor.Props(settings, _http, time));
    }

    private async Task StopAsync(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor, Wait);
    }

    // Each publication is a minute newer than the last, so If-Modified-Since never hides a change.
    private DateTimeOffset NextModified() => _lastModified = _lastModified.AddMinutes(1);

    private void Publish(byte[] document, ulong timestamp, string fileName = "server_list.json")
    {
        var modified = NextModified();
        _server.SetFile(fileName, document, modified);
        _server.SetFile(fileName + ".minisig", Encoding.UTF8.GetBytes(_signer.Sign(document, timestamp, fileName)), modified);
    }

    private static byte[] ServerListJson(long version, params string[] baseUrls) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        v = version,
        server_list = baseUrls.Select((url, i) => new
        {
            base_url = url,
            server_type = "institute_access",
            display_name = new Dictionary<string, string> { ["en"] = $"Institute {i}", ["nl"] = $"Instituut {i}" },
            keyword_list = "test",
        }),
    });

    private long JournalRows()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir.Path, "eduvpn-actors.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal";
        return (long)command.ExecuteScalar()!;
    }
}
