using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Event;
using EduVpnActors.Actors.ProxyGuard.Framing;
using EduVpnActors.Actors.ProxyGuard.Handshake;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard.Transport;

/// <summary>An attempt saw WireGuard's traffic and started dialling.</summary>
internal sealed record AttemptConnecting(int Attempt) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

/// <summary>An attempt is upgraded; datagrams flow.</summary>
internal sealed record AttemptConnected(int Attempt, string Server) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

/// <summary>An attempt ended: with a typed failure, or (Error null) because the tunnel stopped.</summary>
internal sealed record AttemptEnded(int Attempt, ProxyGuardError? Error, TimeSpan Duration) : INoSerializationVerificationNeeded, IDeadLetterSuppression;

/// <summary>Everything an attempt uses; made once per tunnel, so attempts allocate only their sockets.</summary>
internal sealed class AttemptContext(
    ProxyGuardSettings settings,
    ProxyGuardPeer peer,
    byte[] request,
    X509Certificate2? extraRoot,
    DialPlan dial,
    FrameQueue queue,
    WireGuardSocket wireGuard,
    TunnelCounters counters)
{
    private UoTlvReader? _reader;
    private byte[]? _writeBuffer;

    public ProxyGuardSettings Settings { get; } = settings;
    public ProxyGuardPeer Peer { get; } = peer;
    public byte[] Request { get; } = request;
    public X509Certificate2? ExtraRoot { get; } = extraRoot;
    public DialPlan Dial { get; } = dial;
    public FrameQueue Queue { get; } = queue;
    public WireGuardSocket WireGuard { get; } = wireGuard;
    public TunnelCounters Counters { get; } = counters;
    public ConnectionSlot Connection { get; } = new();

    /// <summary>Frames arriving from the server (one connection at a time); made on the first connection.</summary>
    public UoTlvReader Reader => _reader ??= new UoTlvReader();

    /// <summary>
    /// Whole frames taken from the queue for one TLS write: one TLS record's worth, grown once when a
    /// larger frame comes. Made on the first connection.
    /// </summary>
    public byte[] WriteBufferFor(int frameLength)
    {
        if (_writeBuffer is null || _writeBuffer.Length < frameLength)
        {
            _writeBuffer = GC.AllocateUninitializedArray<byte>(frameLength <= 16 * 1024 ? 16 * 1024 : UoTlv.HeaderLength + UoTlv.MaxSendPayload);
        }
        return _writeBuffer;
    }
}

/// <summary>
/// One attempt of proxyguard.md §4.2: wait for WireGuard's first datagram (no TCP before it; no CPU
/// either, the wait is a plain await), dial, upgrade, then pump both ways until either side fails.
/// The queued datagram that woke it is the first frame sent.
/// </summary>
internal static class TunnelAttempt
{
    /// <param name="context">The tunnel's resources.</param>
    /// <param name="attempt">The attempt's number, echoed in what it reports.</param>
    /// <param name="report">Receives <see cref="AttemptConnecting"/> and <see cref="AttemptConnected"/>.</param>
    /// <param name="stopping">The tunnel's stop.</param>
    public static async Task<AttemptEnded> RunAsync(AttemptContext context, int attempt, Action<object> report, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (!await context.Queue.WaitAsync(stopping).ConfigureAwait(false))
            {
                return new AttemptEnded(attempt, null, Stopwatch.GetElapsedTime(started));
            }
            report(new AttemptConnecting(attempt));
            var (socket, remote) = await PeerDialer.ConnectAsync(context.Dial, context.Connection, context.Settings, stopping).ConfigureAwait(false);
            var stream = await UpgradeClient.OpenAsync(socket, context.Peer, context.Request, context.ExtraRoot, context.Reader,
                context.Settings.HandshakeTimeout, stopping).ConfigureAwait(false);
            if (!context.Connection.TrySet(stream))
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                return new AttemptEnded(attempt, null, Stopwatch.GetElapsedTime(started));
            }
            report(new AttemptConnected(attempt, remote.ToString()));
            var error = await PumpAsync(context, stream, stopping).ConfigureAwait(false);
            return new AttemptEnded(attempt, error, Stopwatch.GetElapsedTime(started));
        }
        catch (ProxyGuardException e) when (!stopping.IsCancellationRequested)
        {
            return new AttemptEnded(attempt, e.Error, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            // Nothing else is expected here; still a typed, visible end of this attempt rather than a crash.
            return new AttemptEnded(attempt, StreamFailures.Broken(e, "unexpectedly").Error, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            return new AttemptEnded(attempt, null, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Runs both pumps; the first to fail ends the attempt, and its failure is the one reported.</summary>
    private static async Task<ProxyGuardError?> PumpAsync(AttemptContext context, Stream stream, CancellationToken stopping)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var readDeadline = CancellationTokenSource.CreateLinkedTokenSource(attempt.Token);
        var writer = WriteLoopAsync(context, stream, attempt.Token);
        var reader = ReadLoopAsync(context, stream, readDeadline, attempt.Token);
        var first = await Task.WhenAny(writer, reader).ConfigureAwait(false);
        await attempt.CancelAsync().ConfigureAwait(false);
        context.Connection.Close(stream);
        try
        {
            await Task.WhenAll(writer, reader).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The second pump only stopped because the first ended the attempt.
        }
        if (stopping.IsCancellationRequested || first.IsCompletedSuccessfully)
        {
            return null;
        }
        return first.Exception?.InnerException switch
        {
            ProxyGuardException typed => typed.Error,
            { } other => StreamFailures.Broken(other, "while carrying datagrams").Error,
            null => new ProxyGuardError(ProxyGuardErrorKind.ConnectionReset, "the connection ended"),
        };
    }

    /// <summary>Queued frames to the server, as many per TLS write as are waiting. Ends when the tunnel stops.</summary>
    private static async Task WriteLoopAsync(AttemptContext context, Stream stream, CancellationToken token)
    {
        while (await context.Queue.WaitAsync(token).ConfigureAwait(false))
        {
            var buffer = context.WriteBufferFor(context.Queue.NextFrameLength);
            var length = context.Queue.DequeueInto(buffer, out var frames);
            try
            {
                await stream.WriteAsync(buffer.AsMemory(0, length), token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException && !token.IsCancellationRequested)
            {
                throw StreamFailures.Broken(e, "while writing");
            }
            context.Counters.SentToServer(frames, length);
        }
    }

    /// <summary>Frames from the server to WireGuard; every read has the read time-out. Never ends without a failure.</summary>
    private static async Task ReadLoopAsync(AttemptContext context, Stream stream, CancellationTokenSource readDeadline, CancellationToken token)
    {
        var reader = context.Reader;
        var timeout = context.Settings.ReadTimeout;
        while (true)
        {
            // The bytes that came with the 101 are frames too.
            while (reader.TryReadFrame(out var payload))
            {
                if (await context.WireGuard.SendAsync(payload, token).ConfigureAwait(false))
                {
                    context.Counters.DeliveredToWireGuard();
                }
                else
                {
                    context.Counters.Undeliverable();
                }
            }
            readDeadline.CancelAfter(timeout);
            int read;
            try
            {
                read = await stream.ReadAsync(reader.FreeMemory, readDeadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!token.IsCancellationRequested)
            {
                throw new ProxyGuardException(ProxyGuardErrorKind.ReadTimeout, $"the server sent nothing for {timeout.TotalSeconds:0.###} s", e);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException && !token.IsCancellationRequested)
            {
                throw StreamFailures.Broken(e, reader.Buffered > 0 ? $"{reader.Buffered} bytes into a frame" : "while reading");
            }
            if (read == 0)
            {
                throw reader.Buffered > 0
                    ? new ProxyGuardException(ProxyGuardErrorKind.TruncatedFrame, $"the server closed the connection {reader.Buffered} bytes into a frame")
                    : new ProxyGuardException(ProxyGuardErrorKind.ConnectionClosed, "the server closed the connection");
            }
            reader.Commit(read);
            context.Counters.ReadFromServer(read);
        }
    }
}

/// <summary>
/// The attempt's live socket or stream, so that stopping the tunnel closes it at once (on the stopping
/// thread) instead of whenever the attempt's task notices.
/// </summary>
internal sealed class ConnectionSlot
{
    private readonly Lock _gate = new();
    private IDisposable? _current;
    private bool _closed;

    /// <summary>Holds <paramref name="connection"/>; false (and nothing held) once the tunnel stopped.</summary>
    public bool TrySet(IDisposable connection)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }
            _current = connection;
            return true;
        }
    }

    /// <summary>Closes <paramref name="connection"/> and forgets it.</summary>
    public void Close(IDisposable connection)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_current, connection))
            {
                _current = null;
            }
        }
        connection.Dispose();
    }

    /// <summary>The tunnel stops: closes what is held, refuses anything later.</summary>
    public void CloseForGood()
    {
        IDisposable? current;
        lock (_gate)
        {
            _closed = true;
            current = _current;
            _current = null;
        }
        current?.Dispose();
    }
}
