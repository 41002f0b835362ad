using Akka.Configuration;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Actors.WireGuard;

namespace EduVpnActors.Actors.Hosting;

/// <summary>
/// What the engine's actors share, prepared and checked before any of them starts: the storage (a damaged,
/// locked or foreign database is a <see cref="Persistence.StorageException"/> here), the full HOCON, every
/// settings section (a bad value is a configuration error here, not a failure inside an actor starter), the
/// one HTTP client, the clock, the token protector (a damaged key file is a storage error here) and how
/// failover probes ping.
/// </summary>
public sealed class EngineServices : IDisposable
{
    private EngineServices(Config config, TimeProvider time, ITokenProtector tokenProtector, FailoverDependencies? failover)
    {
        Config = config;
        Time = time;
        TokenProtector = tokenProtector;
        FailoverDependencies = failover;
        Discovery = DiscoverySettings.FromConfig(config);
        Sessions = SessionSettings.FromConfig(config);
        Client = ClientSettings.FromConfig(config);
        Failover = FailoverSettings.FromConfig(config);
        ProxyGuard = ProxyGuardSettings.FromConfig(config);
        ProxyGuardOptions = ProxyGuardOptions.FromConfig(config);
        Http = new EngineHttpClient(HttpPolicy.FromConfig(config, ClientIdentity.UserAgent(config)));
    }

    /// <summary>The engine's full HOCON (host overrides over the shipped defaults, pointed at its database).</summary>
    public Config Config { get; }

    /// <summary>The engine's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Encrypts the stored OAuth tokens.</summary>
    public ITokenProtector TokenProtector { get; }

    /// <summary>How failover probes ping and read the tunnel's received bytes (null: real ICMP and <c>/sys/class/net</c>).</summary>
    public FailoverDependencies? FailoverDependencies { get; }

    /// <summary><c>eduvpn.discovery</c>.</summary>
    public DiscoverySettings Discovery { get; }

    /// <summary><c>eduvpn.client</c> and <c>eduvpn.oauth</c>.</summary>
    public SessionSettings Sessions { get; }

    /// <summary><c>eduvpn.connection</c>.</summary>
    public ClientSettings Client { get; }

    /// <summary><c>eduvpn.failover</c>.</summary>
    public FailoverSettings Failover { get; }

    /// <summary><c>eduvpn.proxyguard</c>.</summary>
    public ProxyGuardSettings ProxyGuard { get; }

    /// <summary>The ProxyGuard client's User-Agent and extra trusted root.</summary>
    public ProxyGuardOptions ProxyGuardOptions { get; }

    /// <summary>The one HTTP client of the engine (https only, size caps, time-outs).</summary>
    public EngineHttpClient Http { get; }

    /// <summary>Where WireGuard-over-TCP configurations get their loopback ports.</summary>
    public IFreePortAllocator Ports => LoopbackFreePorts.Instance;

    /// <summary>
    /// Checks the storage in <paramref name="options"/>' data directory, prepares it and builds everything the
    /// actors share. Nothing is started: a failure leaves no actor system behind.
    /// </summary>
    /// <exception cref="Persistence.StorageException">The database or the token key file cannot be used.</exception>
    /// <exception cref="ConfigurationException">A configuration value is not usable.</exception>
    public static EngineServices Prepare(EduVpnHostingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        StartupTrace.Mark("engine services: preparing");
        var config = EngineSystem.PrepareConfig(options.DataDirectory, options.ToOverrides());
        StartupTrace.Mark("engine services: configuration");
        var tokenProtector = options.TokenProtector ?? AesGcmTokenProtector.FromConfig(config);
        StartupTrace.Mark("engine services: token key");
        var services = new EngineServices(config, options.Time ?? TimeProvider.System, tokenProtector, options.Failover);
        StartupTrace.Mark("engine services: settings and HTTP client");
        return services;
    }

    /// <summary>The dependencies of the client actor, on the engine actors given.</summary>
    public ClientDependencies ClientDependencies(Akka.Actor.IActorRef discovery, Akka.Actor.IActorRef registry, Akka.Actor.IActorRef sessions) =>
        new(discovery, registry, sessions, Client, Ports, Time, Failover, FailoverDependencies)
        {
            ProxyGuard = ProxyGuard,
            ProxyGuardOptions = ProxyGuardOptions,
        };

    /// <inheritdoc/>
    public void Dispose() => Http.Dispose();
}
