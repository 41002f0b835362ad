namespace EduVpnActors.Actors.ProxyGuard.Framing;

/// <summary>
/// Reassembles UoTLV/1 frames from a byte stream cut at any point (also between the two length bytes).
/// One buffer: the caller reads into <see cref="FreeMemory"/>, <see cref="Commit"/>s the count, then
/// takes frames with <see cref="TryReadFrame"/>. The buffer starts at two TLS records and grows once to
/// hold a whole frame when a larger one is announced. Zero-length frames are consumed and skipped.
/// Not thread-safe: one reader per connection.
/// </summary>
public sealed class UoTlvReader
{
    private byte[] _buffer;
    private int _start;
    private int _end;

    /// <param name="initialCapacity">The buffer's first size; it grows to hold any frame announced.</param>
    public UoTlvReader(int initialCapacity = 32 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 16);
        _buffer = GC.AllocateUninitializedArray<byte>(initialCapacity);
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
            else if (_start > 0)
            {
                // A partial frame: to the front, so the rest of it (and more) fits behind it.
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end >= UoTlv.HeaderLength && UoTlv.HeaderLength + ((_buffer[0] << 8) | _buffer[1]) > _buffer.Length)
            {
                // A frame longer than the buffer is announced: room for the longest there is.
                Grow(UoTlv.MaxFrameLength + (16 * 1024));
            }
            else if (_end == _buffer.Length)
            {
                // Only the HTTP head can fill the buffer without a frame length to go by.
                Grow(_buffer.Length * 2);
            }
            return _buffer.AsMemory(_end);
        }
    }

    private void Grow(int size)
    {
        var grown = GC.AllocateUninitializedArray<byte>(size);
        _buffer.AsSpan(0, _end).CopyTo(grown);
        _buffer = grown;
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
