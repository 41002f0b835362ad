using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using EduVpnActors.Actors.ProxyGuard.Framing;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard.Transport;

/// <summary>
/// The UDP listen socket on 127.0.0.1 that WireGuard's Endpoint points at. Bound at set-up; once the
/// tunnel runs it is connected to WireGuard's port, so the kernel drops datagrams from anyone else and
/// replies leave from this very port (WireGuard would roam to any other). One receive loop for the
/// whole tunnel: no reader is ever left behind on the socket by an ended attempt.
/// </summary>
internal sealed class WireGuardSocket : IDisposable
{
    private readonly Socket _socket;

    private WireGuardSocket(Socket socket, int port)
    {
        _socket = socket;
        Port = port;
    }

    /// <summary>The bound port.</summary>
    public int Port { get; }

    /// <summary>Binds 127.0.0.1:<paramref name="port"/> (0: a free port).</summary>
    /// <exception cref="ProxyGuardException"><see cref="ProxyGuardErrorKind.ListenPortUnavailable"/>.</exception>
    public static WireGuardSocket Bind(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return new WireGuardSocket(socket, ((IPEndPoint)socket.LocalEndPoint!).Port);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ProxyGuardException(ProxyGuardErrorKind.ListenPortUnavailable, $"UDP 127.0.0.1:{port} could not be bound: {e.SocketErrorCode}", e);
        }
    }

    /// <summary>Sends to and receives from WireGuard's port only.</summary>
    public void ConnectTo(int wireGuardPort) => _socket.Connect(new IPEndPoint(IPAddress.Loopback, wireGuardPort));

    /// <summary>
    /// The UDP pump: every datagram from WireGuard into <paramref name="queue"/> until cancelled.
    /// An ICMP "port unreachable" from an earlier reply (WireGuard not up yet) is reported on the next
    /// receive; it is not a failure of this socket.
    /// </summary>
    /// <exception cref="ProxyGuardException"><see cref="ProxyGuardErrorKind.UdpSocketFailed"/>.</exception>
    public async Task RunReceiveLoopAsync(FrameQueue queue, CancellationToken cancellationToken)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65536);
        while (true)
        {
            int received;
            try
            {
                received = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                throw new ProxyGuardException(ProxyGuardErrorKind.UdpSocketFailed, $"the UDP listen socket failed: {e.Message}", e);
            }
            queue.Enqueue(buffer.AsSpan(0, received));
        }
    }

    /// <summary>One datagram to WireGuard; false (counted by the caller) when its port does not take it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendAsync(datagram, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.MessageSize or SocketError.NoBufferSpaceAvailable)
        {
            return false;
        }
    }

    /// <summary>Closes the socket: the port is free.</summary>
    public void Dispose() => _socket.Dispose();
}
