using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.TestServer;

/// <summary>
/// A loopback Kestrel server whose every answer is written by the test's own delegate: for HTTP
/// client tests and hostile-server scenarios (redirect games, huge or slow bodies, odd headers).
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly KestrelHost _host;

    private ScriptedServer(KestrelHost host, bool tls)
    {
        _host = host;
        BaseUrl = new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{host.Port}/");
    }

    /// <summary>The root URL, e.g. <c>https://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Starts a server on 127.0.0.1 with an ephemeral port.</summary>
    /// <param name="handler">Writes every response.</param>
    /// <param name="tls">False for plain http (e.g. the target of an insecure redirect).</param>
    /// <param name="certificate">Default <see cref="TestCertificate.Certificate"/>.</param>
    public static async Task<ScriptedServer> StartAsync(RequestDelegate handler, bool tls = true, X509Certificate2? certificate = null)
    {
        var host = await KestrelHost.StartAsync(handler, tls ? certificate ?? TestCertificate.Certificate : null).ConfigureAwait(false);
        return new ScriptedServer(host, tls);
    }

    /// <summary>
    /// Starts a server on 127.0.0.1:<paramref name="port"/>: restarts a stopped server on its old port
    /// (connection-refused windows) or with another certificate (host-name mismatch) under the same URL.
    /// </summary>
    public static async Task<ScriptedServer> StartOnPortAsync(int port, RequestDelegate handler, bool tls = true, X509Certificate2? certificate = null)
    {
        var host = await KestrelHost.StartAsync(handler, tls ? certificate ?? TestCertificate.Certificate : null, port).ConfigureAwait(false);
        return new ScriptedServer(host, tls);
    }

    /// <summary>The TCP port the server listens on.</summary>
    public int Port => _host.Port;

    /// <summary>An absolute URL on this server.</summary>
    public Uri Url(string relative) => new(BaseUrl, relative.TrimStart('/'));

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
