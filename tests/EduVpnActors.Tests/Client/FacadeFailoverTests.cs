using System.Collections.Concurrent;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Failover;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Failover;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using static EduVpnActors.Messages.Connection.ConnectionState;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// The facade's failover with the host's own ping and counter (<see cref="EduVpnEngineOptions.Failover"/>):
/// the host's counter decides, every verdict is an event, and the caller's token cancels the probe.
/// </summary>
public sealed class FacadeFailoverTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakePingerFactory _pingers = new();
    private readonly ConcurrentQueue<FailoverVerdictReady> _events = new();
    private int _counterReads;
    private volatile bool _hangingCounter;
    private volatile bool _failingCounter;
    private ClientFlowLab _lab = null!;

    private EduVpnEngine Engine => _lab.Engine;

    public async Task InitializeAsync()
    {
        _lab = await ClientFlowLab.StartAsync(startEngine: false);
        // A counter that never moves and a gateway that never answers: only the host's source can say "dropped".
        _lab.Failover = new FailoverDependencies(_pingers, new FixedRxSourceFactory(_ => new FakeRxSource(_ =>
        {
            Interlocked.Increment(ref _counterReads);
            return 4242;
        })
        { HangOnRead = _hangingCounter ? 0 : null, FailOnRead = _failingCounter ? 0 : null }));
        _lab.ExtraHocon += "\neduvpn.failover { interval = 50ms, count = 3, reply-timeout = 50ms }";
        await _lab.StartEngineAsync();
        Engine.FailoverVerdict += (_, verdict) => _events.Enqueue(verdict);

        _lab.Portal.SetProfiles(PortalProfile.OpenVpnOnly);
        await Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
        await Engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(_lab.Institute, Connecting).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(_lab.Institute, Connected).WaitAsync(Wait);
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task HostCounter_Decides_AndTheVerdictIsAnEvent()
    {
        var verdict = await Engine.StartFailoverAsync(_lab.Institute, 1400, "tun0", "127.0.0.1").WaitAsync(Wait);

        Assert.True(verdict.Dropped);
        Assert.Equal((4242L, 4242L), (verdict.RxBytesBefore, verdict.RxBytesAfter));
        Assert.Equal(2, Volatile.Read(ref _counterReads));
        var published = await EventAsync();
        Assert.Equal(verdict, published.Verdict);
    }

    [Fact]
    public async Task CallersToken_CancelsTheProbe()
    {
        // The first counter read never ends: only the cancel can end the probe.
        _hangingCounter = true;
        using var cancel = new CancellationTokenSource();
        var probing = Engine.StartFailoverAsync(_lab.Institute, 1400, "tun0", "127.0.0.1", cancel.Token);
        await Eventually.HoldsAsync(() => _pingers.Opened(System.Net.IPAddress.Loopback), Wait);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probing.WaitAsync(Wait));
        Assert.Equal(ProbeErrorKind.Cancelled, (await EventAsync()).Verdict.Error?.Kind);
        // The probe is gone: a new one may start at once.
        _hangingCounter = false;
        _pingers.Configure = pinger => pinger.AnswersImmediately = true;
        Assert.False((await Engine.StartFailoverAsync(_lab.Institute, 1400, "tun0", "127.0.0.1").WaitAsync(Wait)).Dropped);
    }

    [Fact]
    public async Task ProbeCannotDecide_FacadeThrowsProbeFailedWithTheReason_NeverReadsAsNotDropped()
    {
        _failingCounter = true;

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.StartFailoverAsync(_lab.Institute, 1400, "tun0", "127.0.0.1").WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.ProbeFailed, error.Kind);
        Assert.Equal(ProbeErrorKind.RxCounterFailed, error.Error.Probe?.Kind);
        Assert.Contains("fake counter failure", error.Message);
        // The event still tells every listener what happened, as a verdict that is neither dropped nor not dropped.
        var published = await EventAsync();
        Assert.Equal(ProbeOutcome.Error, published.Verdict.Outcome);
        Assert.False(published.Verdict.Dropped);
    }

    private async Task<FailoverVerdictReady> EventAsync()
    {
        await Eventually.HoldsAsync(() => !_events.IsEmpty, Wait);
        Assert.True(_events.TryDequeue(out var verdict));
        return verdict;
    }
}
