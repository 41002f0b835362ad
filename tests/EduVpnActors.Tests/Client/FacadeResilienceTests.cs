using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.TestKit;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.Hosting;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Support;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// The facade over a client actor whose neighbours are probes: whatever happens to the client actor (a fault that
/// restarts it, a stop), no facade call waits forever, and a restart keeps the host's state stream.
/// </summary>
public sealed class FacadeResilienceTests : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>Far below every deadline of the facade in these tests: an answer this fast is the engine's own.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);
    private static readonly ServerId Server = new(ServerType.Custom, "https://vpn.example.org/");
    private static readonly ServerId Other = new(ServerType.Custom, "https://other.example.org/");

    private readonly TempDataDirectory _dataDirectory = new();
    private readonly TestProbe _registry;
    private readonly TestProbe _discovery;
    private readonly TestProbe _sessions;
    private EngineServices? _services;

    public FacadeResilienceTests() : base("akka.loglevel = OFF")
    {
        _registry = CreateTestProbe("registry");
        _discovery = CreateTestProbe("discovery");
        _sessions = CreateTestProbe("sessions");
    }

    [Fact]
    public async Task ClientActorRestarts_PendingCallsEndTypedAtOnce_StreamKept_NextCallsAnswered()
    {
        var (engine, _) = StartFacade(replyTimeout: TimeSpan.FromSeconds(30));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var changes = engine.StateChangesAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var getting = engine.GetConfigAsync(Server);
        // The operation waits for the registry, which never answers it.
        _registry.ExpectMsg<GetServerRecords>(Prompt);
        var querying = engine.GetConnectionStateAsync(Other);
        var query = _registry.ExpectMsg<GetServerRecords>(Prompt);

        // A malformed reply makes the client actor throw: it restarts.
        _registry.Reply(new ServerRecords(query.RequestId, null!, null));

        Assert.Equal(ClientErrorKind.Internal, (await Assert.ThrowsAsync<EduVpnException>(() => querying.WaitAsync(Prompt))).Kind);
        Assert.Equal(ClientErrorKind.Internal, (await Assert.ThrowsAsync<EduVpnException>(() => getting.WaitAsync(Prompt))).Kind);

        // The restarted client answers, and the host's stream (subscribed before) still hears of its connections.
        var state = engine.GetConnectionStateAsync(Server);
        var records = _registry.ExpectMsg<GetServerRecords>(Prompt);
        _registry.Reply(new ServerRecords(records.RequestId, [Record(Server)], null));
        Assert.Equal(ConnectionState.Main, (await state.WaitAsync(Prompt)).State);
        // Each connection of the server introduces itself (sequence 0): the one before the restart, and the new one.
        var introductions = 0;
        while (introductions < 2)
        {
            Assert.True(await changes.MoveNextAsync().AsTask().WaitAsync(Prompt));
            introductions += changes.Current is { Sequence: 0 } change && change.ConnectionId == Server.ToString() ? 1 : 0;
        }
        await changes.DisposeAsync();
    }

    [Fact]
    public async Task ClientActorStopped_PendingCallEndsTyped_LaterCallsEndAtTheirDeadline()
    {
        var (engine, client) = StartFacade(replyTimeout: TimeSpan.FromSeconds(1));
        var getting = engine.GetConfigAsync(Server);
        _registry.ExpectMsg<GetServerRecords>(Prompt);

        Watch(client);
        client.Tell(Kill.Instance);
        ExpectTerminated(client, Prompt);

        // The connection stopped with the client and answered its requester as it stopped.
        Assert.Equal(ClientErrorKind.Internal, (await Assert.ThrowsAsync<EduVpnException>(() => getting.WaitAsync(Prompt))).Kind);
        // Nobody answers now: the facade's own deadline (twice the reply time-out for a query) ends the wait, typed.
        var started = DateTime.UtcNow;
        var late = await Assert.ThrowsAsync<EduVpnException>(() => engine.GetConnectionStateAsync(Server).WaitAsync(Prompt));
        Assert.Equal(ClientErrorKind.Timeout, late.Kind);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1.5), Prompt);
    }

    private (EduVpnEngine Engine, IActorRef Client) StartFacade(TimeSpan replyTimeout)
    {
        _services = EngineServices.Prepare(new EduVpnHostingOptions
        {
            DataDirectory = _dataDirectory.Path,
            Config = ConfigurationFactory.ParseString($"eduvpn.connection.reply-timeout = {replyTimeout.TotalMilliseconds}ms"),
        });
        var deps = new ClientDependencies(_discovery.Ref, _registry.Ref, _sessions.Ref, _services.Client,
            LoopbackFreePorts.Instance, TimeProvider.System, FailoverSettings.Default);
        var client = Sys.ActorOf(ClientActor.Props(deps), "client");
        var registry = new ActorRegistry();
        registry.Register<DiscoveryActorKey>(_discovery.Ref);
        registry.Register<RegistryActorKey>(_registry.Ref);
        registry.Register<SessionsActorKey>(_sessions.Ref);
        registry.Register<ClientActorKey>(client);
        return (EduVpnEngine.Attach(EngineRuntime.From(Sys, registry, _services)), client);
    }

    private static ServerRecord Record(ServerId server) =>
        new(server, server.Identifier, LocalizedText.English("Example"), null, null, null, null,
            new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, null, null);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _services?.Dispose();
        _dataDirectory.Dispose();
    }
}
