using System.Security.Cryptography;
using EduVpnActors.Actors.ProxyGuard.Framing;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>
/// Every vector of proxyguard.md §7. The document gives the first 8 hex digits of each SHA-256; the full
/// digests below were computed from its byte rules (2-byte big-endian length, then the payload) and must
/// begin with those digits.
/// </summary>
public sealed class UoTlvVectorTests
{
    public static TheoryData<string, byte[], string, string, int> Vectors => new()
    {
        { "01", [0x01], "fbb59ed1", "fbb59ed10e9cd4ff45a12c5bb92cbd80df984ba1fe60f26a30febf218e2f0f5e", 3 },
        { "hello", "hello"u8.ToArray(), "72c1b2dc", "72c1b2dc5be960b72289a488335cc6758dc59fa5f843a5fde41dea4ba61b9bef", 7 },
        { "148 x ab", Enumerable.Repeat((byte)0xab, 148).ToArray(), "4bab75fa", "4bab75fac81608582951c2568a68b5504eeeb67e18a4cef253e8ac81a649d21c", 150 },
        { "04 + 31 x 00", [0x04, .. new byte[31]], "35cbf86f", "35cbf86fa3cbc060c96dbef388d83ad1abe943ff376da840335492f1bfb86b4b", 34 },
        { "1420 B, i mod 256", Counting(1420), "77ab9605", "77ab96054d3078b123cf93edd36ee63db9ea3f1bd196a90ded8a9ed33937d28f", 1422 },
        { "65507 B, i mod 256", Counting(65507), "e389f2b7", "e389f2b76f75b70d2cd481d1b14d73cd5877e884faeca978431f845f9dfb99ab", 65509 },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_Framed_HashAndLengthAsTheDocument(string name, byte[] datagram, string documentPrefix, string sha256, int framedLength)
    {
        var destination = new byte[framedLength + 10];

        var status = UoTlv.TryWriteFrame(datagram, destination, out var written);

        Assert.Equal(FrameWriteStatus.Written, status);
        Assert.Equal(framedLength, written);
        var hash = Convert.ToHexStringLower(SHA256.HashData(destination.AsSpan(0, written)));
        Assert.StartsWith(documentPrefix, sha256, StringComparison.Ordinal);
        Assert.True(sha256 == hash, $"{name}: {hash}");
    }

    [Fact]
    public void Vectors_LeadingBytes_AsTheDocumentShowsThem()
    {
        Assert.Equal([0x00, 0x01, 0x01], Frame([0x01]));
        Assert.Equal([0x00, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f], Frame("hello"u8.ToArray()));
        Assert.Equal([0x00, 0x94, 0xab], Frame(Enumerable.Repeat((byte)0xab, 148).ToArray())[..3]);
        Assert.Equal([0x00, 0x20, 0x04, 0x00], Frame([0x04, .. new byte[31]])[..4]);
        var mtu = Frame(Counting(1420));
        Assert.Equal([0x05, 0x8c, 0x00, 0x01], mtu[..4]);
        Assert.Equal([0x8a, 0x8b], mtu[^2..]);
        Assert.Equal([0xff, 0xe3, 0x00, 0x01], Frame(Counting(65507))[..4]);
    }

    [Fact]
    public void EmptyDatagram_NothingFramed()
    {
        var destination = new byte[8];

        Assert.Equal(FrameWriteStatus.Empty, UoTlv.TryWriteFrame([], destination, out var written));
        Assert.Equal(0, written);
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Limits_65534Sent_65535Refused_TypedAndNothingWritten()
    {
        var destination = new byte[70000];

        Assert.Equal(FrameWriteStatus.Written, UoTlv.TryWriteFrame(new byte[UoTlv.MaxSendPayload], destination, out var written));
        Assert.Equal(65536, written);
        Assert.Equal(FrameWriteStatus.TooLarge, UoTlv.TryWriteFrame(new byte[65535], destination, out written));
        Assert.Equal(0, written);
        Assert.Equal(FrameWriteStatus.DestinationTooSmall, UoTlv.TryWriteFrame(new byte[100], new byte[101], out written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Reader_TheDocumentsSegmentation_HelloABc()
    {
        // proxyguard.md §3 [obs]: chunks 00 | 05 68 65 6c | 6c 6f 00 01 41 00 02 42 | 43 gave "hello", "A", "BC".
        var reader = new UoTlvReader();
        var got = new List<string>();
        foreach (var chunk in new byte[][] { [0x00], [0x05, 0x68, 0x65, 0x6c], [0x6c, 0x6f, 0x00, 0x01, 0x41, 0x00, 0x02, 0x42], [0x43] })
        {
            chunk.CopyTo(reader.FreeMemory.Span);
            reader.Commit(chunk.Length);
            while (reader.TryReadFrame(out var payload))
            {
                got.Add(System.Text.Encoding.ASCII.GetString(payload.Span));
            }
        }

        Assert.Equal(["hello", "A", "BC"], got);
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void Reader_ZeroLengthFrames_ConsumedAndSkipped_MaxLengthFrameTaken()
    {
        var reader = new UoTlvReader();
        byte[] stream = [0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x7a, 0x00, 0x00, 0xff, 0xff, .. Enumerable.Repeat((byte)0x5a, 65535)];
        var frames = new List<byte[]>();
        for (var at = 0; at < stream.Length;)
        {
            // As much as the reader has room for each time: it grows once the 65,535-byte frame is announced.
            var free = reader.FreeMemory;
            var count = Math.Min(free.Length, stream.Length - at);
            stream.AsSpan(at, count).CopyTo(free.Span);
            reader.Commit(count);
            at += count;
            while (reader.TryReadFrame(out var payload))
            {
                frames.Add(payload.ToArray());
            }
        }

        Assert.Equal(2, frames.Count);
        Assert.Equal([0x7a], frames[0]);
        Assert.Equal(65535, frames[1].Length);
        Assert.All(frames[1], b => Assert.Equal(0x5a, b));
        Assert.Equal(0, reader.Buffered);
    }

    private static byte[] Frame(byte[] datagram)
    {
        var destination = new byte[datagram.Length + 2];
        Assert.Equal(FrameWriteStatus.Written, UoTlv.TryWriteFrame(datagram, destination, out _));
        return destination;
    }

    private static byte[] Counting(int length) => Enumerable.Range(0, length).Select(i => (byte)(i % 256)).ToArray();
}
