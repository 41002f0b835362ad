using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard.Transport;

/// <summary>How the proxy's TCP sockets are made (proxyguard.md §2.4).</summary>
/// <param name="Addresses">The peer addresses resolved at set-up, tried in order.</param>
/// <param name="Port">The peer URL's port.</param>
/// <param name="SourcePort">Local TCP port to bind (with SO_REUSEADDR) when greater than 0.</param>
/// <param name="Fwmark">SO_MARK on Linux when greater than 0.</param>
/// <param name="SocketSetup">The host's hook, called on every socket before connect.</param>
internal sealed record DialPlan(IReadOnlyList<IPAddress> Addresses, int Port, int SourcePort, int Fwmark, ProxySocketSetup? SocketSetup);

/// <summary>Dials the peer's addresses in order, each with its own connect time-out; the first that connects wins.</summary>
internal static class PeerDialer
{
    // Linux <sys/socket.h>: SOL_SOCKET and SO_MARK.
    private const int SolSocket = 1;
    private const int SoMark = 36;

    /// <summary>A connected socket (TCP_NODELAY, keep-alive, closed with a reset) and the address it reached.</summary>
    /// <exception cref="ProxyGuardException">The last address's failure (retried), or a refused SO_MARK (fatal).</exception>
    /// <param name="plan">Addresses, port and socket options.</param>
    /// <param name="slot">Holds each socket while it connects, so a stop closes it at once.</param>
    /// <param name="settings">The connect time-out and keep-alive.</param>
    /// <param name="cancellationToken">The tunnel's stop.</param>
    public static async Task<(Socket Socket, IPEndPoint Remote)> ConnectAsync(DialPlan plan, ConnectionSlot slot, ProxyGuardSettings settings, CancellationToken cancellationToken)
    {
        ProxyGuardError? last = null;
        foreach (var address in plan.Addresses)
        {
            var remote = new IPEndPoint(address, plan.Port);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (!slot.TrySet(socket))
            {
                socket.Dispose();
                throw new OperationCanceledException(cancellationToken);
            }
            try
            {
                Prepare(socket, plan, settings);
                try
                {
                    plan.SocketSetup?.Invoke(socket);
                }
                catch (Exception e)
                {
                    last = new ProxyGuardError(ProxyGuardErrorKind.SocketHookFailed, $"the host's socket hook failed for {remote}: {e.GetType().Name}: {e.Message}");
                    slot.Close(socket);
                    continue;
                }
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(settings.ConnectTimeout);
                await socket.ConnectAsync(remote, deadline.Token).ConfigureAwait(false);
                return (socket, remote);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = new ProxyGuardError(ProxyGuardErrorKind.ConnectTimeout, $"{remote} did not accept the connection within {settings.ConnectTimeout.TotalSeconds:0.###} s");
                slot.Close(socket);
            }
            catch (SocketException e)
            {
                last = new ProxyGuardError(ProxyGuardErrorKind.ConnectFailed, $"{remote} could not be connected to: {e.SocketErrorCode}");
                slot.Close(socket);
            }
            catch
            {
                slot.Close(socket);
                throw;
            }
        }
        throw new ProxyGuardException(last ?? new ProxyGuardError(ProxyGuardErrorKind.ConnectFailed, "the peer has no address to connect to"));
    }

    private static void Prepare(Socket socket, DialPlan plan, ProxyGuardSettings settings)
    {
        socket.NoDelay = true;
        // A reset on close: no TIME_WAIT, so a fixed source port can connect again at once.
        socket.LingerState = new LingerOption(true, 0);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        var keepAlive = Math.Max(1, (int)settings.TcpKeepAlive.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, keepAlive);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, keepAlive);
        if (plan.SourcePort > 0)
        {
            // As the reference: SO_REUSEADDR (its "reuse port" helper), then bind; a bind failure fails this address.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            var any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
            socket.Bind(new IPEndPoint(any, plan.SourcePort));
        }
        if (plan.Fwmark > 0 && OperatingSystem.IsLinux())
        {
            Span<byte> mark = stackalloc byte[sizeof(int)];
            BinaryPrimitives.WriteInt32LittleEndian(mark, plan.Fwmark);
            if (!BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteInt32BigEndian(mark, plan.Fwmark);
            }
            try
            {
                socket.SetRawSocketOption(SolSocket, SoMark, mark);
            }
            catch (SocketException e)
            {
                // Needs CAP_NET_ADMIN; that does not come back by retrying.
                throw new ProxyGuardException(ProxyGuardErrorKind.SocketOptionRefused, $"SO_MARK {plan.Fwmark} was refused: {e.SocketErrorCode}", e);
            }
        }
    }
}
