using Akka.Actor;
using EduVpnActors.Actors.Hosting;

namespace EduVpnActors.Tests.Hosting;

/// <summary>
/// A burst of actors whose first act is to start a timer, in a system whose scheduler has not run yet:
/// without the warm-up each blocks a pool thread until the scheduler's loop runs, which waits behind them.
/// </summary>
public sealed class SchedulerWarmupTests
{
    [Fact]
    public void BurstOfFirstTimers_AfterWarmup_AllFireWithoutStall()
    {
        const int actors = 400;
        // Not disposed with 'using': a stalled system would take minutes to terminate, hiding the verdict.
        var system = ActorSystem.Create("warmup-" + Guid.NewGuid().ToString("N"));
        SchedulerWarmup.Start(system);
        var fired = new CountdownEvent(actors);

        Action onFired = () => fired.Signal();
        for (var i = 0; i < actors; i++)
        {
            system.ActorOf(Props.Create(() => new TimerAtStart(onFired)));
        }

        // A blocking wait on purpose: a stalled pool could not even run the continuation of a Task.Delay.
        // A stalled scheduler takes minutes here; a running one well under a second.
        var allFired = fired.Wait(TimeSpan.FromSeconds(20));
        _ = system.Terminate();
        Assert.True(allFired, $"{fired.CurrentCount} of {actors} timers had not fired after 20 s");
    }

    [Fact]
    public async Task Warmup_Twice_IsHarmless()
    {
        using var system = ActorSystem.Create("warmup-" + Guid.NewGuid().ToString("N"));
        SchedulerWarmup.Start(system);
        SchedulerWarmup.Start(system);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(10), () => fired.TrySetResult());
        Assert.True(await Task.WhenAny(fired.Task, Task.Delay(TimeSpan.FromSeconds(10))) == fired.Task);
        await system.Terminate();
    }

    private sealed class TimerAtStart : ReceiveActor, IWithTimers
    {
        public TimerAtStart(Action onFired)
        {
            // As a failover probe does: a first step off the actor thread, then the first timer.
            Receive<int>(_ => Timers.StartSingleTimer("t", "fire", TimeSpan.FromMilliseconds(1)));
            Receive<string>(_ =>
            {
                onFired();
                Context.Stop(Self);
            });
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Task.Run(() => 1).PipeTo(Self);
    }
}
