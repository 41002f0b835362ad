using Akka.Configuration;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Import;
using EduVpnActors.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Tests.Servers.Registry;

/// <summary>
/// The registry actor on a real SQLite journal. Each <see cref="RunAsync{T}"/> is one run of the
/// engine (its own actor system, terminated afterwards), so two runs are a restart on the same file.
/// </summary>
public sealed class ServerRegistryActorTests : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly ServerId Custom = new(ServerType.Custom, "https://vpn.example.org/");
    private static readonly ServerId Institute = new(ServerType.InstituteAccess, "https://institute.example.org/");
    private static readonly ServerId Secure = new(ServerType.SecureInternet, "https://idp.example.org/");

    private readonly TempDataDirectory _dataDir;
    private readonly ManualTimeProvider _time = new();
    private int _runs;

    public ServerRegistryActorTests() : this(new TempDataDirectory())
    {
    }

    private ServerRegistryActorTests(TempDataDirectory dataDir) : base(EngineTestConfig.OnSqlite(dataDir.Path), "registry-tests")
    {
        _dataDir = dataDir;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Shutdown();
        _dataDir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EveryAcknowledgedChange_IsBackAfterRestart()
    {
        var before = await RunAsync(async registry =>
        {
            Assert.False((await Ask<ServerRecordAdded>(registry, AddCustom("1"))).AlreadyKnown);
            await Ask<ServerRecordAdded>(registry, new AddServerRecord("2", Institute, "https://institute.example.org", LocalizedText.English("Institute"), null));
            await Ask<ServerRecordAdded>(registry, new AddServerRecord("3", Secure, "https://home.example.org/", LocalizedText.English("IdP"), null));
            await Ask<RegistryUpdated>(registry, new RecordLocationChoice("4", Secure, "nl", "https://nl.example.org/"));
            await Ask<RegistryUpdated>(registry, new RecordProfileChoice("5", Secure, "nl-profile"));
            await Ask<RegistryUpdated>(registry, new RecordLocationChoice("6", Secure, "de", "https://de.example.org/"));
            await Ask<RegistryUpdated>(registry, new RecordProfileChoice("7", Secure, "de-profile"));
            await Ask<RegistryUpdated>(registry, new RecordAuthorization("8", Secure, _time.GetUtcNow().AddTicks(5)));
            await Ask<RegistryUpdated>(registry, new RecordConfigObtained("9", Secure, _time.GetUtcNow(), _time.GetUtcNow().AddDays(7)));
            await Ask<RegistryUpdated>(registry, new RecordProfileChoice("10", Custom, "office"));
            await Ask<RegistryUpdated>(registry, new RecordConfigObtained("11", Custom, _time.GetUtcNow(), _time.GetUtcNow().AddHours(8)));
            await Ask<RegistryUpdated>(registry, new RecordConfigReleased("12", Custom));
            await Ask<RegistryUpdated>(registry, new SelectCurrentServer("13", Institute));
            Assert.True((await Ask<ServerRecordRemoved>(registry, new RemoveServerRecord("14", Institute))).Existed);
            var updated = await Ask<RegistryUpdated>(registry, new SelectCurrentServer("15", Secure));
            Assert.Equal("15", updated.RequestId);
            return await Ask<ServerRecords>(registry, new GetServerRecords("q"));
        });

        var after = await RunAsync(registry => Ask<ServerRecords>(registry, new GetServerRecords("q")));

        Assert.Equal([Secure, Custom], after.Servers.Select(s => s.Id));
        Assert.Equal(before.Servers, after.Servers);
        Assert.Equal(Secure, after.Current);
        var secure = after.Servers[0];
        Assert.Equal("de-profile", secure.ProfileId);
        Assert.Equal(new Dictionary<string, string> { ["de"] = "de-profile", ["nl"] = "nl-profile" }, secure.ProfilesByLocation);
        Assert.Equal(_time.GetUtcNow(), secure.LastAuthorizedAt);
        Assert.Equal(_time.GetUtcNow().AddDays(7), secure.ConfigExpiresAt);
        Assert.Null(after.Servers[1].ConfigStartedAt);
        Assert.Equal("office", after.Servers[1].ProfileId);
    }

    [Fact]
    public async Task Refusals_ChangeNothing_NotEvenTheJournal()
    {
        var (rows, before) = await RunAsync(async registry =>
        {
            await Ask<ServerRecordAdded>(registry, AddCustom("a"));
            await Ask<ServerRecordAdded>(registry, new AddServerRecord("b", Secure, "https://home.example.org/", LocalizedText.Empty, null));
            var records = await Ask<ServerRecords>(registry, new GetServerRecords("q"));
            var journalRows = JournalRows();
            Assert.Equal(2, journalRows);

            IRegistryRequest[] refused =
            [
                new AddServerRecord("r1", new ServerId(ServerType.SecureInternet, "other"), "https://other.example.org/", LocalizedText.Empty, null),
                new AddServerRecord("r2", new ServerId(ServerType.Custom, "%zz"), "%zz", LocalizedText.Empty, null),
                new RecordProfileChoice("r3", Institute, "p"),
                new RecordLocationChoice("r4", Custom, "nl", "https://nl.example.org/"),
                new RecordConfigObtained("r5", Custom, _time.GetUtcNow(), _time.GetUtcNow().AddHours(-1)),
                new SelectCurrentServer("r6", Institute),
                new ImportEduVpnCommonState("r7", Encoding.UTF8.GetBytes("{\"v2\":{\"server_list\":{\"x\":{}}}}"), Apply: true),
            ];
            foreach (var request in refused)
            {
                var failed = await Ask<RegistryRequestFailed>(registry, request);
                Assert.Equal(request.RequestId, failed.RequestId);
            }
            Assert.Equal(records, await Ask<ServerRecords>(registry, new GetServerRecords("q")), RecordsComparer);
            Assert.Equal(journalRows, JournalRows());
            return (journalRows, records);
        });

        var after = await RunAsync(registry => Ask<ServerRecords>(registry, new GetServerRecords("q")));
        Assert.Equal(before, after, RecordsComparer);
        Assert.Equal(rows, JournalRows());
    }

    [Fact]
    public async Task ManyChanges_SnapshotsKeepTheJournalBounded_AndTheLastChangeRecovers()
    {
        const string hocon = "eduvpn.registry.snapshot-every = 5";
        var last = await RunAsync(async registry =>
        {
            await Ask<ServerRecordAdded>(registry, AddCustom("a"));
            RegistryUpdated? updated = null;
            for (var i = 1; i <= 60; i++)
            {
                updated = await Ask<RegistryUpdated>(registry, new RecordAuthorization($"r{i}", Custom, _time.GetUtcNow().AddMinutes(i)));
            }
            await AwaitAssertAsync(() => Assert.True(JournalRows() <= 6, $"journal rows: {JournalRows()}"), Wait);
            // Older snapshots are deleted asynchronously after each new one is saved.
            await AwaitAssertAsync(() => Assert.Equal(1, SnapshotRows()), Wait);
            return updated!.Server!;
        }, hocon);

        var recovered = await RunAsync(registry => Ask<ServerRecords>(registry, new GetServerRecords("q")), hocon);

        Assert.Equal(last, Assert.Single(recovered.Servers));
        Assert.Equal(_time.GetUtcNow().AddMinutes(60), last.LastAuthorizedAt);
        Assert.Equal(1, SnapshotRows());
    }

    [Fact]
    public async Task ImportV2_Applied_EveryFieldBackAfterRestart()
    {
        var (reply, before) = await RunAsync(async registry =>
        {
            var imported = await Ask<StateImported>(registry, Import(StateFiles.FullV2, apply: true));
            return (imported, await Ask<ServerRecords>(registry, new GetServerRecords("q")));
        });

        var after = await RunAsync(registry => Ask<ServerRecords>(registry, new GetServerRecords("q")));

        Assert.True(reply.Applied);
        Assert.Equal(3, reply.ServersAdded);
        Assert.Equal(before, after, RecordsComparer);
        Assert.Equal(new ServerId(ServerType.Custom, "https://custom.example.org/"), after.Current);
        var secure = after.Servers.Single(s => s.Id.Type == ServerType.SecureInternet);
        Assert.Equal(("nl", "https://nl.example.org/", "all"), (secure.LocationCountryCode, secure.LocationBaseUrl, secure.ProfileId));
        var custom = after.Servers.Single(s => s.Id.Type == ServerType.Custom);
        Assert.Equal(new DateTimeOffset(2024, 3, 8, 11, 34, 56, 123, TimeSpan.Zero), custom.ConfigExpiresAt);
    }

    [Fact]
    public async Task ImportV1_Applied_BackAfterRestartWithItsCurrentServer()
    {
        await RunAsync(registry => Ask<StateImported>(registry, Import(StateFiles.V1(isSecureInternet: 1), apply: true)));

        var after = await RunAsync(registry => Ask<ServerRecords>(registry, new GetServerRecords("q")));

        Assert.Equal(4, after.Servers.Count);
        Assert.Equal(new ServerId(ServerType.InstituteAccess, "https://institute.example.org/"), after.Current);
        Assert.Equal("staff", after.Servers.Single(s => s.Id == after.Current).ProfileId);
    }

    [Fact]
    public async Task ImportDryRun_ReportsThePlanAndChangesNothing()
    {
        var reply = await RunAsync(registry => Ask<StateImported>(registry, Import(StateFiles.FullV2, apply: false)));

        var after = await RunAsync(registry => Ask<ServerRecords>(registry, new GetServerRecords("q")));

        Assert.False(reply.Applied);
        Assert.Equal(3, reply.ServersAdded);
        Assert.Contains(reply.Plan, l => l.StartsWith("add ", StringComparison.Ordinal));
        Assert.Empty(after.Servers);
        Assert.Null(after.Current);
        Assert.Equal(0, JournalRows());
    }

    [Fact]
    public async Task ImportTwice_SecondAddsNothing()
    {
        var rows = await RunAsync(async registry =>
        {
            await Ask<StateImported>(registry, Import(StateFiles.FullV2, apply: true));
            return JournalRows();
        });

        var second = await RunAsync(registry => Ask<StateImported>(registry, Import(StateFiles.FullV2, apply: true)));

        Assert.Equal(4, rows);
        Assert.Equal(0, second.ServersAdded);
        Assert.Equal(3, second.ServersAlreadyKnown);
        Assert.Equal(rows, JournalRows());
    }

    [Fact]
    public async Task ImportMalformedFile_ImportsNothing()
    {
        var truncated = StateFiles.FullV2[..(StateFiles.FullV2.Length / 2)];

        var failed = await RunAsync(registry => Ask<RegistryRequestFailed>(registry, Import(truncated, apply: true)));
        var after = await RunAsync(registry => Ask<ServerRecords>(registry, new GetServerRecords("q")));

        Assert.Equal(RegistryErrorKind.ImportFailed, failed.Kind);
        Assert.Empty(after.Servers);
        Assert.Equal(0, JournalRows());
    }

    [Fact]
    public async Task EngineRuntime_StartsTheRegistryBehindItsSupervisor()
    {
        const string hocon = "eduvpn.discovery.base-url = \"https://127.0.0.1:9/\"";
        await using (var engine = EduVpnEngine.Start(new EduVpnEngineOptions(_dataDir.Path, ConfigurationFactory.ParseString(hocon), Time: _time)))
        {
            await Ask<ServerRecordAdded>(engine.Runtime.Registry, AddCustom("a"));
        }

        ServerRecords after;
        await using (var engine = EduVpnEngine.Start(new EduVpnEngineOptions(_dataDir.Path, ConfigurationFactory.ParseString(hocon), Time: _time)))
        {
            after = await Ask<ServerRecords>(engine.Runtime.Registry, new GetServerRecords("q"));
        }

        Assert.Equal(Custom, Assert.Single(after.Servers).Id);
    }

    private AddServerRecord AddCustom(string requestId) =>
        new(requestId, Custom, "https://vpn.example.org/", LocalizedText.English("vpn.example.org"), null);

    private static ImportEduVpnCommonState Import(string json, bool apply) =>
        new($"import-{apply}", Encoding.UTF8.GetBytes(json), apply);

    private static async Task<T> Ask<T>(IActorRef registry, IRegistryRequest request)
    {
        var reply = await registry.Ask<object>(request, Wait);
        return Assert.IsType<T>(reply);
    }

    private Task<T> RunAsync<T>(Func<IActorRef, Task<T>> body, string hocon = "") =>
        RunSystemAsync(system => body(system.ActorOf(ServerRegistryActor.Props(_time), "registry")), hocon);

    private async Task<T> RunSystemAsync<T>(Func<ActorSystem, Task<T>> body, string hocon = "")
    {
        var system = ActorSystem.Create($"run-{++_runs}", EngineTestConfig.OnSqlite(_dataDir.Path, hocon));
        try
        {
            return await body(system);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private long JournalRows() => Count("SELECT COUNT(*) FROM journal WHERE persistence_id = 'server-registry'");

    private long SnapshotRows() => Count("SELECT COUNT(*) FROM snapshot WHERE persistence_id = 'server-registry'");

    private long Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir.Path, "eduvpn-actors.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException e) when (e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return 0;
        }
    }

    private static readonly IEqualityComparer<ServerRecords> RecordsComparer = EqualityComparer<ServerRecords>.Create(
        (a, b) => a is not null && b is not null && a.Servers.SequenceEqual(b.Servers) && a.Current == b.Current,
        r => r.Servers.Count);
}
