using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.TestKit.Xunit2;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Servers.Registry;

/// <summary>The registry when the journal refuses or fails a write: the sender hears StorageFailed and nothing changes.</summary>
public sealed class ServerRegistryStorageFailureTests : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TempDataDirectory _dataDir;

    public ServerRegistryStorageFailureTests() : this(new TempDataDirectory())
    {
    }

    private ServerRegistryStorageFailureTests(TempDataDirectory dataDir) : base(EngineTestConfig.OnSqlite(dataDir.Path, SelectivelyFailingJournal.Hocon), "registry-storage-tests")
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
    public async Task RejectedWrite_SenderGetsStorageFailed_RegistryUnchangedAndStillServing()
    {
        var registry = Sys.ActorOf(ServerRegistryActor.Props());

        var failed = await registry.Ask<object>(Add("r1", "https://reject.example.org/"), Wait);
        var added = await registry.Ask<object>(Add("r2", "https://ok.example.org/"), Wait);
        var records = await registry.Ask<ServerRecords>(new GetServerRecords("q"), Wait);

        var failure = Assert.IsType<RegistryRequestFailed>(failed);
        Assert.Equal(("r1", RegistryErrorKind.StorageFailed), (failure.RequestId, failure.Kind));
        Assert.False(Assert.IsType<ServerRecordAdded>(added).AlreadyKnown);
        Assert.Equal(["https://ok.example.org/"], records.Servers.Select(s => s.Id.Identifier));
    }

    [Fact]
    public async Task FailedWrite_SenderGetsStorageFailed_ActorStopsForItsSupervisor()
    {
        var registry = Sys.ActorOf(ServerRegistryActor.Props());
        Watch(registry);

        var failed = await registry.Ask<object>(Add("f1", "https://fail.example.org/"), Wait);

        var failure = Assert.IsType<RegistryRequestFailed>(failed);
        Assert.Equal(("f1", RegistryErrorKind.StorageFailed), (failure.RequestId, failure.Kind));
        await ExpectTerminatedAsync(registry, Wait);
    }

    private static AddServerRecord Add(string requestId, string url) =>
        new(requestId, new ServerId(ServerType.Custom, url), url, LocalizedText.Empty, null);
}

/// <summary>An in-memory journal that rejects writes of servers named "reject…" and fails those named "fail…".</summary>
internal sealed class SelectivelyFailingJournal : MemoryJournal
{
    /// <summary>The HOCON that makes it the default journal.</summary>
    public const string Hocon = """
        akka.persistence.journal.plugin = "eduvpn-test-journal"
        eduvpn-test-journal {
          class = "EduVpnActors.Tests.Servers.Registry.SelectivelyFailingJournal, EduVpnActors.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """;

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        if (writes.Any(w => Names(w, "https://fail.")))
        {
            throw new IOException("disk gone");
        }
        var accepted = writes.Where(w => !Names(w, "https://reject.")).ToList();
        if (accepted.Count > 0)
        {
            await base.WriteMessagesAsync(accepted, cancellationToken);
        }
        return writes
            .Select(w => Names(w, "https://reject.") ? new InvalidOperationException("rejected by the test journal") : null)
            .ToImmutableList<Exception?>();
    }

    private static bool Names(AtomicWrite write, string prefix) =>
        ((IEnumerable<IPersistentRepresentation>)write.Payload).Any(p => p.Payload is ServerAdded added && added.Identifier.StartsWith(prefix, StringComparison.Ordinal));
}
