using EduVpnActors.Actors.ProxyGuard.Framing;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>The hand-over between the UDP pump and the TCP writer: waiting, waking, cancelling, completing, refusing.</summary>
public sealed class FrameQueueTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Wait_EmptyQueue_CompletesWhenADatagramArrives()
    {
        var queue = new FrameQueue(65536);

        var waiting = queue.WaitAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        queue.Enqueue([1, 2, 3]);

        Assert.True(await waiting.WaitAsync(Wait));
        var batch = new byte[65536];
        Assert.Equal(5, queue.DequeueInto(batch, out var frames));
        Assert.Equal(1, frames);
        Assert.Equal([0, 3, 1, 2, 3], batch[..5]);
    }

    [Fact]
    public async Task Wait_FramesQueued_CompletesAtOnce()
    {
        var queue = new FrameQueue(65536);
        queue.Enqueue([9]);

        var waiting = queue.WaitAsync(CancellationToken.None);

        Assert.True(waiting.IsCompletedSuccessfully);
        Assert.True(await waiting);
    }

    [Fact]
    public async Task Wait_Cancelled_ThrowsAndTheNextWaitStillWorks()
    {
        var queue = new FrameQueue(65536);
        using var cancel = new CancellationTokenSource();

        var waiting = queue.WaitAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Wait));
        var next = queue.WaitAsync(CancellationToken.None).AsTask();
        queue.Enqueue([1]);
        Assert.True(await next.WaitAsync(Wait));
    }

    [Fact]
    public async Task Complete_WakesTheWaiterWithFalse_RefusesLaterDatagrams_KeepsQueuedOnes()
    {
        var queue = new FrameQueue(65536);
        var waiting = queue.WaitAsync(CancellationToken.None).AsTask();

        queue.Complete();

        Assert.False(await waiting.WaitAsync(Wait));
        Assert.Equal(EnqueueOutcome.Closed, queue.Enqueue([1]));
        Assert.False(await queue.WaitAsync(CancellationToken.None));
    }

    [Fact]
    public void EmptyAndTooLarge_NotQueued_TooLargeCounted()
    {
        var queue = new FrameQueue(65536);

        Assert.Equal(EnqueueOutcome.Empty, queue.Enqueue([]));
        Assert.Equal(EnqueueOutcome.TooLarge, queue.Enqueue(new byte[65535]));
        Assert.Equal(EnqueueOutcome.Queued, queue.Enqueue(new byte[65534]));

        Assert.Equal(1, queue.Count);
        Assert.Equal(1, queue.DroppedTooLarge);
        Assert.Equal(0, queue.DroppedOldest);
    }

    [Fact]
    public void Full_NewDatagramQueued_OldestDroppedAndCounted()
    {
        var queue = new FrameQueue(65536);
        for (byte i = 1; i <= 40; i++)
        {
            Assert.Equal(EnqueueOutcome.Queued, queue.Enqueue(Filled(1598, i)));
        }

        // 41 frames of 1600 bytes do not fit in 65536: the first one goes.
        Assert.Equal(EnqueueOutcome.QueuedDroppingOldest, queue.Enqueue(Filled(1598, 41)));

        Assert.Equal(1, queue.DroppedOldest);
        var batch = new byte[65536];
        var length = queue.DequeueInto(batch, out var frames);
        Assert.Equal(40, frames);
        Assert.Equal(40 * 1600, length);
        Assert.Equal(2, batch[2]);
        Assert.Equal(41, batch[(39 * 1600) + 2]);
    }

    [Fact]
    public void Dequeue_SmallBatch_TakesOnlyWholeFrames()
    {
        var queue = new FrameQueue(65536);
        queue.Enqueue(Filled(100, 1));
        queue.Enqueue(Filled(100, 2));

        var batch = new byte[150];
        Assert.Equal(102, queue.DequeueInto(batch, out var frames));
        Assert.Equal(1, frames);
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void SmallRing_WrappedThenGrown_FramesKeepTheirOrderAndBytes()
    {
        var queue = new FrameQueue(65536, initialBytes: 40);
        var batch = new byte[65536];
        queue.Enqueue(Filled(10, 1));
        queue.Enqueue(Filled(10, 2));
        Assert.Equal(12, queue.DequeueInto(batch.AsSpan(0, 12), out _));
        // 2 is at offset 12; 3 and 4 wrap around the end of the 40-byte ring, then 5 makes it grow.
        queue.Enqueue(Filled(10, 3));
        queue.Enqueue(Filled(10, 4));
        queue.Enqueue(Filled(30, 5));

        var length = queue.DequeueInto(batch, out var frames);

        Assert.Equal(0, queue.DroppedOldest);
        Assert.Equal(4, frames);
        byte[] expected = [0, 10, .. Filled(10, 2), 0, 10, .. Filled(10, 3), 0, 10, .. Filled(10, 4), 0, 30, .. Filled(30, 5)];
        Assert.Equal(expected, batch[..length]);
    }

    [Fact]
    public void SteadyState_QueueAndReader_AllocateNothingPerDatagram()
    {
        var queue = new FrameQueue(256 * 1024);
        var reader = new UoTlvReader();
        var datagram = new byte[1420];
        var batch = new byte[16 * 1024];
        // Grow the ring and the reader to what this traffic needs, and JIT everything, first.
        Cycle(queue, reader, datagram, batch, 1000);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var carried = Cycle(queue, reader, datagram, batch, 100_000);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(100_000, carried);

        static int Cycle(FrameQueue queue, UoTlvReader reader, byte[] datagram, byte[] batch, int datagrams)
        {
            var carried = 0;
            for (var i = 0; i < datagrams; i += 8)
            {
                for (var j = 0; j < 8; j++)
                {
                    queue.Enqueue(datagram);
                }
                var ready = queue.WaitAsync(CancellationToken.None);
                Assert.True(ready.IsCompletedSuccessfully && ready.Result);
                var length = queue.DequeueInto(batch, out _);
                // The bytes arrive in two odd pieces, as from TCP.
                var cut = length / 3;
                batch.AsSpan(0, cut).CopyTo(reader.FreeMemory.Span);
                reader.Commit(cut);
                while (reader.TryReadFrame(out _))
                {
                    carried++;
                }
                batch.AsSpan(cut, length - cut).CopyTo(reader.FreeMemory.Span);
                reader.Commit(length - cut);
                while (reader.TryReadFrame(out _))
                {
                    carried++;
                }
            }
            return carried;
        }
    }

    [Fact]
    public void ConstructedTooSmall_Refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameQueue(65535));
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
