using Akka.Actor;

namespace EduVpnActors.Actors.Hosting;

/// <summary>How the engine's persistent actors are supervised.</summary>
public static class PersistentSupervision
{
    /// <summary>
    /// <paramref name="child"/> behind a storage guard: a journal failure stops a persistent actor, and it is started
    /// again with back-off (recovering from the journal) instead of leaving a dead reference; requests it cannot pass
    /// on are answered with typed storage errors, and it gives up after a bounded number of failed recoveries.
    /// </summary>
    public static Props BackOff(Props child, string childName) =>
        Persistence.StorageGuardActor.Props(child, childName);
}
