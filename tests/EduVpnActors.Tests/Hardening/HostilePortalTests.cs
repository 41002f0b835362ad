using System.Text;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Errors;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Client;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Hardening;

/// <summary>
/// A hostile or broken portal, end to end through the facade: every bad answer of the well-known
/// document, the token endpoint (code exchange and refresh), <c>/info</c> and <c>/connect</c>, and every
/// network fault on the way to them (refused, reset mid-body, slow drip, redirect loop, wrong
/// certificate), becomes a typed <see cref="EduVpnException"/> (client kind, session kind, transport
/// kind) whose texts hold no token, and the engine is usable right after (a later good flow works,
/// without a second login when the tokens survived).
/// </summary>
public sealed class HostilePortalTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // Only the slow-drip cases run with it: short enough to keep the suite fast, long enough for a good loopback request.
    private const string ShortTimeout = "eduvpn.http.timeout = 2s";

    /// <summary>
    /// Where the failure shows: while adding (authorizing), while getting a configuration, or while getting
    /// one with an expired access token (the refresh is then the first request).
    /// </summary>
    public enum Stage
    {
        Add,
        GetConfig,
        Refresh,
    }

    /// <summary>One bad portal behaviour and the typed error it must give (null Kind: the engine copes and succeeds).</summary>
    /// <param name="Answer">Answers the request to <paramref name="Path"/>; null for a transport fault.</param>
    private sealed record HostileCase(
        string Name,
        Stage Stage,
        string Path,
        Func<HttpContext, PortalTestServer, Task>? Answer,
        ClientErrorKind? Kind,
        SessionErrorKind? Session = null,
        Func<PortalOptions, PortalOptions>? Options = null)
    {
        /// <summary>The transport failure under the session failure (asserted when set).</summary>
        public HttpErrorKind? Http { get; init; }

        /// <summary>How often <see cref="Answer"/> must have been asked (asserted when set; else at least once).</summary>
        public int? Hits { get; init; }

        /// <summary>Answer every request to the path, not only the first (a redirect loop comes back to it).</summary>
        public bool EveryRequest { get; init; }

        /// <summary>What new connections to the portal meet instead of an answer.</summary>
        public PortalTransport? Transport { get; init; }

        /// <summary>"METHOD path" of the request after which <see cref="Transport"/> starts; null: right before the attempt.</summary>
        public string? SwitchAt { get; init; }

        /// <summary>Extra engine HOCON for this case.</summary>
        public string? Hocon { get; init; }
    }

    /// <summary>A document the flow fetches: where and when, and a well-formed answer (cut or trickled by the network faults).</summary>
    private sealed record Fetch(string Name, Stage Stage, string Path, string Method, string? PreviousRequest, Func<HttpContext, PortalTestServer, byte[]> Prepare);

    private static readonly Fetch[] Fetches =
    [
        new("wellknown", Stage.Add, PortalTestServer.WellKnownPath, "GET", null,
            (c, p) => Prepared(c, "application/json", WellKnown(p, p.BaseUrl.AbsoluteUri))),
        // The browser's approval is the last portal request before the engine exchanges the code.
        new("token-exchange", Stage.Add, PortalTestServer.TokenPath, "POST", "POST " + PortalTestServer.AuthorizePath,
            (c, _) => Prepared(c, "application/json", TokenJson("3600"))),
        new("token-refresh", Stage.Refresh, PortalTestServer.TokenPath, "POST", null,
            (c, _) => Prepared(c, "application/json", TokenJson("3600"))),
        new("info", Stage.GetConfig, PortalTestServer.InfoPath, "GET", null,
            (c, _) => Prepared(c, "application/json", InfoJson)),
        new("connect", Stage.GetConfig, PortalTestServer.ConnectPath, "POST", "GET " + PortalTestServer.InfoPath,
            (c, _) =>
            {
                c.Response.Headers.Expires = FutureExpires;
                return Prepared(c, PortalTestServer.OpenVpnContentType, OpenVpnBody);
            }),
    ];

    private static readonly string[] NetworkFaults = ["refused", "reset-mid-body", "slow-drip", "redirect-loop", "tls-wrong-host"];

    private static readonly string FutureExpires = DateTimeOffset.UtcNow.AddDays(1).ToString("r");
    private const string OpenVpnBody = "dev tun\nclient\nremote vpn.example.org 1194 udp\n<ca>\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n</ca>\n";
    private const string InfoJson = "{\"info\": {\"profile_list\": [{\"profile_id\": \"default\", \"display_name\": \"Default\", \"vpn_proto_list\": [\"openvpn\", \"wireguard\"], \"default_gateway\": true}]}}";

    private static readonly HostileCase[] Cases =
    [
        // /.well-known/vpn-user-portal (fetched when the server is authorized)
        new("wellknown-malformed-json", Stage.Add, PortalTestServer.WellKnownPath, (c, _) => Json(c, "{\"api\": {\"http://eduvpn.org/api#3\": [}"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("wellknown-truncated-json", Stage.Add, PortalTestServer.WellKnownPath, (c, p) => Json(c, WellKnown(p, p.BaseUrl.AbsoluteUri)[..40]), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("wellknown-not-json-html", Stage.Add, PortalTestServer.WellKnownPath, (c, _) => Body(c, 200, "text/html", "<html><body>Maintenance</body></html>"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("wellknown-http-endpoints", Stage.Add, PortalTestServer.WellKnownPath, (c, p) => Json(c, WellKnown(p, $"http://127.0.0.1:{p.BaseUrl.Port}/")), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("wellknown-redirect-to-http", Stage.Add, PortalTestServer.WellKnownPath, (c, p) => Redirect(c, $"http://127.0.0.1:{p.BaseUrl.Port}{PortalTestServer.WellKnownPath}"), ClientErrorKind.Session, SessionErrorKind.Unreachable),
        new("wellknown-endpoints-not-strings", Stage.Add, PortalTestServer.WellKnownPath, (c, _) => Json(c, "{\"api\": {\"http://eduvpn.org/api#3\": {\"api_endpoint\": 1, \"authorization_endpoint\": [], \"token_endpoint\": null}}}"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("wellknown-empty-200", Stage.Add, PortalTestServer.WellKnownPath, (c, _) => Body(c, 200, "application/json", ""), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),

        // token endpoint (code exchange)
        new("token-malformed-json", Stage.Add, PortalTestServer.TokenPath, (c, _) => Json(c, "{\"access_token\": \"abc\", \"expires_in\": }"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("token-truncated-json", Stage.Add, PortalTestServer.TokenPath, (c, _) => Json(c, "{\"access_token\": \"abc\", \"token_type\": \"bea"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("token-expires-in-zero", Stage.Add, PortalTestServer.TokenPath, (c, _) => Json(c, TokenJson("0")), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("token-expires-in-negative", Stage.Add, PortalTestServer.TokenPath, (c, _) => Json(c, TokenJson("-3600")), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("token-expires-in-beyond-int64", Stage.Add, PortalTestServer.TokenPath, (c, _) => Json(c, TokenJson("1e30")), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("token-expires-in-string", Stage.Add, PortalTestServer.TokenPath, (c, _) => Json(c, TokenJson("\"3600\"")), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("token-access-token-number", Stage.Add, PortalTestServer.TokenPath, (c, _) => Json(c, "{\"access_token\": 12345, \"token_type\": \"bearer\", \"expires_in\": 3600}"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("token-json-array", Stage.Add, PortalTestServer.TokenPath, (c, _) => Json(c, "[\"access_token\", 3600]"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("token-no-access-token", Stage.Add, PortalTestServer.TokenPath, (c, _) => Json(c, "{\"token_type\": \"bearer\", \"expires_in\": 3600}"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        // A real token that claims to live a thousand years: clamped, the flow works.
        new("token-expires-in-huge-accepted", Stage.Add, "", (_, _) => Task.CompletedTask, null, null, o => o with { AccessTokenLifetime = TimeSpan.FromDays(365 * 1000) }),

        // /info
        new("info-malformed-json", Stage.GetConfig, PortalTestServer.InfoPath, (c, _) => Json(c, "{\"info\": {\"profile_list\": [{]}}"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("info-truncated-json", Stage.GetConfig, PortalTestServer.InfoPath, (c, _) => Json(c, "{\"info\": {\"profile_list\": [{\"profile_id\": \"default\", \"display_"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("info-profile-list-not-array", Stage.GetConfig, PortalTestServer.InfoPath, (c, _) => Json(c, "{\"info\": {\"profile_list\": \"default\"}}"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("info-profile-id-number", Stage.GetConfig, PortalTestServer.InfoPath, (c, _) => Json(c, "{\"info\": {\"profile_list\": [{\"profile_id\": 7, \"display_name\": {\"en\": 3}, \"vpn_proto_list\": [1, null]}]}}"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("info-html-page", Stage.GetConfig, PortalTestServer.InfoPath, (c, _) => Body(c, 200, "text/html", "<html>login</html>"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),

        // /connect
        new("connect-wrong-content-type", Stage.GetConfig, PortalTestServer.ConnectPath, (c, _) => Config(c, "text/html", OpenVpnBody, FutureExpires), ClientErrorKind.InvalidConfiguration),
        new("connect-no-content-type", Stage.GetConfig, PortalTestServer.ConnectPath, (c, _) => Config(c, null, OpenVpnBody, FutureExpires), ClientErrorKind.InvalidConfiguration),
        new("connect-missing-expires", Stage.GetConfig, PortalTestServer.ConnectPath, (c, _) => Config(c, PortalTestServer.OpenVpnContentType, OpenVpnBody, null), ClientErrorKind.InvalidConfiguration),
        new("connect-expires-in-the-past", Stage.GetConfig, PortalTestServer.ConnectPath, (c, _) => Config(c, PortalTestServer.OpenVpnContentType, OpenVpnBody, DateTimeOffset.UtcNow.AddHours(-1).ToString("r")), ClientErrorKind.InvalidConfiguration),
        new("connect-expires-garbage", Stage.GetConfig, PortalTestServer.ConnectPath, (c, _) => Config(c, PortalTestServer.OpenVpnContentType, OpenVpnBody, "tomorrow-ish"), ClientErrorKind.InvalidConfiguration),
        new("connect-wireguard-not-ini", Stage.GetConfig, PortalTestServer.ConnectPath, (c, _) => Config(c, PortalTestServer.WireGuardContentType, "\u0000\u0001 definitely not a config", FutureExpires), ClientErrorKind.InvalidConfiguration),
        new("connect-body-over-16MiB", Stage.GetConfig, PortalTestServer.ConnectPath, (c, _) => Config(c, PortalTestServer.OpenVpnContentType, OpenVpnBody + new string('#', (16 * 1024 * 1024) + 1), FutureExpires), ClientErrorKind.Session, SessionErrorKind.Unreachable),
        new("connect-500-truncated-error-json", Stage.GetConfig, PortalTestServer.ConnectPath, (c, _) => Body(c, 500, "application/json", "{\"error\": \"bo"), ClientErrorKind.Session, SessionErrorKind.ServerError),

        // token endpoint (refresh): the old tokens stay, so no new login is needed afterwards
        new("refresh-malformed-json", Stage.Refresh, PortalTestServer.TokenPath, (c, _) => Json(c, "{\"access_token\": \"hostile-access\", \"expires_in\": }"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("refresh-truncated-json", Stage.Refresh, PortalTestServer.TokenPath, (c, _) => Json(c, TokenJson("3600")[..30]), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("refresh-no-access-token", Stage.Refresh, PortalTestServer.TokenPath, (c, _) => Json(c, "{\"refresh_token\": \"hostile-refresh\", \"token_type\": \"bearer\", \"expires_in\": 3600}"), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),
        new("refresh-empty-200", Stage.Refresh, PortalTestServer.TokenPath, (c, _) => Body(c, 200, "application/json", ""), ClientErrorKind.Session, SessionErrorKind.MalformedResponse),

        // network faults, for every document the flow fetches
        .. Fetches.SelectMany(NetworkCases),
    ];

    /// <summary>The five network faults of one fetch, through the engine.</summary>
    private static IEnumerable<HostileCase> NetworkCases(Fetch fetch)
    {
        HostileCase Unreachable(string fault, HttpErrorKind http, Func<HttpContext, PortalTestServer, Task>? answer) =>
            new($"{fetch.Name}-{fault}", fetch.Stage, fetch.Path, answer, ClientErrorKind.Session, SessionErrorKind.Unreachable) { Http = http };

        yield return Unreachable("refused", HttpErrorKind.Network, null) with { Transport = PortalTransport.Refused, SwitchAt = fetch.PreviousRequest };
        yield return Unreachable("reset-mid-body", HttpErrorKind.Network, async (c, p) =>
        {
            var body = fetch.Prepare(c, p);
            await c.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            // Let the bytes arrive before the reset, as they would from a server that dies mid-body.
            await Task.Delay(200, c.RequestAborted);
            c.Abort();
        }) with { Hits = 1 };
        yield return Unreachable("slow-drip", HttpErrorKind.Timeout, async (c, p) =>
        {
            // A byte every 100 ms: never idle, but the whole answer would take far longer than the time-out.
            var body = fetch.Prepare(c, p);
            for (var i = 0; i < body.Length; i++)
            {
                await c.Response.Body.WriteAsync(body.AsMemory(i, 1), c.RequestAborted);
                await c.Response.Body.FlushAsync(c.RequestAborted);
                await Task.Delay(100, c.RequestAborted);
            }
        }) with { Hocon = ShortTimeout, Hits = 1 };
        // Back and forth between two URLs of the same path, so only loop detection ends it.
        Task Loop(HttpContext c, PortalTestServer _) =>
            Redirect(c, c.Request.QueryString.HasValue ? fetch.Path : fetch.Path + "?loop=1");
        yield return fetch.Method == "GET"
            ? Unreachable("redirect-loop", HttpErrorKind.TooManyRedirects, Loop) with { EveryRequest = true, Hits = 2 }
            // A POST carries the code or a token: it is never re-sent to where a redirect points, so the
            // redirect is just an unexpected status (a refused code exchange, or a server error).
            : new HostileCase($"{fetch.Name}-redirect-loop", fetch.Stage, fetch.Path, Loop, ClientErrorKind.Session,
                fetch.Name == "token-exchange" ? SessionErrorKind.AuthorizationFailed : SessionErrorKind.ServerError)
            { EveryRequest = true, Hits = 1 };
        yield return Unreachable("tls-wrong-host", HttpErrorKind.Tls, null) with { Transport = PortalTransport.WrongHostCertificate, SwitchAt = fetch.PreviousRequest };
    }

    private ClientFlowLab _lab = null!;

    public static TheoryData<string> CaseNames => [.. Cases.Select(c => c.Name)];

    public async Task InitializeAsync()
    {
        // One profile: the flow never stops at a question. The engine starts in the test, with the case's HOCON.
        _lab = await ClientFlowLab.StartAsync(new PortalOptions { Profiles = [PortalProfile.Default] }, startEngine: false, switchableTransport: true);
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public void Matrix_CoversEveryPortalEndpoint()
    {
        Figures.Report(output, $"hostile portal cases: {Cases.Length} (each a typed error, the engine usable after)");
        foreach (var path in new[] { PortalTestServer.WellKnownPath, PortalTestServer.TokenPath, PortalTestServer.InfoPath, PortalTestServer.ConnectPath })
        {
            Assert.Contains(Cases, c => c.Path == path);
        }
        foreach (var fetch in Fetches)
        {
            foreach (var fault in NetworkFaults)
            {
                Assert.Contains(Cases, c => c.Name == $"{fetch.Name}-{fault}" && c.Stage == fetch.Stage && c.Path == fetch.Path);
            }
        }
        Assert.Contains(Cases, c => c.Stage == Stage.Refresh && c.Session == SessionErrorKind.MalformedResponse);
        Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task HostilePortal_TypedErrorAndTheEngineStaysUsable(string name)
    {
        var hostile = Cases.Single(c => c.Name == name);
        if (hostile.Options is { } change)
        {
            _lab.Portal.UpdateOptions(change);
        }
        if (hostile.Stage == Stage.Refresh)
        {
            // Inside the engine's 30 s expiry margin: every request after the login refreshes first.
            _lab.Portal.UpdateOptions(o => o with { AccessTokenLifetime = TimeSpan.FromSeconds(10) });
        }
        if (hostile.Hocon is { } hocon)
        {
            _lab.ExtraHocon += "\n" + hocon;
        }
        await _lab.StartEngineAsync();
        if (hostile.Stage != Stage.Add)
        {
            await _lab.Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
        }
        var hits = 0;
        var switched = 0;
        _lab.Portal.Intercept = async context =>
        {
            var request = context.Request;
            if (hostile.SwitchAt == $"{request.Method} {request.Path.Value}" && Interlocked.Increment(ref switched) == 1)
            {
                // This answer still goes out normally; the engine's next request meets the fault.
                _lab.Portal.SetTransport(hostile.Transport!.Value, finishing: context);
                return false;
            }
            if (hostile.Answer is null || request.Path.Value != hostile.Path || (Interlocked.Increment(ref hits) > 1 && !hostile.EveryRequest))
            {
                return false;
            }
            await hostile.Answer(context, _lab.Portal);
            return true;
        };
        if (hostile is { Transport: { } transport, SwitchAt: null })
        {
            _lab.Portal.SetTransport(transport);
        }

        var reachedBefore = _lab.Portal.RequestsTo(hostile.Path).Count;
        var attempt = hostile.Stage == Stage.Add
            ? (Func<Task>)(() => _lab.Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl))
            : () => _lab.Engine.GetConfigAsync(_lab.Institute);
        var error = await Record.ExceptionAsync(() => attempt().WaitAsync(Wait));

        output.WriteLine($"{name}: {(error is EduVpnException e ? $"{e.Kind}/{e.Error.Session?.Kind}/{e.Error.Session?.Http} ({e.Message})" : error?.ToString() ?? "succeeded")}");
        if (hostile.Kind is { } kind)
        {
            var typed = Assert.IsType<EduVpnException>(error);
            Assert.Equal(kind, typed.Kind);
            Assert.Equal(hostile.Session, typed.Error.Session?.Kind);
            Assert.False(string.IsNullOrWhiteSpace(typed.LocalizedMessage));
            if (hostile.Http is { } http)
            {
                Assert.Equal(http, typed.Error.Session?.Http);
            }
            if (hostile.Session == SessionErrorKind.Unreachable)
            {
                Assert.Contains(hostile.Path, typed.Message, StringComparison.Ordinal); // the fetch that failed, not an earlier one
            }
            if (hostile.Transport == PortalTransport.Refused)
            {
                // The system's words for ECONNREFUSED: a reset or a time-out cannot pass for a refusal.
                Assert.Contains("refused", typed.Message, StringComparison.OrdinalIgnoreCase);
            }
            foreach (var token in _lab.Portal.IssuedTokens.Concat(["hostile-access", "hostile-refresh"]))
            {
                foreach (var text in new[] { typed.Message, typed.LocalizedMessage, typed.Error.Session?.Message ?? "" })
                {
                    Assert.DoesNotContain(token, text, StringComparison.Ordinal);
                }
            }
            if (hostile.Answer is not null)
            {
                Assert.True(hostile.Hits is { } expected ? hits == expected : hits >= 1, $"the hostile answer was requested {hits} times");
            }
            if (hostile.SwitchAt is not null)
            {
                Assert.Equal(1, switched);
            }
            if (hostile.Transport is not null)
            {
                Assert.Equal(reachedBefore, _lab.Portal.RequestsTo(hostile.Path).Count); // behind either certificate
            }
        }
        else
        {
            Assert.Null(error);
        }

        // Usable afterwards: the portal behaves again and a whole good flow works.
        _lab.Portal.Intercept = null;
        if (hostile.Transport is not null)
        {
            _lab.Portal.SetTransport(PortalTransport.Normal);
        }
        var loginsBefore = _lab.Logins;
        if (hostile.Stage == Stage.Add && hostile.Kind is not null)
        {
            Assert.Empty(await _lab.Engine.ListServersAsync().WaitAsync(Wait)); // a failed add leaves nothing behind
            await _lab.Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
        }
        var config = await _lab.Engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait);
        Assert.Equal("default", config.ProfileId);
        Assert.True(config.Configuration.Expires > DateTimeOffset.UtcNow);
        if (hostile.Stage != Stage.Add)
        {
            Assert.Equal(loginsBefore, _lab.Logins); // the tokens survived the bad answer
        }
    }

    private static string TokenJson(string expiresIn) =>
        $"{{\"access_token\": \"hostile-access\", \"refresh_token\": \"hostile-refresh\", \"token_type\": \"bearer\", \"expires_in\": {expiresIn}}}";

    private static string WellKnown(PortalTestServer portal, string origin) =>
        "{\"api\": {\"http://eduvpn.org/api#3\": {"
        + $"\"api_endpoint\": \"{origin}vpn-user-portal/api/v3\", \"authorization_endpoint\": \"{origin}vpn-user-portal/oauth/authorize\", \"token_endpoint\": \"{origin}vpn-user-portal/oauth/token\""
        + $"}}}}, \"v\": \"{portal.Options.PortalVersion}\"}}";

    /// <summary>Status, content type and the full Content-Length of a well-formed answer; the caller writes (some of) the body.</summary>
    private static byte[] Prepared(HttpContext context, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        return bytes;
    }

    private static Task Json(HttpContext context, string json) => Body(context, 200, "application/json", json);

    private static async Task Body(HttpContext context, int status, string? contentType, string body)
    {
        context.Response.StatusCode = status;
        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body), context.RequestAborted);
    }

    private static Task Config(HttpContext context, string? contentType, string body, string? expires)
    {
        if (expires is not null)
        {
            context.Response.Headers.Expires = expires;
        }
        return Body(context, 200, contentType, body);
    }

    private static Task Redirect(HttpContext context, string location)
    {
        context.Response.StatusCode = 302;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }
}
