using System.Net;
using System.Net.Sockets;

namespace EduVpnActors.TestServer;

/// <summary>
/// A TCP front on 127.0.0.1 that relays every connection, byte for byte (TLS ends behind it), to a
/// loopback back-end port, or refuses connections by not listening at all. Routing again drops the
/// relayed connections (all but one that is finishing its response), so a client's next request has
/// to open a new connection and meets the new route: transport faults at an exact point of a flow.
/// </summary>
internal sealed class LoopbackRelay : IAsyncDisposable
{
    private readonly object _gate = new();
    // Keyed by the local port of the back-end side: what the back-end sees as the remote port.
    private readonly Dictionary<int, (Socket Front, Socket Back)> _pairs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopping;
    private TcpListener? _listener;
    private int? _target;
    // Counts routes: a connection still connecting when the route changed is dropped too.
    private int _route;

    private LoopbackRelay(int port)
    {
        Port = port;
        _stopping = _stop.Token;
    }

    /// <summary>The port clients connect to; it stays the same across routes.</summary>
    public int Port { get; }

    /// <summary>Starts relaying 127.0.0.1:(ephemeral) to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public static LoopbackRelay Start(int targetPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var relay = new LoopbackRelay(((IPEndPoint)listener.LocalEndpoint).Port) { _listener = listener, _target = targetPort };
        _ = relay.AcceptAsync(listener);
        return relay;
    }

    /// <summary>
    /// Relays new connections to <paramref name="targetPort"/>, or refuses them (null: the port is closed).
    /// Every relayed connection is dropped except the one whose back-end side is <paramref name="keepBackendPort"/>.
    /// </summary>
    public void Route(int? targetPort, int? keepBackendPort = null)
    {
        List<(Socket Front, Socket Back)> dropped;
        lock (_gate)
        {
            _target = targetPort;
            _route++;
            if (targetPort is null)
            {
                _listener?.Stop();
                _listener = null;
            }
            else if (_listener is null)
            {
                var listener = new TcpListener(IPAddress.Loopback, Port);
                // The old connections on this port may linger in TIME_WAIT.
                listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Start();
                _listener = listener;
                _ = AcceptAsync(listener);
            }
            dropped = [.. _pairs.Where(p => p.Key != keepBackendPort).Select(p => p.Value)];
            foreach (var port in _pairs.Keys.Where(k => k != keepBackendPort).ToList())
            {
                _pairs.Remove(port);
            }
        }
        foreach (var (front, back) in dropped)
        {
            Abort(front);
            Abort(back);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Route(null);
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient front;
            try
            {
                front = await listener.AcceptTcpClientAsync(_stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return; // stopped: refused from now on, or disposed
            }
            _ = RelayAsync(front);
        }
    }

    private async Task RelayAsync(TcpClient front)
    {
        int? target;
        int route;
        lock (_gate)
        {
            (target, route) = (_target, _route);
        }
        var back = new TcpClient();
        try
        {
            if (target is null)
            {
                throw new SocketException((int)SocketError.ConnectionRefused); // accepted just before the port closed
            }
            await back.ConnectAsync(IPAddress.Loopback, target.Value, _stopping).ConfigureAwait(false);
            var key = ((IPEndPoint)back.Client.LocalEndPoint!).Port;
            lock (_gate)
            {
                if (route != _route)
                {
                    throw new SocketException((int)SocketError.ConnectionReset); // routed again meanwhile: dropped like the others
                }
                _pairs[key] = (front.Client, back.Client);
            }
            try
            {
                var toBack = PumpAsync(front, back);
                var toFront = PumpAsync(back, front);
                if ((await Task.WhenAny(toBack, toFront).ConfigureAwait(false)).IsFaulted)
                {
                    // A reset on one side is passed on as a reset; it also ends the other direction.
                    Abort(front.Client);
                    Abort(back.Client);
                }
                await Task.WhenAll(toBack, toFront).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    // Only this pair: once dropped, its port may already serve a new one.
                    if (_pairs.TryGetValue(key, out var pair) && pair.Back == back.Client)
                    {
                        _pairs.Remove(key);
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // A dropped or refused connection: both sides are closed below.
        }
        finally
        {
            front.Dispose();
            back.Dispose();
        }
    }

    /// <summary>Copies one direction; the end of it is passed on as a half-close so HTTP keeps its meaning.</summary>
    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.Client.ReceiveAsync(buffer, SocketFlags.None, _stopping).ConfigureAwait(false);
            if (read == 0)
            {
                to.Client.Shutdown(SocketShutdown.Send);
                return;
            }
            await to.Client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping).ConfigureAwait(false);
        }
    }

    /// <summary>Closes with a reset: the peer learns at once that the connection is gone.</summary>
    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by its own relay task.
        }
        socket.Dispose();
    }
}
