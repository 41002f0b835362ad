using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Errors;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.Tests.Http;

/// <summary>The engine's HTTP client against real loopback TLS servers.</summary>
public sealed class EngineHttpClientTests
{
    private static readonly HttpPolicy Policy = TestCertificate.TrustingPolicy() with { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task Get_TrustedServer_ReturnsBodyHeadersAndConfiguredUserAgent()
    {
        string? userAgent = null;
        await using var server = await ScriptedServer.StartAsync(async context =>
        {
            userAgent = context.Request.Headers.UserAgent.ToString();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"ok\":true}");
        });
        using var client = new EngineHttpClient(Policy with { UserAgent = "eduVPN for Linux/9.9 eduvpn-common/2.1.0" });

        var response = await client.GetAsync(server.Url("thing"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("{\"ok\":true}", System.Text.Encoding.UTF8.GetString(response.Body));
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal(server.Url("thing"), response.FinalUrl);
        Assert.Equal("eduVPN for Linux/9.9 eduvpn-common/2.1.0", userAgent);
    }

    [Fact]
    public async Task Get_HttpUrl_RefusedAsNotHttpsWithoutConnecting()
    {
        var hits = 0;
        await using var plain = await ScriptedServer.StartAsync(_ => { Interlocked.Increment(ref hits); return Task.CompletedTask; }, tls: false);
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(plain.Url("x"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.NotHttps, error.Kind);
        Assert.Equal(0, hits);
    }

    [Fact]
    public async Task Redirect_HttpsToHttp_RefusedAsInsecureRedirect()
    {
        var plainHits = 0;
        await using var plain = await ScriptedServer.StartAsync(_ => { Interlocked.Increment(ref plainHits); return Task.CompletedTask; }, tls: false);
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            context.Response.Redirect(plain.Url("target?code=secret").AbsoluteUri);
            return Task.CompletedTask;
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("start"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.InsecureRedirect, error.Kind);
        Assert.Equal(0, plainHits);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirect_HttpsToHttps_Followed(int status)
    {
        await using var target = await ScriptedServer.StartAsync(context => context.Response.WriteAsync("arrived:" + context.Request.Path));
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            if (context.Request.Path == "/first")
            {
                context.Response.StatusCode = status;
                context.Response.Headers.Location = "/second";
            }
            else
            {
                context.Response.StatusCode = status;
                context.Response.Headers.Location = target.Url("final").AbsoluteUri;
            }
            return Task.CompletedTask;
        });
        using var client = new EngineHttpClient(Policy);

        var response = await client.GetAsync(server.Url("first"), CancellationToken.None);

        Assert.Equal("arrived:/final", System.Text.Encoding.UTF8.GetString(response.Body));
        Assert.Equal(target.Url("final"), response.FinalUrl);
    }

    [Fact]
    public async Task Redirect_Loop_TooManyRedirects()
    {
        var hits = 0;
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            Interlocked.Increment(ref hits);
            context.Response.Redirect(context.Request.Path == "/a" ? "/b" : "/a");
            return Task.CompletedTask;
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("a"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.TooManyRedirects, error.Kind);
        Assert.Equal(2, hits);
    }

    [Fact]
    public async Task Redirect_LongChain_StopsAfterMaxRedirects()
    {
        var hits = 0;
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            var n = Interlocked.Increment(ref hits);
            context.Response.Redirect($"/hop/{n}");
            return Task.CompletedTask;
        });
        using var client = new EngineHttpClient(Policy with { MaxRedirects = 3 });

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("hop/0"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.TooManyRedirects, error.Kind);
        Assert.Equal(4, hits);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_OverCap_ResponseTooLarge(bool withContentLength)
    {
        await using var server = await ScriptedServer.StartAsync(async context =>
        {
            var chunk = new byte[512];
            if (withContentLength)
            {
                context.Response.ContentLength = chunk.Length * 8;
            }
            for (var i = 0; i < 8; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        using var client = new EngineHttpClient(Policy with { MaxResponseBytes = 1024 });

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("big"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.ResponseTooLarge, error.Kind);
    }

    [Fact]
    public async Task Body_ExactlyAtCap_Accepted()
    {
        await using var server = await ScriptedServer.StartAsync(context => context.Response.Body.WriteAsync(new byte[1024]).AsTask());
        using var client = new EngineHttpClient(Policy with { MaxResponseBytes = 1024 });

        var response = await client.GetAsync(server.Url("exact"), CancellationToken.None);

        Assert.Equal(1024, response.Body.Length);
    }

    [Fact]
    public async Task SlowHeaders_PolicyTimeout_Timeout()
    {
        await using var server = await ScriptedServer.StartAsync(async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { });
        });
        using var client = new EngineHttpClient(Policy with { Timeout = TimeSpan.FromMilliseconds(500) });

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("slow"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Timeout, error.Kind);
    }

    [Fact]
    public async Task SlowBody_PolicyTimeout_Timeout()
    {
        await using var server = await ScriptedServer.StartAsync(async context =>
        {
            context.Response.ContentLength = 100;
            await context.Response.Body.WriteAsync(new byte[10], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { });
        });
        using var client = new EngineHttpClient(Policy with { Timeout = TimeSpan.FromMilliseconds(500) });

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("slow-body"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Timeout, error.Kind);
    }

    [Fact]
    public async Task CallerCancels_OperationCanceledNotTimeout()
    {
        await using var server = await ScriptedServer.StartAsync(async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { });
        });
        using var client = new EngineHttpClient(Policy);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Record.ExceptionAsync(() => client.GetAsync(server.Url("slow"), cancel.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [Fact]
    public async Task ConnectionRefused_Network()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(new Uri($"https://127.0.0.1:{port}/x"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Network, error.Kind);
    }

    [Fact]
    public async Task ConnectionAbortedMidResponse_Network()
    {
        await using var server = await ScriptedServer.StartAsync(async context =>
        {
            context.Response.ContentLength = 100;
            await context.Response.Body.WriteAsync(new byte[10], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("cut"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Network, error.Kind);
    }

    [Fact]
    public async Task Certificate_WrongHostButTrusted_Tls()
    {
        var hits = 0;
        await using var server = await ScriptedServer.StartAsync(_ => { Interlocked.Increment(ref hits); return Task.CompletedTask; },
            certificate: TestCertificate.WrongHostCertificate);
        // The wrong-host certificate itself is the extra trusted root: only the name can fail.
        using var client = new EngineHttpClient(TestCertificate.TrustingPolicy(TestCertificate.WrongHostCertificate));

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("x"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Tls, error.Kind);
        Assert.IsType<AuthenticationException>(error.InnerException?.InnerException);
        Assert.Equal(0, hits);
    }

    [Fact]
    public async Task Certificate_WrongHostWithTestCertificateTrusted_Tls()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Task.CompletedTask, certificate: TestCertificate.WrongHostCertificate);
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("x"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Tls, error.Kind);
    }

    [Fact]
    public async Task Certificate_SelfSignedWithoutExtraTrust_Tls()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Task.CompletedTask);
        using var client = new EngineHttpClient(new HttpPolicy());

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("x"), CancellationToken.None));

        Assert.Equal(HttpErrorKind.Tls, error.Kind);
    }

    [Fact]
    public async Task Certificate_PublicPemFile_TrustedWhenLoadedAsExtraRoot()
    {
        await using var server = await ScriptedServer.StartAsync(context => context.Response.WriteAsync("pem"));
        // Loaded the way HttpPolicy.FromConfig loads eduvpn.http.extra-trusted-certificate (HttpPolicyTests).
        var fromPem = X509CertificateLoader.LoadCertificateFromFile(TestCertificate.PemPath);
        using var client = new EngineHttpClient(new HttpPolicy { ExtraTrustedCertificate = fromPem });

        var response = await client.GetAsync(server.Url("x"), CancellationToken.None);

        Assert.False(fromPem.HasPrivateKey);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(TestCertificate.PemPath), StringComparison.Ordinal);
        Assert.Equal("pem", System.Text.Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public async Task Status_NonSuccess_StatusErrorWithCodeAndBody()
    {
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            context.Response.StatusCode = 503;
            return context.Response.WriteAsync("{\"error\":\"down for maintenance\"}");
        });
        using var client = new EngineHttpClient(Policy);

        var error = await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(server.Url("x"), CancellationToken.None));
        var returned = await client.GetAsync(server.Url("x"), CancellationToken.None, throwOnError: false);

        Assert.Equal(HttpErrorKind.Status, error.Kind);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Contains("down for maintenance", error.ResponseBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, returned.Status);
    }

    [Fact]
    public async Task Post_Redirect_NotFollowed()
    {
        var hits = 0;
        await using var server = await ScriptedServer.StartAsync(context =>
        {
            Interlocked.Increment(ref hits);
            context.Response.Redirect("/elsewhere");
            return Task.CompletedTask;
        });
        using var client = new EngineHttpClient(Policy);

        var response = await client.SendAsync(u => new HttpRequestMessage(HttpMethod.Post, u) { Content = new StringContent("a=b") },
            server.Url("form"), CancellationToken.None, throwOnError: false);

        Assert.Equal(HttpStatusCode.Found, response.Status);
        Assert.Equal(1, hits);
    }

    [Fact]
    public async Task Portal_WellKnownThroughEngineClient_Parses()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new EngineHttpClient(Policy);

        var response = await client.GetAsync(portal.WellKnownUrl, CancellationToken.None);

        using var json = System.Text.Json.JsonDocument.Parse(response.Body);
        Assert.Equal(portal.ApiEndpoint.AbsoluteUri,
            json.RootElement.GetProperty("api").GetProperty("http://eduvpn.org/api#3").GetProperty("api_endpoint").GetString());
    }
}
