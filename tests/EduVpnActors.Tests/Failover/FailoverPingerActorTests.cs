using System.Net;
using Akka.Actor;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Tests.Failover;

/// <summary>The probe parent: routing by id, relaying to subscribers, many probes at once (fakes, real time, short timings).</summary>
public sealed class FailoverPingerActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ProbeTiming Quick = new(TimeSpan.FromMilliseconds(20), 3, TimeSpan.FromMilliseconds(20));

    [Fact]
    public async Task ManyProbes_DifferentGateways_EachGetsItsOwnVerdict()
    {
        const int probes = 300;
        // Even last octets answer; odd ones stay silent and their counters never move.
        var pingers = new FakePingerFactory { Configure = p => p.AnswersImmediately = p.Gateway.GetAddressBytes()[3] % 2 == 0 };
        var dependencies = new FailoverDependencies(pingers, new FixedRxSourceFactory(_ => new FakeRxSource(_ => 1000)));
        var pinger = Sys.ActorOf(FailoverPingerActor.Props(FailoverSettings.Default, dependencies), "failover-pinger");

        for (var i = 0; i < probes; i++)
        {
            pinger.Tell(new StartProbe($"probe {i}", GatewayOf(i), 1420, Timing: Quick));
        }

        var verdicts = new Dictionary<string, ProbeVerdict>();
        for (var i = 0; i < probes; i++)
        {
            var verdict = await ExpectMsgAsync<ProbeVerdict>(TimeSpan.FromSeconds(30));
            verdicts.Add(verdict.ProbeId, verdict);
        }
        for (var i = 0; i < probes; i++)
        {
            var expected = GatewayOf(i).GetAddressBytes()[3] % 2 == 0 ? ProbeOutcome.NotDropped : ProbeOutcome.Dropped;
            Assert.Equal(expected, verdicts[$"probe {i}"].Outcome);
            Assert.Equal(expected == ProbeOutcome.NotDropped, verdicts[$"probe {i}"].ReplySeen);
        }
    }

    [Fact]
    public async Task Subscriber_OfPinger_HearsEveryProbesVerdict()
    {
        var pingers = new FakePingerFactory { Configure = p => p.AnswersImmediately = true };
        var dependencies = new FailoverDependencies(pingers, new FixedRxSourceFactory(_ => new FakeRxSource(_ => 1)));
        var pinger = Sys.ActorOf(FailoverPingerActor.Props(FailoverSettings.Default, dependencies));
        var subscriber = CreateTestProbe();
        pinger.Tell(new SubscribeProbeState(subscriber.Ref));

        pinger.Tell(new StartProbe("a", GatewayOf(2), 1420, Timing: Quick));
        pinger.Tell(new StartProbe("b", GatewayOf(4), 1420, Timing: Quick));

        var seen = new HashSet<string>();
        await subscriber.FishForMessageAsync(m =>
        {
            if (m is ProbeVerdict v)
            {
                seen.Add(v.ProbeId);
            }
            return seen.Count == 2;
        }, TimeSpan.FromSeconds(10));
        Assert.Equal(["a", "b"], seen.Order());
    }

    [Fact]
    public async Task Start_SameIdWhileRunning_DuplicateProbeId()
    {
        var pingers = new FakePingerFactory();
        var dependencies = new FailoverDependencies(pingers, new FixedRxSourceFactory(_ => new FakeRxSource(_ => 1)));
        var pinger = Sys.ActorOf(FailoverPingerActor.Props(FailoverSettings.Default, dependencies));
        var slow = new ProbeTiming(TimeSpan.FromSeconds(30), 5, TimeSpan.FromSeconds(30));

        pinger.Tell(new StartProbe("x", GatewayOf(1), 1420, Timing: slow));
        pinger.Tell(new StartProbe("x", GatewayOf(3), 1420, Timing: slow));

        Assert.Equal(ProbeErrorKind.DuplicateProbeId, (await ExpectMsgAsync<ProbeVerdict>()).Error!.Kind);
    }

    [Fact]
    public async Task Cancel_ById_OnlyThatProbeIsCancelled()
    {
        var pingers = new FakePingerFactory();
        var dependencies = new FailoverDependencies(pingers, new FixedRxSourceFactory(_ => new FakeRxSource(_ => 1)));
        var pinger = Sys.ActorOf(FailoverPingerActor.Props(FailoverSettings.Default, dependencies));
        var slow = new ProbeTiming(TimeSpan.FromSeconds(30), 5, TimeSpan.FromSeconds(30));
        pinger.Tell(new StartProbe("keep", GatewayOf(1), 1420, Timing: slow));
        pinger.Tell(new StartProbe("drop/me", GatewayOf(3), 1420, Timing: slow));
        await AwaitAssertAsync(() => Assert.Single(pingers.For(GatewayOf(3)).Sent));

        pinger.Tell(new CancelProbe("drop/me"));

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal("drop/me", verdict.ProbeId);
        Assert.Equal(ProbeErrorKind.Cancelled, verdict.Error!.Kind);
        pingers.For(GatewayOf(1)).Reply(1);
        Assert.Equal("keep", (await ExpectMsgAsync<ProbeVerdict>()).ProbeId);
    }

    private static IPAddress GatewayOf(int i) => new([10, 100, (byte)(i / 250), (byte)(i % 250 + 1)]);
}
