using Akka.Actor;
using EduVpnActors.Actors.Hosting;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Actors.Failover;

/// <summary>
/// Optional parent of many probes (top-level name <c>failover-pinger</c>): one
/// <see cref="FailoverProbeActor"/> child per <see cref="StartProbe.ProbeId"/>, cancel by id, and
/// state subscribers that hear about every probe. Probes share nothing; this actor only routes.
/// </summary>
public sealed class FailoverPingerActor : ReceiveActor
{
    private readonly FailoverSettings _settings;
    private readonly FailoverDependencies _dependencies;
    private readonly HashSet<IActorRef> _subscribers = [];

    /// <summary>Creates the pinger; the probe actor starts it.</summary>
    public FailoverPingerActor(FailoverSettings settings, FailoverDependencies dependencies)
    {
        _settings = settings;
        _dependencies = dependencies;

        Receive<StartProbe>(start =>
        {
            var name = ChildName(start.ProbeId);
            if (!Context.Child(name).IsNobody())
            {
                Sender.Tell(new ProbeVerdict(start.ProbeId, ProbeOutcome.Error, 0, false, null, null, 0,
                    new ProbeError(ProbeErrorKind.DuplicateProbeId, $"a probe with id '{start.ProbeId}' is already running")));
                return;
            }
            var probe = Context.ActorOf(FailoverProbeActor.Props(start.ProbeId, _settings, _dependencies), name);
            // Same sender, same receiver: the subscription is processed before the start.
            probe.Tell(new SubscribeProbeState(Self));
            probe.Forward(start);
        });
        Receive<CancelProbe>(cancel => Context.Child(ChildName(cancel.ProbeId)).Forward(cancel));
        Receive<ProbeStateChanged>(changed => Relay(changed));
        Receive<ProbeVerdict>(verdict => Relay(verdict));
        Receive<SubscribeProbeState>(subscribe =>
        {
            if (_subscribers.Add(subscribe.Subscriber))
            {
                Context.Watch(subscribe.Subscriber);
            }
        });
        Receive<UnsubscribeProbeState>(unsubscribe =>
        {
            if (_subscribers.Remove(unsubscribe.Subscriber))
            {
                Context.Unwatch(unsubscribe.Subscriber);
            }
        });
        Receive<Terminated>(terminated => _subscribers.Remove(terminated.ActorRef));
    }

    /// <summary>Hosts start hundreds of probes at once: their first timers must not all start the scheduler.</summary>
    protected override void PreStart() => SchedulerWarmup.Start(Context.System);

    /// <summary>The pinger with the given defaults and (for tests and hosts) replaced ICMP and counter sources.</summary>
    public static Props Props(FailoverSettings settings, FailoverDependencies? dependencies = null) =>
        Akka.Actor.Props.Create(() => new FailoverPingerActor(settings, dependencies ?? FailoverDependencies.Default));

    /// <summary>A crashed probe must not restart half-way: stopping it sends a <see cref="ProbeErrorKind.Stopped"/> verdict.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private static string ChildName(string probeId) => "probe-" + Uri.EscapeDataString(probeId);

    private void Relay(object update)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(update);
        }
    }
}
