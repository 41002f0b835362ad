using Akka.Actor;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>
/// The parent of every <see cref="ServerSessionActor"/>: routes each <see cref="SessionEnvelope"/> to the
/// session of its server (created on first use, recovered from the journal) with <c>Forward</c>, so the
/// replies go straight to the original sender.
/// </summary>
public sealed class ServerSessionsActor : ReceiveActor
{
    /// <summary>Creates the sessions parent; use <see cref="Props"/>.</summary>
    public ServerSessionsActor(SessionSettings settings, EngineHttpClient http, ITokenProtector protector, TimeProvider time)
    {
        Receive<SessionEnvelope>(envelope =>
        {
            var name = ChildName(envelope.Server);
            var child = Context.Child(name);
            if (child.IsNobody())
            {
                // Guarded like the top-level persistent actors: restarted after a journal failure, never a silent drop.
                child = Context.ActorOf(StorageGuardActor.Props(ServerSessionActor.Props(envelope.Server, settings, http, protector, time), "session"), name);
            }
            child.Forward(envelope);
        });
    }

    /// <summary>Props of the sessions parent (one per engine).</summary>
    public static Props Props(SessionSettings settings, EngineHttpClient http, ITokenProtector protector, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new ServerSessionsActor(settings, http, protector, time ?? TimeProvider.System));

    /// <summary>A valid, unique actor name for a server (its key, percent-encoded).</summary>
    public static string ChildName(ServerId server) => "session-" + Uri.EscapeDataString(server.ToString());
}
