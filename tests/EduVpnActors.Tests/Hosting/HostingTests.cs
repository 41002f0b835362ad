using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.Hosting;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Discovery;
using EduVpnActors.Tests.Failover;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EduVpnActors.Tests.Hosting;

/// <summary>The engine inside a generic host: options from IConfiguration, actors in the registry, facade from DI, log through ILogger.</summary>
public sealed class HostingTests : IAsyncLifetime
{
    private readonly TestMinisignSigner _signer = new();
    private readonly TempDataDirectory _dataDirectory = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly CountingTokenProtector _tokens = new();
    private PortalTestServer _portal = null!;
    private DiscoveryTestServer _discovery = null!;

    private string InstituteUrl => _portal.BaseUrl.AbsoluteUri;

    public async Task InitializeAsync()
    {
        _portal = await PortalTestServer.StartAsync();
        _discovery = await DiscoveryTestServer.StartAsync();
        SignedDiscoveryLists.Publish(_discovery, _signer, InstituteUrl);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _discovery.DisposeAsync();
        _signer.Dispose();
        _logs.Dispose();
        _dataDirectory.Dispose();
    }

    [Fact]
    public async Task GenericHost_SearchAndAddServer_WorksThroughFacadeRegistryAndLogger()
    {
        using var host = BuildHost();
        await host.StartAsync();
        try
        {
            var engine = host.Services.GetRequiredService<EduVpnEngine>();
            var registry = host.Services.GetRequiredService<ActorRegistry>();
            Assert.Same(engine.Runtime, host.Services.GetRequiredService<EngineRuntime>());
            Assert.Equal(engine.Client, registry.Get<ClientActorKey>());
            Assert.Equal(engine.Runtime.Discovery, registry.Get<DiscoveryActorKey>());
            Assert.Equal(engine.Runtime.Registry, registry.Get<RegistryActorKey>());
            Assert.Equal(engine.Runtime.Sessions, registry.Get<SessionsActorKey>());
            // The language came from the "EduVpn" configuration section.
            Assert.Equal("nl", engine.Culture.Name);

            var search = await engine.SearchServersAsync("instituut");
            Assert.Contains(search.Results, r => r.Server.Type == ServerType.InstituteAccess);

            // The same actors answer messages sent through the registry.
            var viaRegistry = await registry.Get<DiscoveryActorKey>().Ask<ServerSearchResponse>(new SearchServers("lab", "en"), TimeSpan.FromSeconds(30));
            Assert.NotEmpty(viaRegistry.Results);

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var user = EngineUser.LogInWhenAskedAsync(engine, stop.Token);
            var added = await engine.AddServerAsync(ServerType.InstituteAccess, InstituteUrl, cancellationToken: stop.Token);
            Assert.Equal(new ServerId(ServerType.InstituteAccess, InstituteUrl), added.Id);
            var listed = await engine.ListServersAsync(stop.Token);
            Assert.Contains(listed, s => s.Record.Id == added.Id);
            await stop.CancelAsync();
            await user;

            // The host's token protector encrypted the tokens of the new session.
            Assert.True(_tokens.Protected > 0);

            // Akka's log reached the host's logging: the discovery actor logs each list it accepts.
            Assert.Contains(_logs.Messages, m => m.Contains("Accepted server_list.json", StringComparison.Ordinal));
        }
        finally
        {
            await host.StopAsync();
        }
        Assert.True(host.Services.GetRequiredService<ActorSystem>().WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task GenericHost_DamagedDatabase_StartFailsWithStorageException()
    {
        _dataDirectory.Create();
        await File.WriteAllTextAsync(Path.Combine(_dataDirectory.Path, "eduvpn-actors.db"), "this is not a SQLite database, just text of some length to be read");
        using var host = BuildHost();

        var error = await Assert.ThrowsAsync<StorageException>(() => host.StartAsync());

        Assert.Equal(StorageProblemKind.Corrupt, error.Kind);
        Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<EduVpnEngine>());
    }

    [Fact]
    public async Task GenericHost_DamagedTokenKeyFile_StartFailsWithStorageExceptionNamingTheKeyFile()
    {
        _dataDirectory.Create();
        var keyPath = Path.Combine(_dataDirectory.Path, "session-tokens.key");
        await File.WriteAllBytesAsync(keyPath, new byte[7]);
        using var host = BuildHost(hostProtector: false);

        var error = await Assert.ThrowsAsync<StorageException>(() => host.StartAsync());

        Assert.Equal(StorageProblemKind.TokenKeyDamaged, error.Kind);
        Assert.Equal(keyPath, error.DatabasePath);
        Assert.Equal(7, new FileInfo(keyPath).Length);
        // Refused before the actor system started, as for a damaged database: not from inside the actor starter.
        Assert.DoesNotContain(_logs.Messages, m => m.Contains("Unable to start AkkaHostedService", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<EduVpnEngine>());
    }

    [Fact]
    public async Task GenericHost_FailoverSourcesFromOptions_TheHostsCounterDecides()
    {
        // A gateway that never answers and a counter that never moves: only the host's source can say so.
        var pingers = new FakePingerFactory();
        var failover = new FailoverDependencies(pingers, new FixedRxSourceFactory(_ => new FakeRxSource(_ => 4242)));
        _portal.SetProfiles(PortalProfile.WireGuardOnly);
        using var host = BuildHost(failover: failover);
        await host.StartAsync();
        try
        {
            var engine = host.Services.GetRequiredService<EduVpnEngine>();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var user = EngineUser.LogInWhenAskedAsync(engine, stop.Token);
            var added = await engine.AddServerAsync(ServerType.InstituteAccess, InstituteUrl, cancellationToken: stop.Token);
            await engine.GetConfigAsync(added.Id, cancellationToken: stop.Token);
            await engine.SetConnectionStateAsync(added.Id, ConnectionState.Connecting, stop.Token);
            await engine.SetConnectionStateAsync(added.Id, ConnectionState.Connected, stop.Token);

            var verdict = await engine.StartFailoverAsync(added.Id, 1400, "tun0", "127.0.0.1", stop.Token);

            Assert.True(verdict.Dropped);
            Assert.Equal((4242L, 4242L), (verdict.RxBytesBefore, verdict.RxBytesAfter));
            Assert.True(pingers.Opened(System.Net.IPAddress.Loopback));
            await stop.CancelAsync();
            await user;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private IHost BuildHost(bool hostProtector = true, FailoverDependencies? failover = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EduVpn:DataDirectory"] = _dataDirectory.Path,
            ["EduVpn:Language"] = "nl",
            ["EduVpn:Hocon"] = "akka.loglevel = INFO",
            ["EduVpn:Overrides:eduvpn:discovery:base-url"] = _discovery.BaseUrl.AbsoluteUri,
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(_logs);
        builder.Services.AddEduVpnEngine(options =>
        {
            options.Overrides["eduvpn.discovery.trusted-keys"] = $"[\"{_signer.PublicKey}\"]";
            options.Overrides["eduvpn.http.extra-trusted-certificate"] = TestCertificate.PemPath;
            options.TokenProtector = hostProtector ? _tokens : null;
            options.Failover = failover;
            options.Overrides["eduvpn.failover.interval"] = "50ms";
            options.Overrides["eduvpn.failover.reply-timeout"] = "50ms";
            options.Overrides["eduvpn.failover.count"] = "3";
        });
        return builder.Build();
    }

    /// <summary>A host's own token protector: AES-GCM with a key in memory, counting its calls.</summary>
    private sealed class CountingTokenProtector : ITokenProtector
    {
        private readonly AesGcmTokenProtector _inner = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        private int _protected;

        public int Protected => Volatile.Read(ref _protected);

        public byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose)
        {
            Interlocked.Increment(ref _protected);
            return _inner.Protect(plaintext, purpose);
        }

        public byte[] Unprotect(ReadOnlySpan<byte> protectedData, string purpose) => _inner.Unprotect(protectedData, purpose);
    }

    /// <summary>Keeps every formatted log message of the host.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(_messages);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
