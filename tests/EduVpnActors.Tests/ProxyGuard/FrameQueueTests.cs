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
    public void ConstructedTooSmall_Refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameQueue(65535));
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
