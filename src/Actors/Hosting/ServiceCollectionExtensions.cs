using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Actors.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EduVpnActors.Actors.Hosting;

/// <summary>
/// The engine's one boot path: Akka.Hosting with one extension per top-level actor, composed by
/// <see cref="WithEduVpnEngine"/>. <see cref="AddEduVpnEngine(IServiceCollection, Action{EduVpnHostingOptions}?)"/>
/// puts it in a host's generic host; <see cref="EduVpnEngine.Start"/> runs it in a private one.
/// </summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// The whole engine in an actor system: its HOCON, then the discovery cache, the server registry, the server
    /// sessions and the client (each in the <see cref="ActorRegistry"/> under its key: <see cref="DiscoveryActorKey"/>,
    /// <see cref="RegistryActorKey"/>, <see cref="SessionsActorKey"/>, <see cref="ClientActorKey"/>).
    /// <paramref name="useMicrosoftLogging"/> routes Akka's log to <c>Microsoft.Extensions.Logging</c>; false keeps Akka's own loggers.
    /// </summary>
    public static AkkaConfigurationBuilder WithEduVpnEngine(this AkkaConfigurationBuilder builder, EngineServices services, bool useMicrosoftLogging = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        var connectionString = EngineConfiguration.ConnectionString(services.Config);
        builder.WithSqlPersistence(EnginePersistence.Journal(connectionString), EnginePersistence.Snapshots(connectionString));
        // After the plugin's options: the engine's keys (e.g. its one writer) win over the plugin's defaults.
        builder.AddHocon(services.Config, HoconAddMode.Prepend);
        if (useMicrosoftLogging)
        {
            builder.ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Logging.LogLevelFor(services.Config.GetString("akka.loglevel", "INFO"));
                loggers.LogConfigOnStart = services.Config.GetBoolean("akka.log-config-on-start", false);
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
        }
        // Before any actor starts a timer (see SchedulerWarmup).
        builder.WithActors((system, _) =>
        {
            StartupTrace.Mark("actor system created");
            // The data directory lock taken when the storage was prepared (EngineStorage) ends with this system.
            Persistence.EngineLocks.ReleaseWhenTerminated(system);
            SchedulerWarmup.Start(system);
        });
        return builder
            .WithDiscoveryCache(services)
            .WithServerRegistry(services)
            .WithServerSessions(services)
            .WithClient(services)
            .WithActors((_, _) => StartupTrace.Mark("actors started"));
    }

    /// <summary>
    /// Adds the engine: an actor system named <see cref="EngineSystem.DefaultName"/> started by Akka.Hosting on the
    /// shipped HOCON defaults plus <see cref="EduVpnHostingOptions"/> (bound from the <c>EduVpn</c> configuration
    /// section, then <paramref name="configure"/>). <see cref="EngineRuntime"/> and the <see cref="EduVpnEngine"/>
    /// facade are singletons once the host has started. A storage or configuration problem makes the host's start
    /// fail (a <see cref="Persistence.StorageException"/> or a configuration error) before any actor starts.
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
            return options;
        });
        services.AddSingleton(sp => new PreparedEngine(() => EngineServices.Prepare(sp.GetRequiredService<EduVpnHostingOptions>())));
        return services.AddEngineActors();
    }

    /// <summary>The engine on services prepared by the caller (<see cref="EduVpnEngine.Start"/>: storage checked before the host is built).</summary>
    internal static IServiceCollection AddEduVpnEngine(this IServiceCollection services, EduVpnHostingOptions options, EngineServices prepared)
    {
        services.AddSingleton(options);
        services.AddSingleton(new PreparedEngine(() => prepared));
        return services.AddEngineActors();
    }

    private static IServiceCollection AddEngineActors(this IServiceCollection services)
    {
        // Runs while the host resolves its hosted services, before any of them starts: a StorageException from
        // EngineServices.Prepare reaches the caller of the host's StartAsync unchanged, and no actor system is created.
        services.AddAkka(EngineSystem.DefaultName, (builder, sp) =>
            builder.WithEduVpnEngine(sp.GetRequiredService<PreparedEngine>().Services, sp.GetRequiredService<EduVpnHostingOptions>().UseMicrosoftLogging));
        services.AddSingleton(sp => sp.GetRequiredService<PreparedEngine>().Started());
        services.AddSingleton(sp =>
        {
            // The services first: after a failed start this says why, instead of trying the actor system again.
            var engine = sp.GetRequiredService<EngineServices>();
            return EngineRuntime.From(sp.GetRequiredService<ActorSystem>(), sp.GetRequiredService<ActorRegistry>(), engine);
        });
        services.AddSingleton(sp => EduVpnEngine.Attach(sp.GetRequiredService<EngineRuntime>(), sp.GetRequiredService<EduVpnHostingOptions>().Culture()));
        return services;
    }

    /// <summary>The engine's services, prepared once: a failure is kept, so the host's start and every later use see the same one.</summary>
    private sealed class PreparedEngine(Func<EngineServices> prepare) : IDisposable
    {
        private readonly Lazy<EngineServices> _services = new(prepare);

        /// <summary>The services; throws the preparation's failure (e.g. a StorageException) as it is.</summary>
        public EngineServices Services => _services.Value;

        /// <summary>The services of an engine that started; a host that asks after a failed start learns why.</summary>
        public EngineServices Started()
        {
            try
            {
                return _services.Value;
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"The eduVPN engine has not started: {e.Message}", e);
            }
        }

        public void Dispose()
        {
            if (_services.IsValueCreated)
            {
                _services.Value.Dispose();
            }
        }
    }
}
