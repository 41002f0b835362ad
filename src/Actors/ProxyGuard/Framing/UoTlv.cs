using System.Buffers.Binary;

namespace EduVpnActors.Actors.ProxyGuard.Framing;

/// <summary>What <see cref="UoTlv.TryWriteFrame"/> did with a datagram.</summary>
public enum FrameWriteStatus
{
    /// <summary>The frame (length and payload) is in the destination.</summary>
    Written,
    /// <summary>An empty datagram: never framed (a zero length would carry nothing; the reference drops it too).</summary>
    Empty,
    /// <summary>Longer than <see cref="UoTlv.MaxSendPayload"/>: the reference server could not receive it.</summary>
    TooLarge,
    /// <summary>The destination is shorter than the frame.</summary>
    DestinationTooSmall,
}

/// <summary>
/// UoTLV/1 (proxyguard.md §3): every datagram is a 2-byte big-endian length, then that many payload
/// bytes; nothing else crosses the stream. Pure and allocation-free.
/// </summary>
public static class UoTlv
{
    /// <summary>The <c>Upgrade</c> token of this framing.</summary>
    public const string UpgradeToken = "UoTLV/1";

    /// <summary>Bytes of the length prefix.</summary>
    public const int HeaderLength = 2;

    /// <summary>
    /// The largest payload sent: ProxyGuard's receivers read into 65,536 bytes, so a frame of up to
    /// 65,534 payload bytes arrives and a 65,535-byte one would stall them.
    /// </summary>
    public const int MaxSendPayload = 65534;

    /// <summary>The largest payload the length can announce; this receiver takes all of them.</summary>
    public const int MaxReceivePayload = ushort.MaxValue;

    /// <summary>The largest frame this receiver must hold at once.</summary>
    public const int MaxFrameLength = HeaderLength + MaxReceivePayload;

    /// <summary>Writes <paramref name="datagram"/> as one frame at the start of <paramref name="destination"/>.</summary>
    /// <param name="datagram">One UDP datagram.</param>
    /// <param name="destination">Where the frame goes.</param>
    /// <param name="written">Frame bytes written (0 unless <see cref="FrameWriteStatus.Written"/>).</param>
    public static FrameWriteStatus TryWriteFrame(ReadOnlySpan<byte> datagram, Span<byte> destination, out int written)
    {
        written = 0;
        var status = Check(datagram.Length);
        if (status != FrameWriteStatus.Written)
        {
            return status;
        }
        if (destination.Length < HeaderLength + datagram.Length)
        {
            return FrameWriteStatus.DestinationTooSmall;
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)datagram.Length);
        datagram.CopyTo(destination[HeaderLength..]);
        written = HeaderLength + datagram.Length;
        return FrameWriteStatus.Written;
    }

    /// <summary>Whether a datagram of <paramref name="length"/> bytes is framed: Written, Empty or TooLarge.</summary>
    public static FrameWriteStatus Check(int length) => length switch
    {
        0 => FrameWriteStatus.Empty,
        > MaxSendPayload => FrameWriteStatus.TooLarge,
        _ => FrameWriteStatus.Written,
    };

    /// <summary>
    /// Finds the first frame in <paramref name="buffer"/>: true with its payload range when the whole
    /// frame is there; false when more bytes are needed (a split length or payload).
    /// </summary>
    /// <param name="buffer">Stream bytes starting at a frame boundary.</param>
    /// <param name="payloadLength">The announced payload length (valid once 2 bytes are there).</param>
    /// <param name="frameLength">Header plus payload: what the frame consumes.</param>
    public static bool TryReadFrame(ReadOnlySpan<byte> buffer, out int payloadLength, out int frameLength)
    {
        if (buffer.Length < HeaderLength)
        {
            payloadLength = 0;
            frameLength = 0;
            return false;
        }
        payloadLength = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        frameLength = HeaderLength + payloadLength;
        return buffer.Length >= frameLength;
    }
}
