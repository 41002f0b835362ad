using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EduVpnActors.TestServer;

/// <summary>How a <see cref="ProxyGuardTestServer"/> answers (proxyguard.md §5 for <see cref="Normal"/>; the rest are hostile).</summary>
public enum ProxyGuardServerMode
{
    /// <summary>As proxyguard-server 2.0.0 (behind TLS): 101, then frames to and from a fresh UDP socket per connection.</summary>
    Normal,
    /// <summary>Answers <c>200 OK</c> to the upgrade.</summary>
    WrongStatus,
    /// <summary>A 101 without an <c>Upgrade</c> header.</summary>
    MissingUpgrade,
    /// <summary>A 101 with <c>Upgrade: websocket</c>.</summary>
    WrongUpgrade,
    /// <summary>A 101 without a <c>Connection</c> header.</summary>
    MissingConnection,
    /// <summary>A 101 with <c>Connection: keep-alive, Upgrade</c> (not the whole value).</summary>
    WrongConnection,
    /// <summary>TLS offers only <c>h2</c> by ALPN.</summary>
    Http2Only,
    /// <summary>Accepts (TCP and TLS), reads the request and never answers.</summary>
    SilentAfterAccept,
    /// <summary>Upgrades, then answers the first frame with half a frame and a TCP reset.</summary>
    ResetMidFrame,
    /// <summary>Upgrades, then answers the first frame with a length 100 bytes longer than what follows, and closes.</summary>
    LengthPrefixTooLarge,
    /// <summary>Sends the 101 answer one byte per <see cref="ProxyGuardServerOptions.DripInterval"/>.</summary>
    SlowDrip,
}

/// <summary>The set-up of a <see cref="ProxyGuardTestServer"/>.</summary>
public sealed record ProxyGuardServerOptions
{
    /// <summary>https with <see cref="Certificate"/> (as Apache in front of the real server); false: plain http (the bare proxyguard-server).</summary>
    public bool Tls { get; init; } = true;

    /// <summary>The TLS certificate; null: <see cref="TestCertificate.Certificate"/>.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Where frames go as UDP (WireGuard's port); null: a <see cref="UdpEcho"/> of the server's own.</summary>
    public IPEndPoint? Forward { get; init; }

    /// <summary>The answer the next connections get (changeable later through <see cref="ProxyGuardTestServer.Mode"/>).</summary>
    public ProxyGuardServerMode Mode { get; init; } = ProxyGuardServerMode.Normal;

    /// <summary>
    /// A datagram the server sends as a frame in the same write as its 101 answer (the reference client
    /// delivers bytes after the blank line as frames); null: none.
    /// </summary>
    public byte[]? GreetingAfterUpgrade { get; init; }

    /// <summary>The pause between bytes of <see cref="ProxyGuardServerMode.SlowDrip"/>.</summary>
    public TimeSpan DripInterval { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// A ProxyGuard server double on Kestrel: raw connections through Kestrel's connection pipeline (TLS by
/// Kestrel's https middleware), HTTP/1.1 upgrade to <c>UoTLV/1</c> parsed by hand like proxyguard-server
/// does, then frames to a UDP echo (or a named UDP port) over a fresh connected UDP socket per
/// connection. Its framing is written apart from the client's on purpose. It records every request
/// head, the TLS server name and the client's address, and it can be killed mid-stream (every
/// connection reset) and started again on the same port.
/// </summary>
public sealed partial class ProxyGuardTestServer : IAsyncDisposable
{
    private readonly ProxyGuardServerOptions _options;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentDictionary<ConnectionContext, byte> _live = new();
    private readonly ConcurrentQueue<ProxyGuardRequestRecord> _requests = new();
    private readonly UdpEcho? _echo;
    private WebApplication? _app;
    private CancellationTokenSource _running = new();
    private int _connections;
    private int _upgrades;
    private long _framesToUdp;
    private long _framesToClient;

    private ProxyGuardTestServer(ProxyGuardServerOptions options)
    {
        _options = options;
        _certificate = options.Certificate ?? TestCertificate.Certificate;
        Mode = options.Mode;
        if (options.Forward is null)
        {
            _echo = UdpEcho.Start();
        }
        Forward = options.Forward ?? _echo!.EndPoint;
    }

    /// <summary>The TCP port; kept while the server is killed.</summary>
    public int Port { get; private set; }

    /// <summary>The answer new connections get.</summary>
    public ProxyGuardServerMode Mode { get; set; }

    /// <summary>Where frames go as UDP.</summary>
    public IPEndPoint Forward { get; }

    /// <summary>The built-in echo (null when <see cref="ProxyGuardServerOptions.Forward"/> was given).</summary>
    public UdpEcho? Echo => _echo;

    /// <summary>The peer URL with the host <c>localhost</c> (SNI and certificate name) and the path the real server uses.</summary>
    public Uri Url => UrlFor("localhost");

    /// <summary>Connections accepted (TLS included when on).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Upgrades answered with a 101.</summary>
    public int Upgrades => Volatile.Read(ref _upgrades);

    /// <summary>Frames that went out as UDP.</summary>
    public long FramesToUdp => Interlocked.Read(ref _framesToUdp);

    /// <summary>Datagrams that went back as frames.</summary>
    public long FramesToClient => Interlocked.Read(ref _framesToClient);

    /// <summary>Every request head received, in order.</summary>
    public IReadOnlyList<ProxyGuardRequestRecord> Requests => [.. _requests];

    /// <summary>Starts a server on 127.0.0.1 (port 0: a free one).</summary>
    public static async Task<ProxyGuardTestServer> StartAsync(ProxyGuardServerOptions? options = null, int port = 0)
    {
        var server = new ProxyGuardTestServer(options ?? new ProxyGuardServerOptions());
        await server.ListenAsync(port).ConfigureAwait(false);
        return server;
    }

    /// <summary>The peer URL with <paramref name="host"/> (e.g. <c>127.0.0.1</c>) and <paramref name="path"/>.</summary>
    public Uri UrlFor(string host, string path = "/proxyguard") =>
        new($"{(_options.Tls ? "https" : "http")}://{host}:{Port}{path}");

    /// <summary>Kills the server mid-stream: every live connection is reset and nothing listens on the port.</summary>
    public async Task KillAsync()
    {
        // Reset before cancelling: a cancelled connection would leave _live and close gracefully (FIN, not RST) first.
        foreach (var connection in _live.Keys)
        {
            Reset(connection);
        }
        await _running.CancelAsync().ConfigureAwait(false);
        if (_app is { } app)
        {
            _app = null;
            await StopAsync(app).ConfigureAwait(false);
        }
    }

    /// <summary>Listens again on the same port after <see cref="KillAsync"/>.</summary>
    public async Task RestartAsync()
    {
        _running = new CancellationTokenSource();
        await ListenAsync(Port).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _echo?.Dispose();
    }

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Test",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                if (_options.Tls)
                {
                    listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = TlsOptionsAsync });
                }
                listen.Run(ServeAsync);
            });
        });
        var app = builder.Build();
        await app.StartAsync().ConfigureAwait(false);
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(bound).Port;
    }

    private ValueTask<SslServerAuthenticationOptions> TlsOptionsAsync(TlsHandshakeCallbackContext context)
    {
        context.Connection.Items["sni"] = context.ClientHelloInfo.ServerName;
        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificate = _certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [Mode == ProxyGuardServerMode.Http2Only ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11],
        });
    }

    /// <summary>A TCP reset: the socket closed with SO_LINGER 0 under Kestrel's feet.</summary>
    private static void Reset(ConnectionContext connection)
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        connection.Abort();
    }

    private static async Task StopAsync(WebApplication app)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await app.StopAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>One request as the double received it.</summary>
/// <param name="Head">The request head as text (request line and headers, CRLFs kept, blank line included).</param>
/// <param name="ServerName">The TLS server name (SNI) the client sent; null without TLS or SNI.</param>
/// <param name="Remote">The client's address and source port.</param>
/// <param name="TlsProtocol">The TLS version negotiated; null without TLS.</param>
/// <param name="Alpn">The application protocol negotiated by ALPN; null when none was.</param>
public sealed record ProxyGuardRequestRecord(string Head, string? ServerName, IPEndPoint? Remote, SslProtocols? TlsProtocol, string? Alpn);
