using System.Collections.Concurrent;
using System.Net;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Tests.Failover;

/// <summary>An echo channel driven by the test: it records sends and delivers replies on request.</summary>
internal sealed class FakePinger : IEchoPinger
{
    private readonly TaskCompletionSource<int> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<int> _sent = new();
    private volatile bool _disposed;
    private volatile bool _receiveCancelled;

    public FakePinger(IPAddress gateway) => Gateway = gateway;

    public IPAddress Gateway { get; }

    public int? FailSendAt { get; set; }

    /// <summary>Answer every echo request at once (a gateway that is reachable).</summary>
    public bool AnswersImmediately { get; set; }

    public IReadOnlyList<int> Sent => [.. _sent];

    public bool Disposed => _disposed;

    public bool ReceiveCancelled => _receiveCancelled;

    public void Reply(int sequence) => _reply.TrySetResult(sequence);

    public ValueTask SendEchoAsync(int sequence, CancellationToken cancellationToken)
    {
        if (sequence == FailSendAt)
        {
            throw new FailoverException(ProbeErrorKind.SendFailed, $"fake send failure at {sequence}");
        }
        _sent.Enqueue(sequence);
        if (AnswersImmediately)
        {
            Reply(sequence);
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<int> ReceiveReplyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _receiveCancelled = true;
            throw;
        }
    }

    public void Dispose() => _disposed = true;
}

internal sealed class FakePingerFactory : IEchoPingerFactory
{
    private readonly ConcurrentDictionary<IPAddress, FakePinger> _pingers = new();

    public FailoverException? OpenFailure { get; set; }

    public Action<FakePinger>? Configure { get; set; }

    public FakePinger For(IPAddress gateway) => _pingers[gateway];

    public bool Opened(IPAddress gateway) => _pingers.ContainsKey(gateway);

    public IEchoPinger Open(IPAddress gateway, int payloadLength)
    {
        if (OpenFailure is not null)
        {
            throw OpenFailure;
        }
        var pinger = new FakePinger(gateway);
        Configure?.Invoke(pinger);
        _pingers[gateway] = pinger;
        return pinger;
    }
}

/// <summary>A counter with scripted values; a read can be held open until the test releases it.</summary>
internal sealed class FakeRxSource : IRxBytesSource
{
    private readonly Func<int, long> _valueOfRead;
    private int _reads;

    public FakeRxSource(Func<int, long> valueOfRead) => _valueOfRead = valueOfRead;

    /// <summary>0-based read number that waits until cancelled (to test cancellation mid-read).</summary>
    public int? HangOnRead { get; init; }

    public int? FailOnRead { get; init; }

    public int Reads => Volatile.Read(ref _reads);

    public bool HangingReadCancelled { get; private set; }

    public async ValueTask<long> ReadRxBytesAsync(CancellationToken cancellationToken)
    {
        var read = Interlocked.Increment(ref _reads) - 1;
        if (read == FailOnRead)
        {
            throw new FailoverException(ProbeErrorKind.RxCounterFailed, "fake counter failure");
        }
        if (read == HangOnRead)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                HangingReadCancelled = true;
                throw;
            }
        }
        return _valueOfRead(read);
    }
}

internal sealed class FixedRxSourceFactory(Func<StartProbe, IRxBytesSource> create) : IRxBytesSourceFactory
{
    public IRxBytesSource Create(StartProbe request) => create(request);
}
