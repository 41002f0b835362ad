using Akka.Actor;
using Akka.Pattern;

namespace EduVpnActors.Actors.Hosting;

/// <summary>How the engine's persistent actors are supervised.</summary>
public static class PersistentSupervision
{
    /// <summary>
    /// <paramref name="child"/> behind a back-off supervisor: a journal failure stops a persistent actor, and it is
    /// started again (recovering from the journal) instead of leaving a dead reference.
    /// </summary>
    public static Props BackOff(Props child, string childName) =>
        BackoffSupervisor.Props(Backoff.OnStop(child, childName, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1));
}
