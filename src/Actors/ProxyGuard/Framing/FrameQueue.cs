using System.Buffers.Binary;
using System.Threading.Tasks.Sources;

namespace EduVpnActors.Actors.ProxyGuard.Framing;

/// <summary>What <see cref="FrameQueue.Enqueue"/> did with a datagram.</summary>
public enum EnqueueOutcome
{
    /// <summary>Queued as a frame.</summary>
    Queued,
    /// <summary>Queued, after dropping one or more of the oldest frames to make room.</summary>
    QueuedDroppingOldest,
    /// <summary>Empty: never framed.</summary>
    Empty,
    /// <summary>Larger than a frame may carry (or than the whole queue): dropped.</summary>
    TooLarge,
    /// <summary>The queue was completed (the tunnel stopped): dropped.</summary>
    Closed,
}

/// <summary>
/// The bounded hand-over from the UDP pump (one producer) to the TCP writer (one consumer): WireGuard
/// datagrams are framed into one ring of bytes as they arrive, and the writer takes as many whole frames
/// as fit its buffer in one go (one TLS write for many datagrams). It lives as long as the tunnel, so
/// datagrams that arrive while a connection is made again wait here instead of being lost.
/// The ring starts small and doubles while more is queued, up to its capacity; when full, the OLDEST
/// frames are dropped (counted): a UDP network drops under load as well, and for WireGuard the newest
/// packets (handshakes, keep-alives, retransmissions) are worth more than stale ones behind them. No
/// allocation once the ring has grown to what the traffic needs: the single waiter is a reusable
/// value-task source.
/// </summary>
public sealed class FrameQueue : IValueTaskSource<bool>
{
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private byte[] _ring;
    private ManualResetValueTaskSourceCore<bool> _signal;
    private CancellationTokenRegistration _cancellation;
    private int _head;
    private int _used;
    private int _frames;
    private bool _waiting;
    private bool _completed;
    private long _droppedOldest;
    private long _droppedTooLarge;

    /// <param name="capacityBytes">The most framed bytes held; at least one largest frame.</param>
    /// <param name="initialBytes">The ring's first size (it doubles up to <paramref name="capacityBytes"/> when needed).</param>
    public FrameQueue(int capacityBytes, int initialBytes = 16 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, UoTlv.HeaderLength + UoTlv.MaxSendPayload);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialBytes, 1);
        _capacity = capacityBytes;
        _ring = GC.AllocateUninitializedArray<byte>(Math.Min(initialBytes, capacityBytes));
    }

    /// <summary>The length of the oldest queued frame (header included); 0 when empty.</summary>
    public int NextFrameLength
    {
        get
        {
            lock (_gate)
            {
                return _frames == 0 ? 0 : FrameLengthAt(_head);
            }
        }
    }

    /// <summary>Frames waiting.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _frames;
            }
        }
    }

    /// <summary>Oldest frames dropped to make room.</summary>
    public long DroppedOldest => Interlocked.Read(ref _droppedOldest);

    /// <summary>Datagrams too large to frame.</summary>
    public long DroppedTooLarge => Interlocked.Read(ref _droppedTooLarge);

    /// <summary>Frames one datagram (producer side); never blocks.</summary>
    public EnqueueOutcome Enqueue(ReadOnlySpan<byte> datagram)
    {
        var check = UoTlv.Check(datagram.Length);
        if (check == FrameWriteStatus.Empty)
        {
            return EnqueueOutcome.Empty;
        }
        var frameLength = UoTlv.HeaderLength + datagram.Length;
        if (check == FrameWriteStatus.TooLarge || frameLength > _capacity)
        {
            Interlocked.Increment(ref _droppedTooLarge);
            return EnqueueOutcome.TooLarge;
        }
        var dropped = false;
        bool wake;
        lock (_gate)
        {
            if (_completed)
            {
                return EnqueueOutcome.Closed;
            }
            if (_ring.Length - _used < frameLength && _ring.Length < _capacity)
            {
                Grow(_used + frameLength);
            }
            while (_ring.Length - _used < frameLength)
            {
                DropOldest();
                dropped = true;
            }
            Span<byte> header = stackalloc byte[UoTlv.HeaderLength];
            BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)datagram.Length);
            var tail = Wrap(_head + _used);
            CopyIn(tail, header);
            CopyIn(Wrap(tail + UoTlv.HeaderLength), datagram);
            _used += frameLength;
            _frames++;
            wake = _waiting;
            _waiting = false;
        }
        if (wake)
        {
            // The writer runs on: one thread hop less per datagram (the producer waits for its TLS write
            // only when the writer was idle anyway). Completing and cancelling still hop, see below.
            _signal.RunContinuationsAsynchronously = false;
            _signal.SetResult(true);
        }
        return dropped ? EnqueueOutcome.QueuedDroppingOldest : EnqueueOutcome.Queued;
    }

    /// <summary>Moves as many whole frames as fit into <paramref name="destination"/> (consumer side).</summary>
    /// <param name="destination">At least one largest frame long, or a large frame may never leave.</param>
    /// <param name="frames">How many frames were copied.</param>
    /// <returns>Framed bytes copied; 0 when the queue is empty.</returns>
    public int DequeueInto(Span<byte> destination, out int frames)
    {
        frames = 0;
        lock (_gate)
        {
            var written = 0;
            while (_frames > 0)
            {
                var frameLength = FrameLengthAt(_head);
                if (written + frameLength > destination.Length)
                {
                    break;
                }
                CopyOut(_head, destination.Slice(written, frameLength));
                written += frameLength;
                frames++;
                Consume(frameLength);
            }
            return written;
        }
    }

    /// <summary>
    /// Completes with true once a frame is queued (at once when one is), with false once the queue is
    /// completed. One waiter at a time (the tunnel's one writer).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_frames > 0)
            {
                return new ValueTask<bool>(true);
            }
            if (_completed)
            {
                return new ValueTask<bool>(false);
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(cancellationToken);
            }
            if (_waiting)
            {
                throw new InvalidOperationException("the frame queue has one waiter at a time");
            }
            _signal.Reset();
            _waiting = true;
            // Inside the lock, so a producer that wakes the waiter finds the registration to undo. A token
            // cancelled meanwhile runs CancelWait at once, on this thread (the lock is re-entrant).
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((FrameQueue)state!).CancelWait(token), this);
            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    /// <summary>Ends the queue: a waiter gets false, later datagrams are refused, queued frames stay readable.</summary>
    public void Complete()
    {
        bool wake;
        lock (_gate)
        {
            _completed = true;
            wake = _waiting;
            _waiting = false;
        }
        if (wake)
        {
            // Never the writer's loop on the caller's (the actor's) thread.
            _signal.RunContinuationsAsynchronously = true;
            _signal.SetResult(false);
        }
    }

    private void CancelWait(CancellationToken token)
    {
        lock (_gate)
        {
            if (!_waiting)
            {
                return;
            }
            _waiting = false;
        }
        _signal.RunContinuationsAsynchronously = true;
        _signal.SetException(new OperationCanceledException(token));
    }

    private void DropOldest()
    {
        Consume(FrameLengthAt(_head));
        _droppedOldest++;
    }

    /// <summary>Doubles the ring (at most to the capacity) until <paramref name="needed"/> bytes fit; the frames move to its start.</summary>
    private void Grow(int needed)
    {
        var size = _ring.Length;
        while (size < needed && size < _capacity)
        {
            size = (int)Math.Min((long)size * 2, _capacity);
        }
        var grown = GC.AllocateUninitializedArray<byte>(size);
        CopyOut(_head, grown.AsSpan(0, _used));
        _ring = grown;
        _head = 0;
    }

    private int FrameLengthAt(int index) => UoTlv.HeaderLength + ((_ring[index] << 8) | _ring[Wrap(index + 1)]);

    private void Consume(int frameLength)
    {
        _head = Wrap(_head + frameLength);
        _used -= frameLength;
        _frames--;
        if (_frames == 0)
        {
            _head = 0;
        }
    }

    private int Wrap(int index) => index >= _ring.Length ? index - _ring.Length : index;

    private void CopyIn(int at, ReadOnlySpan<byte> source)
    {
        var first = Math.Min(source.Length, _ring.Length - at);
        source[..first].CopyTo(_ring.AsSpan(at));
        source[first..].CopyTo(_ring);
    }

    private void CopyOut(int at, Span<byte> destination)
    {
        var first = Math.Min(destination.Length, _ring.Length - at);
        _ring.AsSpan(at, first).CopyTo(destination);
        _ring.AsSpan(0, destination.Length - first).CopyTo(destination[first..]);
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        _cancellation.Unregister();
        return _signal.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _signal.OnCompleted(continuation, state, token, flags);
}
