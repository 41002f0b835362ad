namespace EduVpnActors.Actors.ProxyGuard.Framing;

/// <summary>
/// Reassembles UoTLV/1 frames from a byte stream cut at any point (also between the two length bytes).
/// One buffer, allocated once: the caller reads into <see cref="FreeMemory"/>, <see cref="Commit"/>s the
/// count, then takes frames with <see cref="TryReadFrame"/>. Zero-length frames are consumed and skipped.
/// Not thread-safe: one reader per connection.
/// </summary>
public sealed class UoTlvReader
{
    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    /// <param name="capacity">At least <see cref="UoTlv.MaxFrameLength"/>, so any frame fits whole.</param>
    public UoTlvReader(int capacity = 2 * 65536)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, UoTlv.MaxFrameLength);
        _buffer = GC.AllocateUninitializedArray<byte>(capacity);
    }

    /// <summary>Bytes received but not yet taken as frames (a partial frame when the stream ends here).</summary>
    public int Buffered => _end - _start;

    /// <summary>The buffered bytes (the HTTP answer before the upgrade is parsed from here).</summary>
    public ReadOnlySpan<byte> BufferedSpan => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Space to read into; moves a partial frame to the front first, so a whole frame always fits.</summary>
    public Memory<byte> FreeMemory
    {
        get
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }
            else if (_start > 0 && _buffer.Length - _end < UoTlv.MaxFrameLength)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            return _buffer.AsMemory(_end);
        }
    }

    /// <summary>Marks <paramref name="count"/> bytes of <see cref="FreeMemory"/> as received.</summary>
    public void Commit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>Drops <paramref name="count"/> buffered bytes (the HTTP answer, once parsed).</summary>
    public void Skip(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Buffered);
        _start += count;
    }

    /// <summary>Empties the buffer (a new connection starts at a frame boundary).</summary>
    public void Reset() => _start = _end = 0;

    /// <summary>The next whole, non-empty frame's payload; false when more bytes are needed.</summary>
    /// <param name="payload">Valid until the next <see cref="FreeMemory"/> or <see cref="Reset"/>.</param>
    public bool TryReadFrame(out ReadOnlyMemory<byte> payload)
    {
        while (UoTlv.TryReadFrame(_buffer.AsSpan(_start, _end - _start), out var length, out var frameLength))
        {
            var payloadStart = _start + UoTlv.HeaderLength;
            _start += frameLength;
            if (length > 0)
            {
                payload = _buffer.AsMemory(payloadStart, length);
                return true;
            }
        }
        payload = default;
        return false;
    }
}
