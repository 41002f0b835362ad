using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using EduVpnActors.Actors.Facade;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EduVpnActors.Actors.Hosting;

/// <summary>Runs the engine inside a generic host (<c>Microsoft.Extensions.Hosting</c>) through Akka.Hosting.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine: an actor system named <see cref="EngineSystem.DefaultName"/> started by Akka.Hosting's
    /// <c>AddAkka</c> on the shipped HOCON defaults plus <see cref="EduVpnHostingOptions"/> (bound from the
    /// <c>EduVpn</c> configuration section, then <paramref name="configure"/>). The engine's actors are in the
    /// <see cref="ActorRegistry"/> under <see cref="DiscoveryActorKey"/>, <see cref="RegistryActorKey"/>,
    /// <see cref="SessionsActorKey"/> and <see cref="ClientActorKey"/>; <see cref="EngineRuntime"/> and the
    /// <see cref="EduVpnEngine"/> facade are singletons once the host has started. A storage problem makes
    /// the host's start fail with a <see cref="Persistence.StorageException"/>.
    /// </summary>
    public static IServiceCollection AddEduVpnEngine(this IServiceCollection services, Action<EduVpnHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp =>
        {
            var options = new EduVpnHostingOptions();
            if (sp.GetService<IConfiguration>() is { } configuration)
            {
                options.Bind(configuration.GetSection(EduVpnHostingOptions.SectionName));
            }
            configure?.Invoke(options);
            return new EngineHostingState(options);
        });
        services.AddAkka(EngineSystem.DefaultName, (builder, sp) => ConfigureEngine(builder, sp.GetRequiredService<EngineHostingState>()));
        services.AddHostedService<EngineStartVerification>();
        services.AddSingleton(sp => sp.GetRequiredService<EngineHostingState>().RequireRuntime());
        services.AddSingleton(sp =>
        {
            var state = sp.GetRequiredService<EngineHostingState>();
            return EduVpnEngine.Attach(state.RequireRuntime(), state.Options.Culture());
        });
        return services;
    }

    private static void ConfigureEngine(AkkaConfigurationBuilder builder, EngineHostingState state)
    {
        // Runs while the host resolves its hosted services, before any of them starts: a StorageException
        // thrown here reaches the caller of the host's StartAsync unchanged, and no actor system is created.
        var config = state.Config;
        // The key file is read here too, so a damaged one is the same early StorageException rather than
        // a failure inside the actor starter, after the actor system is up.
        var tokenProtector = state.Options.TokenProtector ?? Sessions.Tokens.AesGcmTokenProtector.FromConfig(config);
        builder.AddHocon(config, HoconAddMode.Prepend);
        if (state.Options.UseMicrosoftLogging)
        {
            builder.ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Logging.LogLevelFor(config.GetString("akka.loglevel", "INFO"));
                loggers.LogConfigOnStart = config.GetBoolean("akka.log-config-on-start", false);
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
        }
        builder.WithActors((system, registry) =>
        {
            var runtime = EngineRuntime.Start(system, state.Options.Time, tokenProtector, state.Options.Failover);
            registry.Register<DiscoveryActorKey>(runtime.Discovery);
            registry.Register<RegistryActorKey>(runtime.Registry);
            registry.Register<SessionsActorKey>(runtime.Sessions);
            registry.Register<ClientActorKey>(runtime.Client);
            state.Runtime = runtime;
        });
    }

    /// <summary>What the registration shares between the hosted services and the factories.</summary>
    private sealed class EngineHostingState(EduVpnHostingOptions options) : IDisposable
    {
        private readonly Lazy<Config> _config = new(() => EngineSystem.PrepareConfig(options.DataDirectory, options.ToOverrides()));

        public EduVpnHostingOptions Options { get; } = options;

        /// <summary>The storage checked and prepared, and the full HOCON (once; a failure is kept).</summary>
        public Config Config => _config.Value;

        private volatile EngineRuntime? _runtime;

        /// <summary>Set on an actor-system thread by the actor starter, read by the factories.</summary>
        public EngineRuntime? Runtime
        {
            get => _runtime;
            set => _runtime = value;
        }

        public EngineRuntime RequireRuntime() =>
            Runtime ?? throw new InvalidOperationException("The eduVPN engine has not started: start the host first (its log says why a start failed).");

        public void Dispose() => Runtime?.Dispose();
    }

    /// <summary>Makes the host's start fail when the engine's actors did not start (Akka.Hosting may only log that).</summary>
    private sealed class EngineStartVerification(EngineHostingState state) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            state.RequireRuntime();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Key of the discovery actor in the <see cref="ActorRegistry"/>.</summary>
public sealed class DiscoveryActorKey
{
    private DiscoveryActorKey()
    {
    }
}

/// <summary>Key of the server registry actor in the <see cref="ActorRegistry"/>.</summary>
public sealed class RegistryActorKey
{
    private RegistryActorKey()
    {
    }
}

/// <summary>Key of the server sessions actor in the <see cref="ActorRegistry"/>.</summary>
public sealed class SessionsActorKey
{
    private SessionsActorKey()
    {
    }
}

/// <summary>Key of the client actor (the front door for messages) in the <see cref="ActorRegistry"/>.</summary>
public sealed class ClientActorKey
{
    private ClientActorKey()
    {
    }
}
