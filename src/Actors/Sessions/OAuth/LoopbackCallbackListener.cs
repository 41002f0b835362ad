using System.Net;
using System.Net.Sockets;
using System.Text;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions.OAuth;

/// <summary>
/// A minimal HTTP/1.1 listener on a loopback address that waits for the OAuth redirect. Each
/// connection is read with a size cap and a time-out; callbacks the validator ignores (wrong
/// <c>state</c>, other paths) are answered and the listener keeps waiting; the first callback that
/// belongs to the flow completes <see cref="Result"/>. Plain TCP: no Kestrel in the engine.
/// </summary>
public sealed class LoopbackCallbackListener : IDisposable
{
    private const int MaxHeaderBytes = 16 * 1024;
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly string _path;
    private readonly Func<string, CallbackOutcome> _validate;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<CallbackOutcome> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private LoopbackCallbackListener(TcpListener listener, string host, string path, Func<string, CallbackOutcome> validate)
    {
        _listener = listener;
        _path = path;
        _validate = validate;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        RedirectUri = $"http://{host}:{Port}{path}";
    }

    /// <summary>The loopback port the listener is bound to.</summary>
    public int Port { get; }

    /// <summary>The <c>redirect_uri</c> to send, e.g. <c>http://127.0.0.1:49152/callback</c>.</summary>
    public string RedirectUri { get; }

    /// <summary>Completes with a <see cref="CallbackOutcome.Code"/> or <see cref="CallbackOutcome.Failed"/>; cancelled when disposed first.</summary>
    public Task<CallbackOutcome> Result => _result.Task;

    /// <summary>Binds a loopback address and starts accepting.</summary>
    /// <param name="host"><c>127.0.0.1</c> or <c>[::1]</c>.</param>
    /// <param name="port">0 = an ephemeral port.</param>
    /// <param name="path">The callback path, e.g. <c>/callback</c>.</param>
    /// <param name="validate">Called with the raw query of every request to <paramref name="path"/>.</param>
    public static LoopbackCallbackListener Start(string host, int port, string path, Func<string, CallbackOutcome> validate)
    {
        var address = host is "[::1]" or "::1" ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        var listener = new TcpListener(address, port);
        listener.Start();
        var callback = new LoopbackCallbackListener(listener, address.Equals(IPAddress.IPv6Loopback) ? "[::1]" : "127.0.0.1", path, validate);
        _ = callback.AcceptLoopAsync();
        return callback;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _result.TrySetCanceled();
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            // Browsers open spare connections; one idle socket must not block the real callback.
            _ = HandleAsync(client);
        }
    }

    // Not tied to the listener's stop: the page of the callback that ends the flow must still be written.
    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = new CancellationTokenSource(ConnectionTimeout);
                var stream = client.GetStream();
                var target = await ReadRequestTargetAsync(stream, timeout.Token).ConfigureAwait(false);
                var (status, page) = Answer(target);
                await WriteResponseAsync(stream, status, page, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A broken or slow connection is not the callback; keep waiting for the real one.
            }
        }
    }

    private (int Status, string Page) Answer(string? target)
    {
        if (target is null)
        {
            return (400, Page("Bad Request", "This is not a request this client understands."));
        }
        var queryStart = target.IndexOf('?');
        var path = queryStart < 0 ? target : target[..queryStart];
        if (!string.Equals(path, _path, StringComparison.Ordinal))
        {
            return (404, Page("Not Found", "Nothing here."));
        }
        if (_result.Task.IsCompleted)
        {
            return (200, Page("Authorization Finished", "This authorization has already been handled. You can close this browser window."));
        }
        var outcome = _validate(queryStart < 0 ? "" : target[(queryStart + 1)..]);
        switch (outcome)
        {
            case CallbackOutcome.Ignored:
                return (400, Page("Authorization Failed", "This response does not belong to the running authorization."));
            case CallbackOutcome.Code:
                return _result.TrySetResult(outcome)
                    ? (200, Page("Authorized", "The client has been successfully authorized. You can close this browser window."))
                    : (200, Page("Authorization Finished", "This authorization has already been handled. You can close this browser window."));
            case CallbackOutcome.Failed failed:
                _result.TrySetResult(outcome);
                var text = failed.Failure.Kind == SessionErrorKind.AccessDenied
                    ? "The authorization was refused. You can close this browser window."
                    : "The authorization could not be completed. You can close this browser window.";
                return (200, Page("Authorization Failed", text));
            default:
                return (500, Page("Error", "Unexpected state."));
        }
    }

    /// <summary>Reads the request head (capped) and returns the request target of a GET, or null.</summary>
    private static async Task<string?> ReadRequestTargetAsync(NetworkStream stream, CancellationToken token)
    {
        var buffer = new byte[MaxHeaderBytes];
        var length = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), token).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }
            length += read;
            var head = Encoding.ASCII.GetString(buffer, 0, length);
            if (head.Contains("\r\n\r\n", StringComparison.Ordinal) || head.Contains("\n\n", StringComparison.Ordinal))
            {
                var requestLine = head[..head.IndexOf('\n')].TrimEnd('\r');
                var parts = requestLine.Split(' ');
                return parts.Length == 3 && parts[0] == "GET" && parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) && parts[1].StartsWith('/')
                    ? parts[1]
                    : null;
            }
            if (length == buffer.Length)
            {
                return null;
            }
        }
    }

    private static async Task WriteResponseAsync(NetworkStream stream, int status, string page, CancellationToken token)
    {
        var body = Encoding.UTF8.GetBytes(page);
        var reason = status switch { 200 => "OK", 400 => "Bad Request", 404 => "Not Found", _ => "Error" };
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\n" +
            "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), token).ConfigureAwait(false);
        await stream.WriteAsync(body, token).ConfigureAwait(false);
        await stream.FlushAsync(token).ConfigureAwait(false);
    }

    private static string Page(string title, string text) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>" +
        $"<body><h1>{title}</h1><p>{text}</p></body></html>";
}
