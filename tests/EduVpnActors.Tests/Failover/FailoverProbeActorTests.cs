using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Configs;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Tests.Failover;

/// <summary>§8 behaviour of one probe on virtual time, with a fake pinger and a fake counter.</summary>
public sealed class FailoverProbeActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly IPAddress Gateway = IPAddress.Parse("10.10.10.1");
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(150);

    private readonly FakePingerFactory _pingers = new();

    public FailoverProbeActorTests()
        : base(TestConfigs.TestSchedulerConfig)
    {
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Start_MtuBelowOverhead_InvalidMtuWithoutOpeningSocket()
    {
        var (probe, _) = Spawn(new FakeRxSource(_ => 100));

        probe.Tell(new StartProbe("p", Gateway, 1));

        var verdict = ExpectMsg<ProbeVerdict>();
        Assert.Equal(ProbeOutcome.Error, verdict.Outcome);
        Assert.Equal(ProbeErrorKind.InvalidMtu, verdict.Error!.Kind);
        Assert.Equal("invalid MTU size given, MTU has to be at least: 28 bytes", verdict.Error.Message);
        Assert.False(_pingers.Opened(Gateway));
    }

    [Fact]
    public void Start_Ipv6GatewayMtuBelow48_InvalidMtu()
    {
        var (probe, _) = Spawn(new FakeRxSource(_ => 100));

        probe.Tell(new StartProbe("p", IPAddress.Parse("fd42::1"), 40));

        Assert.Equal(ProbeErrorKind.InvalidMtu, ExpectMsg<ProbeVerdict>().Error!.Kind);
    }

    [Fact]
    public void Start_CounterFails_RxCounterFailedError()
    {
        var (probe, _) = Spawn(new FakeRxSource(_ => 100) { FailOnRead = 0 });

        probe.Tell(new StartProbe("p", Gateway, 1420));

        var verdict = ExpectMsg<ProbeVerdict>();
        Assert.Equal(ProbeErrorKind.RxCounterFailed, verdict.Error!.Kind);
        Assert.Equal("fake counter failure", verdict.Error.Message);
        Assert.Empty(_pingers.For(Gateway).Sent);
    }

    [Fact]
    public void Start_HostCounterThrowsUntypedException_RxCounterFailedNotAHang()
    {
        var dependencies = new FailoverDependencies(_pingers, new FixedRxSourceFactory(_ => new BrokenRxSource()));
        var probe = Sys.ActorOf(FailoverProbeActor.Props("p", FailoverSettings.Default, dependencies));

        probe.Tell(new StartProbe("p", Gateway, 1420));

        var verdict = ExpectMsg<ProbeVerdict>();
        Assert.Equal(ProbeErrorKind.RxCounterFailed, verdict.Error!.Kind);
        Assert.Contains("tunnel library went away", verdict.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_NoIcmpPermission_TypedError()
    {
        _pingers.OpenFailure = new FailoverException(ProbeErrorKind.NoIcmpPermission, "not allowed");
        var (probe, _) = Spawn(new FakeRxSource(_ => 100));

        probe.Tell(new StartProbe("p", Gateway, 1420));

        Assert.Equal(ProbeErrorKind.NoIcmpPermission, ExpectMsg<ProbeVerdict>().Error!.Kind);
    }

    [Fact]
    public async Task Run_ConstantCounterNoReply_DroppedAfterTenSecondsWithFiveEchoes()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 100));
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.Probing);
        var pinger = _pingers.For(Gateway);

        // Echoes at 0, 2, 4, 6, 8 s: nothing is sent early.
        Scheduler.Advance(TimeSpan.FromMilliseconds(1999));
        await states.ExpectNoMsgAsync(Short);
        Assert.Equal([1], pinger.Sent);
        for (var sequence = 2; sequence <= 5; sequence++)
        {
            Scheduler.Advance(sequence == 2 ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromSeconds(2));
            await AwaitSentAsync(pinger, sequence);
        }
        Scheduler.Advance(TimeSpan.FromMilliseconds(1999));
        await ExpectNoMsgAsync(Short);
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeOutcome.Dropped, verdict.Outcome);
        Assert.True(verdict.Dropped);
        Assert.Equal(5, verdict.EchoesSent);
        Assert.False(verdict.ReplySeen);
        Assert.Equal(100, verdict.RxBytesBefore);
        Assert.Equal(100, verdict.RxBytesAfter);
        Assert.Equal(10_000, verdict.ElapsedMs);
        Assert.Equal([1, 2, 3, 4, 5], pinger.Sent);
    }

    [Fact]
    public async Task Run_IncreasingCounterNoReply_NotDropped()
    {
        var (probe, states) = Spawn(new FakeRxSource(read => 100 + read));
        var timing = new ProbeTiming(TimeSpan.FromMilliseconds(2), 5, TimeSpan.FromMilliseconds(2));
        probe.Tell(new StartProbe("p", Gateway, 1420, Timing: timing));

        await DriveToEndAsync(states, timing);

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
        Assert.False(verdict.ReplySeen);
        Assert.Equal(101, verdict.RxBytesAfter);
    }

    [Fact]
    public async Task Run_ConstantCounterNoReplyShortTiming_Dropped()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 7));
        var timing = new ProbeTiming(TimeSpan.FromMilliseconds(2), 5, TimeSpan.FromMilliseconds(2));
        probe.Tell(new StartProbe("p", Gateway, 1420, Timing: timing));

        await DriveToEndAsync(states, timing);

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeOutcome.Dropped, verdict.Outcome);
        Assert.Equal(10, verdict.ElapsedMs);
    }

    [Fact]
    public async Task Run_ReplyToFirstEcho_NotDroppedAtOnceWithConstantCounter()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 100));
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.Probing);

        _pingers.For(Gateway).Reply(1);

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
        Assert.True(verdict.ReplySeen);
        Assert.Equal(1, verdict.EchoesSent);
        Assert.Equal(0, verdict.ElapsedMs);
        Assert.Null(verdict.RxBytesAfter);
    }

    [Fact]
    public async Task Run_ReplyDuringTicks_NotDroppedEarly()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 100));
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.Probing);
        var pinger = _pingers.For(Gateway);
        Scheduler.Advance(TimeSpan.FromSeconds(2));
        await AwaitSentAsync(pinger, 2);
        Scheduler.Advance(TimeSpan.FromSeconds(2));
        await AwaitSentAsync(pinger, 3);

        pinger.Reply(3);

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeOutcome.NotDropped, verdict.Outcome);
        Assert.Equal(3, verdict.EchoesSent);
        Assert.Equal(4_000, verdict.ElapsedMs);
    }

    [Fact]
    public async Task Run_CountOne_DecidesAfterReplyTimeout()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 5));
        var timing = new ProbeTiming(TimeSpan.FromSeconds(9), 1, TimeSpan.FromMilliseconds(500));
        probe.Tell(new StartProbe("p", Gateway, 1420, Timing: timing));
        await ExpectPhaseAsync(states, ProbePhase.Probing);

        Scheduler.Advance(TimeSpan.FromMilliseconds(500));

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeOutcome.Dropped, verdict.Outcome);
        Assert.Equal(1, verdict.EchoesSent);
        Assert.Equal(500, verdict.ElapsedMs);
    }

    [Fact]
    public async Task Run_SendFailsAtSecondEcho_SendFailedError()
    {
        _pingers.Configure = pinger => pinger.FailSendAt = 2;
        var (probe, states) = Spawn(new FakeRxSource(_ => 100));
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.Probing);

        Scheduler.Advance(TimeSpan.FromSeconds(2));

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeErrorKind.SendFailed, verdict.Error!.Kind);
        Assert.Equal(2, verdict.EchoesSent);
    }

    [Fact]
    public async Task Subscriber_FullRun_SeesEveryPhaseAndTheVerdict()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 1));
        var timing = new ProbeTiming(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(1));
        probe.Tell(new StartProbe("p", Gateway, 1420, Timing: timing));

        Assert.Equal(ProbePhase.MeasuringStart, (await states.ExpectMsgAsync<ProbeStateChanged>()).Phase);
        Assert.Equal(new ProbeStateChanged("p", ProbePhase.Probing, 1), await states.ExpectMsgAsync<ProbeStateChanged>());
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new ProbeStateChanged("p", ProbePhase.Probing, 2), await states.ExpectMsgAsync<ProbeStateChanged>());
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new ProbeStateChanged("p", ProbePhase.MeasuringEnd, 2), await states.ExpectMsgAsync<ProbeStateChanged>());
        Assert.Equal(ProbePhase.Finished, (await states.ExpectMsgAsync<ProbeStateChanged>()).Phase);
        var published = await states.ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(published, await ExpectMsgAsync<ProbeVerdict>());
    }

    [Fact]
    public async Task Cancel_BeforeStart_SubscribersGetCancelled()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 1));
        Watch(probe);

        probe.Tell(new CancelProbe("p"));

        await states.ExpectMsgAsync<ProbeStateChanged>(m => m.Phase == ProbePhase.Finished);
        Assert.Equal(ProbeErrorKind.Cancelled, (await states.ExpectMsgAsync<ProbeVerdict>()).Error!.Kind);
        await ExpectTerminatedAsync(probe);
    }

    [Fact]
    public async Task Cancel_WhileReadingStartCounter_CancelsTheRead()
    {
        var rx = new FakeRxSource(_ => 1) { HangOnRead = 0 };
        var (probe, states) = Spawn(rx);
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.MeasuringStart);

        probe.Tell(new CancelProbe("p"));

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeErrorKind.Cancelled, verdict.Error!.Kind);
        Assert.Equal(0, verdict.EchoesSent);
        await AwaitAssertAsync(() => Assert.True(rx.HangingReadCancelled));
        await AwaitAssertAsync(() => Assert.True(_pingers.For(Gateway).Disposed));
    }

    [Fact]
    public async Task Cancel_DuringFirstWait_StopsAtOnceAndSendsNoMore()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 1));
        Watch(probe);
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.Probing);
        var pinger = _pingers.For(Gateway);

        probe.Tell(new CancelProbe("p"));

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeErrorKind.Cancelled, verdict.Error!.Kind);
        Assert.Equal(1, verdict.EchoesSent);
        await ExpectTerminatedAsync(probe);
        await AwaitAssertAsync(() => Assert.True(pinger.ReceiveCancelled && pinger.Disposed));
        Scheduler.Advance(TimeSpan.FromSeconds(20));
        await ExpectNoMsgAsync(Short);
        Assert.Equal([1], pinger.Sent);
    }

    [Fact]
    public async Task Cancel_DuringTicks_Cancelled()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 1));
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.Probing);
        var pinger = _pingers.For(Gateway);
        Scheduler.Advance(TimeSpan.FromSeconds(2));
        await AwaitSentAsync(pinger, 2);
        Scheduler.Advance(TimeSpan.FromSeconds(2));
        await AwaitSentAsync(pinger, 3);

        probe.Tell(new CancelProbe("p"));

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeErrorKind.Cancelled, verdict.Error!.Kind);
        Assert.Equal(3, verdict.EchoesSent);
        Scheduler.Advance(TimeSpan.FromSeconds(20));
        await ExpectNoMsgAsync(Short);
        Assert.Equal([1, 2, 3], pinger.Sent);
    }

    [Fact]
    public async Task Cancel_WhileReadingEndCounter_Cancelled()
    {
        var rx = new FakeRxSource(_ => 1) { HangOnRead = 1 };
        var (probe, states) = Spawn(rx);
        var timing = new ProbeTiming(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(1));
        probe.Tell(new StartProbe("p", Gateway, 1420, Timing: timing));
        await DriveToEndAsync(states, timing);

        probe.Tell(new CancelProbe("p"));

        var verdict = await ExpectMsgAsync<ProbeVerdict>();
        Assert.Equal(ProbeErrorKind.Cancelled, verdict.Error!.Kind);
        Assert.Equal(1, verdict.RxBytesBefore);
        await AwaitAssertAsync(() => Assert.True(rx.HangingReadCancelled));
    }

    [Fact]
    public async Task Cancel_OtherProbeId_Ignored()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 1));
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.Probing);

        probe.Tell(new CancelProbe("someone-else"));

        await ExpectNoMsgAsync(Short);
        _pingers.For(Gateway).Reply(1);
        Assert.Equal(ProbeOutcome.NotDropped, (await ExpectMsgAsync<ProbeVerdict>()).Outcome);
    }

    [Fact]
    public async Task Stop_ByParentMidProbe_RequesterGetsStopped()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 1));
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.Probing);

        Sys.Stop(probe);

        Assert.Equal(ProbeErrorKind.Stopped, (await ExpectMsgAsync<ProbeVerdict>()).Error!.Kind);
        await AwaitAssertAsync(() => Assert.True(_pingers.For(Gateway).Disposed));
    }

    [Fact]
    public async Task Start_Twice_SecondRequesterGetsDuplicate()
    {
        var (probe, states) = Spawn(new FakeRxSource(_ => 1));
        probe.Tell(new StartProbe("p", Gateway, 1420));
        await ExpectPhaseAsync(states, ProbePhase.Probing);
        var other = CreateTestProbe();

        probe.Tell(new StartProbe("p", Gateway, 1420), other.Ref);

        Assert.Equal(ProbeErrorKind.DuplicateProbeId, (await other.ExpectMsgAsync<ProbeVerdict>()).Error!.Kind);
    }

    private (IActorRef Probe, TestProbe States) Spawn(FakeRxSource rx)
    {
        var dependencies = new FailoverDependencies(_pingers, new FixedRxSourceFactory(_ => rx));
        var probe = Sys.ActorOf(FailoverProbeActor.Props("p", FailoverSettings.Default, dependencies));
        var states = CreateTestProbe();
        probe.Tell(new SubscribeProbeState(states.Ref));
        states.ExpectMsg(new ProbeStateChanged("p", ProbePhase.Pending, 0));
        return (probe, states);
    }

    private static async Task ExpectPhaseAsync(TestProbe states, ProbePhase phase)
    {
        while ((await states.ExpectMsgAsync<ProbeStateChanged>()).Phase != phase)
        {
        }
    }

    private async Task AwaitSentAsync(FakePinger pinger, int count) =>
        await AwaitAssertAsync(() => Assert.Equal(count, pinger.Sent.Count));

    /// <summary>Advances virtual time through every echo until the final counter read has started.</summary>
    private async Task DriveToEndAsync(TestProbe states, ProbeTiming timing)
    {
        await ExpectPhaseAsync(states, ProbePhase.Probing);
        var pinger = _pingers.For(Gateway);
        Scheduler.Advance(timing.ReplyTimeout);
        for (var sequence = 2; sequence <= timing.Count; sequence++)
        {
            await AwaitSentAsync(pinger, sequence);
            Scheduler.Advance(timing.Interval);
        }
        await ExpectPhaseAsync(states, ProbePhase.MeasuringEnd);
    }

    private sealed class BrokenRxSource : IRxBytesSource
    {
        public ValueTask<long> ReadRxBytesAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("tunnel library went away");
    }
}
