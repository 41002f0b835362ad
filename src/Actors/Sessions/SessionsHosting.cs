using Akka.Hosting;
using EduVpnActors.Actors.Hosting;

namespace EduVpnActors.Actors.Sessions;

/// <summary>Starts the server sessions (<c>/user/sessions/server-sessions</c>, one child per server).</summary>
public static class SessionsHosting
{
    /// <summary>The server sessions, registered under <see cref="SessionsActorKey"/>.</summary>
    public static AkkaConfigurationBuilder WithServerSessions(this AkkaConfigurationBuilder builder, EngineServices services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        return builder.WithActors((system, registry) => registry.Register<SessionsActorKey>(system.ActorOf(
            PersistentSupervision.BackOff(ServerSessionsActor.Props(services.Sessions, services.Http, services.TokenProtector, services.Time), "server-sessions"),
            "sessions")));
    }
}

/// <summary>Key of the server sessions actor in the <see cref="ActorRegistry"/>.</summary>
public sealed class SessionsActorKey
{
    private SessionsActorKey()
    {
    }
}
