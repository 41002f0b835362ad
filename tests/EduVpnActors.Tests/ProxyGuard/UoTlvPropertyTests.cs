using EduVpnActors.Actors.ProxyGuard.Framing;
using EduVpnActors.Tests.Fuzzing;
using EduVpnActors.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>
/// Framing properties (FsCheck): datagrams of 1 to 65,507 bytes, framed (alone, or through the frame
/// queue's ring), cut into TCP segments at random points (1-byte segments, splits between the two
/// length bytes, many frames per segment) and reassembled, come out byte-exact and in order.
/// </summary>
public sealed class UoTlvPropertyTests(ITestOutputHelper output)
{
    private const int Cases = 400;
    private const int MaxDatagram = 65507;

    /// <summary>One case: the datagrams and the seed of the segmentation.</summary>
    public sealed record Stream(byte[][] Datagrams, int SegmentSeed)
    {
        public override string ToString() =>
            $"{Datagrams.Length} datagrams [{string.Join(", ", Datagrams.Select(d => d.Length))}], segment seed {SegmentSeed}";
    }

    private static Gen<Stream> Streams => FuzzGen.Seeded(random =>
    {
        var datagrams = new byte[random.Next(1, 9)][];
        for (var i = 0; i < datagrams.Length; i++)
        {
            // Small, WireGuard-sized and up to the largest IPv4 UDP payload, with the edges on purpose.
            var size = random.Next(6) switch
            {
                0 => random.Next(1, 4),
                1 => random.Next(1, 200),
                2 => random.Next(1, 1501),
                3 => MaxDatagram - random.Next(0, 3),
                _ => random.Next(1, MaxDatagram + 1),
            };
            datagrams[i] = new byte[size];
            random.NextBytes(datagrams[i]);
        }
        return new Stream(datagrams, random.Next());
    });

    [Fact]
    public void FramedAlone_AnySegmentation_ByteExactInOrder()
    {
        var segments = 0L;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), Prop.ForAll(Arb.From(Streams), stream =>
        {
            var wire = new List<byte>();
            foreach (var datagram in stream.Datagrams)
            {
                var frame = new byte[datagram.Length + 2];
                Assert.Equal(FrameWriteStatus.Written, UoTlv.TryWriteFrame(datagram, frame, out var written));
                wire.AddRange(frame.AsSpan(0, written));
            }
            segments += AssertReassembles(wire.ToArray(), stream.Datagrams, new Random(stream.SegmentSeed));
        }));
        Figures.Report(output, $"UoTLV framing property: {Cases} cases, {segments} TCP segments, byte-exact and in order");
    }

    [Fact]
    public void ThroughTheFrameQueueRing_AnySegmentation_ByteExactInOrderNothingDropped()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), Prop.ForAll(Arb.From(Streams), stream =>
        {
            var random = new Random(stream.SegmentSeed);
            // Barely more than one largest frame up to a few: the ring wraps often.
            var capacity = random.Next(65536, 3 * 65536);
            var queue = new FrameQueue(capacity);
            var batch = new byte[65536 + random.Next(0, 65536)];
            var wire = new List<byte>();
            var queued = 0;
            foreach (var datagram in stream.Datagrams)
            {
                if (queued + datagram.Length + 2 > capacity || random.Next(3) == 0)
                {
                    queued = Drain(queue, batch, wire);
                }
                Assert.Equal(EnqueueOutcome.Queued, queue.Enqueue(datagram));
                queued += datagram.Length + 2;
            }
            Drain(queue, batch, wire);

            Assert.Equal(0, queue.DroppedOldest);
            AssertReassembles(wire.ToArray(), stream.Datagrams, random);
        }));
    }

    [Fact]
    public void FullQueue_DropsOldest_KeepsTheLongestNewestRunThatFits()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), Prop.ForAll(Arb.From(Streams), stream =>
        {
            var capacity = 65536 + (stream.SegmentSeed % 65536);
            var queue = new FrameQueue(capacity);
            foreach (var datagram in stream.Datagrams)
            {
                Assert.NotEqual(EnqueueOutcome.TooLarge, queue.Enqueue(datagram));
            }
            var kept = 0;
            var bytes = 0;
            for (var i = stream.Datagrams.Length - 1; i >= 0 && bytes + stream.Datagrams[i].Length + 2 <= capacity; i--)
            {
                bytes += stream.Datagrams[i].Length + 2;
                kept++;
            }
            var wire = new List<byte>();
            Drain(queue, new byte[capacity], wire);

            Assert.Equal(stream.Datagrams.Length - kept, queue.DroppedOldest);
            AssertReassembles(wire.ToArray(), stream.Datagrams[^kept..], new Random(stream.SegmentSeed));
        }));
    }

    private static int Drain(FrameQueue queue, byte[] batch, List<byte> wire)
    {
        int length;
        while ((length = queue.DequeueInto(batch, out var frames)) > 0)
        {
            Assert.True(frames > 0);
            wire.AddRange(batch.AsSpan(0, length));
        }
        return 0;
    }

    /// <summary>Feeds <paramref name="wire"/> to a reader in random segments; returns how many.</summary>
    private static long AssertReassembles(byte[] wire, byte[][] expected, Random random)
    {
        var reader = new UoTlvReader();
        var got = new List<byte[]>();
        var at = 0;
        long segments = 0;
        while (at < wire.Length)
        {
            var free = reader.FreeMemory;
            var size = random.Next(5) switch
            {
                0 => 1,
                1 => random.Next(1, 4),
                2 => random.Next(1, 1500),
                _ => random.Next(1, free.Length + 1),
            };
            size = Math.Min(Math.Min(size, free.Length), wire.Length - at);
            wire.AsSpan(at, size).CopyTo(free.Span);
            reader.Commit(size);
            at += size;
            segments++;
            while (reader.TryReadFrame(out var payload))
            {
                got.Add(payload.ToArray());
            }
        }
        Assert.Equal(0, reader.Buffered);
        Assert.Equal(expected.Length, got.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(got[i]), $"datagram {i} of {expected.Length} ({expected[i].Length} bytes) differs");
        }
        return segments;
    }
}
