using System.Net;
using System.Net.Sockets;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Errors;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.Tests.Hardening;

/// <summary>
/// Hostile-server cases for <see cref="EngineHttpClient"/> that tests/EduVpnActors.Tests/Http does not
/// cover yet: the real 16 MiB cap, a drip that never stalls, resets before any byte, redirect tricks
/// after a first hop, and peers that do not speak TLS or HTTP at all.
/// </summary>
public sealed class HostileHttpServerTests
{
    private const int DefaultCap = 16 * 1024 * 1024;
    private static readonly HttpPolicy Policy = TestCertificate.TrustingPolicy() with { Timeout = TimeSpan.FromSeconds(5) };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Body_OneByteOverTheDefault16MiB_ResponseTooLarge(bool declareLength)
    {
        await using var server = await ScriptedServer.StartAsync(context => WriteSpacesAsync(context, DefaultCap + 1L, declareLength));
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("huge"), CancellationToken.None));

        Assert.Equal(DefaultCap, client.Policy.MaxResponseBytes);
        Assert.Equal(HttpErrorKind.ResponseTooLarge, error.Kind);
    }

    [Fact]
    public async Task Body_Exactly16MiB_Accepted()
    {
        await using var server = await ScriptedServer.StartAsync(context => WriteSpacesAsync(context, DefaultCap, declareLength: false));
        using var client = new EngineHttpClient(Policy);

        var response = await client.GetAsync(server.Url("full"), CancellationToken.None);

        Assert.Equal(DefaultCap, response.Body.Length);
    }

    [Fact]
    public async Task SlowDrip_NeverIdleButNeverDone_TimeoutOnTheWholeRequest()
    {
        // A byte every 50 ms never trips an idle time-out; only a deadline on the whole request ends it.
        await using var server = await ScriptedServer.StartAsync(async context =>
        {
            context.Response.ContentLength = 1_000_000;
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync("x"u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(50, context.RequestAborted);
            }
        });
        using var client = new EngineHttpClient(Policy with { Timeout = TimeSpan.FromSeconds(1) });
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("drip"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Timeout, error.Kind);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ResetBeforeAnyResponseByte_Network()
    {
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            context.Abort();
            return Task.CompletedTask;
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("reset"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Network, error.Kind);
    }

    [Fact]
    public async Task Redirect_HttpsHopThenHttp_InsecureRedirectWithoutContactingHttp()
    {
        var plainHits = 0;
        await using var plain = await ScriptedServer.StartAsync(_ => { Interlocked.Increment(ref plainHits); return Task.CompletedTask; }, tls: false);
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            context.Response.Redirect(context.Request.Path == "/start" ? "/middle" : plain.Url("end").AbsoluteUri);
            return Task.CompletedTask;
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("start"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.InsecureRedirect, error.Kind);
        Assert.Equal(0, plainHits);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://127.0.0.1/list.json")]
    [InlineData("data:application/json,{}")]
    public async Task Redirect_ToANonHttpScheme_InsecureRedirect(string location)
    {
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("x"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.InsecureRedirect, error.Kind);
    }

    [Fact]
    public async Task PlainHttpServerOnAnHttpsUrl_Tls()
    {
        await using var plain = await ScriptedServer.StartAsync(context => context.Response.WriteAsync("plain"), tls: false);
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(
            () => client.GetAsync(new Uri($"https://127.0.0.1:{plain.Port}/x"), CancellationToken.None));

        Assert.True(error.Kind is HttpErrorKind.Tls or HttpErrorKind.Network, $"{error.Kind}: {error.Message}");
    }

    [Fact]
    public async Task PeerClosesRightAfterAccept_Network()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            socket.Close();
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(
            () => client.GetAsync(new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/x"), CancellationToken.None));
        await accepting;

        Assert.True(error.Kind is HttpErrorKind.Network or HttpErrorKind.Tls, $"{error.Kind}: {error.Message}");
    }

    [Fact]
    public async Task PeerAnswersTheHandshakeWithGarbage_TypedError()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var answering = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var garbage = new byte[4096];
            new Random(1).NextBytes(garbage);
            await socket.SendAsync(garbage);
            await Task.Delay(200);
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(
            () => client.GetAsync(new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/x"), CancellationToken.None));
        await answering;

        Assert.True(error.Kind is HttpErrorKind.Tls or HttpErrorKind.Network, $"{error.Kind}: {error.Message}");
    }

    [Fact]
    public async Task RedirectWithoutLocation_StatusError()
    {
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            context.Response.StatusCode = 301;
            return Task.CompletedTask;
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("x"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Status, error.Kind);
        Assert.Equal(HttpStatusCode.MovedPermanently, error.StatusCode);
    }

    private static async Task WriteSpacesAsync(HttpContext context, long total, bool declareLength)
    {
        if (declareLength)
        {
            context.Response.ContentLength = total;
        }
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        try
        {
            for (long written = 0; written < total; written += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, total - written)), context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client stopped reading at its cap.
        }
    }
}
