using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit.Xunit2;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Persistence;

/// <summary>
/// <see cref="StorageGuardActor"/> around the real registry: a recovery that always fails is given up after the
/// bound (typed errors, no more restarts), and a journal failure leaves no requester without an answer.
/// </summary>
public sealed class StorageGuardTests : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly StorageGuardSettings Quick = new(3, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200));
    private readonly TempDataDirectory _dir;

    public StorageGuardTests() : this(new TempDataDirectory())
    {
    }

    private StorageGuardTests(TempDataDirectory dir) : base(EngineTestConfig.OnSqlite(dir.Path, Servers.Registry.SelectivelyFailingJournal.Hocon), "storage-guard-tests")
    {
        _dir = dir;
    }

    [Fact]
    public async Task RecoveryAlwaysFails_GivesUpAfterTheBound_EveryRequestGetsATypedStorageError()
    {
        await WriteUnreadableRegistryAsync();
        var system = ActorSystem.Create("unreadable", EngineTestConfig.OnSqlite(_dir.Path, "akka.loglevel = INFO"));
        try
        {
            var logs = CreateTestProbe(system);
            system.EventStream.Subscribe(logs, typeof(Warning));
            system.EventStream.Subscribe(logs, typeof(Error));
            var guard = system.ActorOf(StorageGuardActor.Props(ServerRegistryActor.Props(), "server-registry", Quick), "registry");

            var first = await guard.Ask<object>(new GetServerRecords("q1"), Wait);

            // The first request reached the recovering child and was never handled: refused from its dead letters.
            Assert.Equal(RegistryErrorKind.StorageFailed, Assert.IsType<RegistryRequestFailed>(first).Kind);
            var guardLog = new List<string>();
            while (!guardLog.Any(l => l.Contains("starts failed in a row", StringComparison.Ordinal)))
            {
                var message = await logs.ExpectMsgAsync<LogEvent>(Wait);
                if (message.LogSource.Contains("/user/registry", StringComparison.Ordinal) && !message.LogSource.Contains("server-registry", StringComparison.Ordinal))
                {
                    guardLog.Add(message.Message.ToString()!);
                }
            }
            Assert.Equal(Quick.MaxFailedStarts - 1, guardLog.Count(l => l.Contains("it starts again", StringComparison.Ordinal)));

            var afterwards = await guard.Ask<object>(Add("a1", "https://after.example.org/"), Wait);

            var refused = Assert.IsType<RegistryRequestFailed>(afterwards);
            Assert.Equal((RegistryErrorKind.StorageFailed, "a1"), (refused.Kind, refused.RequestId));
            Assert.Contains("could not be read", refused.Message, StringComparison.Ordinal);
            // Given up means given up: no further start (and its failure) within several back-offs.
            await Task.Delay(Quick.MaxBackoff * 3);
            Assert.DoesNotContain(logs.ReceiveWhile(TimeSpan.Zero, m => m as LogEvent), m => m!.LogSource.Contains("/user/registry", StringComparison.Ordinal));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task JournalFailsAWrite_EveryConcurrentRequestIsAnswered_AndTheRegistryServesAgain()
    {
        var guard = Sys.ActorOf(StorageGuardActor.Props(ServerRegistryActor.Props(), "server-registry", Quick), "registry");
        await guard.Ask<ServerRecordAdded>(Add("ok0", "https://ok-0.example.org/"), Wait);

        // The failing write first, the others right behind it: they wait in the actor's stash (or in its mailbox,
        // or at the guard during the restart) when the journal fails.
        var failing = guard.Ask<object>(Add("f", "https://fail.example.org/"), Wait);
        var others = Enumerable.Range(1, 8).Select(i => guard.Ask<object>(Add($"ok{i}", $"https://ok-{i}.example.org/"), Wait)).ToArray();

        var failed = Assert.IsType<RegistryRequestFailed>(await failing);
        Assert.Equal(RegistryErrorKind.StorageFailed, failed.Kind);
        var answers = await Task.WhenAll(others);
        var acknowledged = answers.OfType<ServerRecordAdded>().Select(a => a.Server.Id.Identifier).Append("https://ok-0.example.org/").ToHashSet();
        Assert.All(answers, a => Assert.True(a is ServerRecordAdded or RegistryRequestFailed { Kind: RegistryErrorKind.StorageFailed }, $"{a}"));

        var records = await guard.Ask<ServerRecords>(new GetServerRecords("q"), Wait);
        Assert.Equal(acknowledged, records.Servers.Select(s => s.Id.Identifier).ToHashSet());
        Assert.IsType<ServerRecordAdded>(await guard.Ask<object>(Add("late", "https://late.example.org/"), Wait));
    }

    [Fact]
    public void Refusals_HaveTheRepliesEachRequesterWaitsFor()
    {
        var server = new ServerId(ServerType.Custom, "https://x.example.org/");
        var envelope = (ISessionRequest request) => new SessionEnvelope(server, server.Identifier, null, null, request);

        Assert.Equal(RegistryErrorKind.StorageFailed, Assert.IsType<RegistryRequestFailed>(StorageRefusals.For(new GetServerRecords("r"), "why")).Kind);
        var session = Assert.IsType<SessionRequestFailed>(StorageRefusals.For(envelope(new EnsureAuthorized("s", true)), "why"));
        Assert.Equal(("s", SessionErrorKind.Storage, "why"), (session.RequestId, session.Failure.Kind, session.Failure.Message));
        Assert.Equal(new ConfigReleased("c", false), StorageRefusals.For(envelope(new ReleaseConfig("c", server.Identifier)), "why"));
        Assert.Null(StorageRefusals.For(envelope(new CancelAuthorization("x")), "why"));
        var list = Assert.IsType<ServerListResponse>(StorageRefusals.For(new GetServerList(), "why"));
        Assert.Equal((DiscoverySource.None, DiscoveryWarningKind.StorageFailed), (list.Status.Source, list.Status.Warning!.Kind));
        Assert.IsType<ServerSearchResponse>(StorageRefusals.For(new SearchServers("x"), "why"));
        Assert.IsType<OrganizationListResponse>(StorageRefusals.For(new GetOrganizationList(), "why"));
        Assert.IsType<OrganizationSearchResponse>(StorageRefusals.For(new SearchOrganizations("x"), "why"));
        Assert.Null(StorageRefusals.For("something else", "why"));
    }

    [Fact]
    public void Backoff_DoublesFromTheMinimumToTheMaximum()
    {
        var settings = new StorageGuardSettings(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));

        Assert.Equal([200, 200, 400, 800, 1000, 1000], new[] { 0, 1, 2, 3, 4, 9 }.Select(n => settings.BackoffAfter(n).TotalMilliseconds));
    }

    /// <summary>A registry journal whose one event no longer decodes (written past the start-up check, as damage while running would be).</summary>
    private async Task WriteUnreadableRegistryAsync()
    {
        var system = ActorSystem.Create("writer", EngineTestConfig.OnSqlite(_dir.Path));
        try
        {
            var registry = system.ActorOf(ServerRegistryActor.Props());
            await registry.Ask<ServerRecordAdded>(Add("w", "https://written.example.org/"), Wait);
        }
        finally
        {
            await system.Terminate();
        }
        Assert.Equal(1, StorageFiles.Execute(Path.Combine(_dir.Path, StorageFiles.DatabaseFileName),
            "UPDATE journal SET message = randomblob(32) WHERE persistence_id = 'server-registry'"));
    }

    private static AddServerRecord Add(string requestId, string url) =>
        new(requestId, new ServerId(ServerType.Custom, url), url, LocalizedText.Empty, null);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Shutdown();
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
