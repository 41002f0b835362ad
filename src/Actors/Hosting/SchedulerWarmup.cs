using Akka.Actor;

namespace EduVpnActors.Actors.Hosting;

/// <summary>
/// Starts an actor system's timer scheduler from one thread, before a burst of actors needs it.
/// </summary>
/// <remarks>
/// On .NET 6+ Akka's <c>HashedWheelTimerScheduler</c> starts lazily: the first timer queues its tick
/// loop on the CLR thread pool and every caller blocks until that loop has run. When hundreds of
/// actors start their first timer at once (a burst of failover probes), each blocks a pool thread
/// while the loop waits behind them in the pool's queue, and nothing moves for minutes (akka.net
/// #7130, #8549). One no-op scheduled first blocks only the caller, and only until the loop runs.
/// </remarks>
public static class SchedulerWarmup
{
    /// <summary>Makes sure the scheduler of <paramref name="system"/> is running; cheap when it already is.</summary>
    public static void Start(ActorSystem system) =>
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.Zero, static () => { });
}
