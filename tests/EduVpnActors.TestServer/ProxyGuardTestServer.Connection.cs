using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace EduVpnActors.TestServer;

/// <summary>One connection: proxyguard-server's request handling, the mode's answer, then the frame pump.</summary>
public sealed partial class ProxyGuardTestServer
{
    private const string Upgraded = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n";

    private async Task ServeAsync(ConnectionContext connection)
    {
        Interlocked.Increment(ref _connections);
        _live.TryAdd(connection, 0);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_running.Token, connection.ConnectionClosed);
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        try
        {
            while (true)
            {
                // proxyguard-server: the request must come within 10 s, or the connection is closed unanswered.
                using var requestDeadline = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                requestDeadline.CancelAfter(TimeSpan.FromSeconds(10));
                var head = await ReadHeadAsync(input, requestDeadline.Token).ConfigureAwait(false);
                if (head is null)
                {
                    return;
                }
                var tls = connection.Features.Get<ITlsHandshakeFeature>();
                var alpn = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol;
                _requests.Enqueue(new ProxyGuardRequestRecord(head, connection.Items.TryGetValue("sni", out var sni) ? sni as string : null,
                    connection.RemoteEndPoint as IPEndPoint, tls?.Protocol, alpn is { Length: > 0 } name ? Encoding.ASCII.GetString(name.Span) : null));
                if (Refusal(head) is { } refusal)
                {
                    // Both refusals carry the upgrade headers and keep the connection open, as proxyguard-server.
                    await WriteAsync(output, refusal, stop.Token).ConfigureAwait(false);
                    continue;
                }
                await AnswerAsync(connection, input, output, stop.Token).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException or ConnectionResetException)
        {
            // Killed, reset by the client or past a deadline: this connection is over.
        }
        finally
        {
            _live.TryRemove(connection, out _);
        }
    }

    private async Task AnswerAsync(ConnectionContext connection, PipeReader input, PipeWriter output, CancellationToken stop)
    {
        switch (Mode)
        {
            case ProxyGuardServerMode.WrongStatus:
                await WriteAsync(output, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", stop).ConfigureAwait(false);
                await HoldAsync(stop).ConfigureAwait(false);
                return;
            case ProxyGuardServerMode.MissingUpgrade:
                await WriteAsync(output, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", stop).ConfigureAwait(false);
                await HoldAsync(stop).ConfigureAwait(false);
                return;
            case ProxyGuardServerMode.WrongUpgrade:
                await WriteAsync(output, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", stop).ConfigureAwait(false);
                await HoldAsync(stop).ConfigureAwait(false);
                return;
            case ProxyGuardServerMode.MissingConnection:
                await WriteAsync(output, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: UoTLV/1\r\n\r\n", stop).ConfigureAwait(false);
                await HoldAsync(stop).ConfigureAwait(false);
                return;
            case ProxyGuardServerMode.WrongConnection:
                await WriteAsync(output, "HTTP/1.1 101 Switching Protocols\r\nConnection: keep-alive, Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n", stop).ConfigureAwait(false);
                await HoldAsync(stop).ConfigureAwait(false);
                return;
            case ProxyGuardServerMode.SilentAfterAccept:
                await HoldAsync(stop).ConfigureAwait(false);
                return;
            case ProxyGuardServerMode.SlowDrip:
                foreach (var b in Encoding.ASCII.GetBytes(Upgraded))
                {
                    await output.WriteAsync(new[] { b }, stop).ConfigureAwait(false);
                    await Task.Delay(_options.DripInterval, stop).ConfigureAwait(false);
                }
                break;
            case ProxyGuardServerMode.ResetMidFrame or ProxyGuardServerMode.LengthPrefixTooLarge:
                await WriteAsync(output, Upgraded, stop).ConfigureAwait(false);
                Interlocked.Increment(ref _upgrades);
                await BreakFirstFrameAsync(connection, input, output, stop).ConfigureAwait(false);
                return;
            default:
                var answer = Encoding.ASCII.GetBytes(Upgraded);
                if (_options.GreetingAfterUpgrade is { } greeting)
                {
                    var header = new byte[2];
                    BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)greeting.Length);
                    answer = [.. answer, .. header, .. greeting];
                }
                await output.WriteAsync(answer, stop).ConfigureAwait(false);
                break;
        }
        Interlocked.Increment(ref _upgrades);
        await PumpAsync(input, output, stop).ConfigureAwait(false);
    }

    /// <summary>Answers the client's first frame with a broken one: half and a reset, or a length longer than what follows and a close.</summary>
    private async Task BreakFirstFrameAsync(ConnectionContext connection, PipeReader input, PipeWriter output, CancellationToken stop)
    {
        var payload = await ReadFrameAsync(input, stop).ConfigureAwait(false);
        if (payload is null)
        {
            return;
        }
        var header = new byte[2];
        if (Mode == ProxyGuardServerMode.ResetMidFrame)
        {
            BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)payload.Length);
            await output.WriteAsync(header, stop).ConfigureAwait(false);
            await output.WriteAsync(payload.AsMemory(0, payload.Length / 2), stop).ConfigureAwait(false);
            // Let the half frame reach the client before the reset does.
            await Task.Delay(200, stop).ConfigureAwait(false);
            Reset(connection);
            return;
        }
        BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)(payload.Length + 100));
        await output.WriteAsync(header, stop).ConfigureAwait(false);
        await output.WriteAsync(payload, stop).ConfigureAwait(false);
        await output.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>Frames to a fresh connected UDP socket, datagrams back as frames, until either side ends.</summary>
    private async Task PumpAsync(PipeReader input, PipeWriter output, CancellationToken stop)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Connect(Forward);
        using var pump = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var toUdp = Task.Run(async () =>
        {
            var scratch = new byte[65536];
            while (true)
            {
                var result = await input.ReadAsync(pump.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryTakeFrame(ref buffer, out var frame))
                {
                    if (frame.Length > 0)
                    {
                        frame.CopyTo(scratch);
                        // Counted before sending: the echo may reach the client before this line runs again.
                        Interlocked.Increment(ref _framesToUdp);
                        udp.Send(scratch.AsSpan(0, (int)frame.Length));
                    }
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }, pump.Token);
        var toClient = Task.Run(async () =>
        {
            var datagram = new byte[65536];
            while (true)
            {
                var received = await udp.ReceiveAsync(datagram, SocketFlags.None, pump.Token).ConfigureAwait(false);
                while (true)
                {
                    var frame = output.GetSpan(received + 2);
                    BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)received);
                    datagram.AsSpan(0, received).CopyTo(frame[2..]);
                    output.Advance(received + 2);
                    Interlocked.Increment(ref _framesToClient);
                    // Whatever else is waiting goes out in the same flush.
                    if (udp.Available == 0)
                    {
                        break;
                    }
                    received = udp.Receive(datagram);
                }
                await output.FlushAsync(pump.Token).ConfigureAwait(false);
            }
        }, pump.Token);
        try
        {
            await Task.WhenAny(toUdp, toClient).ConfigureAwait(false);
        }
        finally
        {
            await pump.CancelAsync().ConfigureAwait(false);
        }
    }

    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < 2)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[2];
        buffer.Slice(0, 2).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt16BigEndian(header);
        if (buffer.Length < 2 + length)
        {
            return false;
        }
        payload = buffer.Slice(2, length);
        buffer = buffer.Slice(2 + length);
        return true;
    }

    private static async Task<byte[]?> ReadFrameAsync(PipeReader input, CancellationToken stop)
    {
        while (true)
        {
            var result = await input.ReadAsync(stop).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryTakeFrame(ref buffer, out var frame))
            {
                var payload = frame.ToArray();
                input.AdvanceTo(buffer.Start);
                return payload;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>The request head up to its blank line; the bytes after it stay in the pipe (they are frames).</summary>
    private static async Task<string?> ReadHeadAsync(PipeReader input, CancellationToken token)
    {
        while (true)
        {
            var result = await input.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            var text = Encoding.Latin1.GetString(buffer.Slice(0, Math.Min(buffer.Length, 16384)));
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                input.AdvanceTo(buffer.GetPosition(end + 4));
                return text[..(end + 4)];
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || buffer.Length >= 16384)
            {
                return null;
            }
        }
    }

    /// <summary>proxyguard-server's refusals: 501 for another method, 426 for a wrong Connection or Upgrade.</summary>
    private static string? Refusal(string head)
    {
        var lines = head.Split("\r\n");
        if (!lines[0].StartsWith("GET ", StringComparison.Ordinal))
        {
            return Answer("501 Not Implemented", "Method Not Allowed\n");
        }
        var connection = Header(lines, "Connection");
        if (!string.Equals(connection, "Upgrade", StringComparison.OrdinalIgnoreCase))
        {
            return Answer("426 Upgrade Required", $"the 'Connection' header is not 'Upgrade', got: '{connection}'\n");
        }
        var upgrade = Header(lines, "Upgrade");
        return string.Equals(upgrade, "UoTLV/1", StringComparison.OrdinalIgnoreCase)
            ? null
            : Answer("426 Upgrade Required", $"the 'Upgrade' header is not 'UoTLV/1', got: '{upgrade}'\n");

        static string Answer(string status, string body) =>
            $"HTTP/1.1 {status}\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\nContent-Length: {body.Length}\r\n\r\n{body}";
    }

    private static string? Header(string[] lines, string name) =>
        lines.Skip(1).Select(line => line.Split(':', 2)).Where(parts => parts.Length == 2 && parts[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(parts => parts[1].Trim()).FirstOrDefault();

    private static async Task WriteAsync(PipeWriter output, string text, CancellationToken token) =>
        await output.WriteAsync(Encoding.ASCII.GetBytes(text), token).ConfigureAwait(false);

    private static Task HoldAsync(CancellationToken token) => Task.Delay(Timeout.Infinite, token);
}
