using System.Text;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Client;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Hardening;

/// <summary>
/// A hostile or broken portal, end to end through the facade: every bad answer of the well-known
/// document, the token endpoint, <c>/info</c> and <c>/connect</c> becomes a typed
/// <see cref="EduVpnException"/> (client kind and session kind), and the engine is usable right after
/// (a later good flow works, without a second login when the tokens survived).
/// </summary>
public sealed class HostilePortalTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Where the failure shows: while adding (authorizing) or while getting a configuration.</summary>
    public enum Stage
    {
        Add,
        GetConfig,
    }

    /// <summary>One bad portal behaviour and the typed error it must give (null Kind: the engine copes and succeeds).</summary>
    private sealed record HostileCase(
        string Name,
        Stage Stage,
        string Path,
        Func<HttpContext, PortalTestServer, Task> Answer,
        ClientErrorKind? Kind,
        SessionErrorKind? Session = null,
        Func<PortalOptions, PortalOptions>? Options = null);

    private static readonly string FutureExpires = DateTimeOffset.UtcNow.AddDays(1).ToString("r");
    private const string OpenVpnBody = "dev tun\nclient\nremote vpn.example.org 1194 udp\n<ca>\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n</ca>\n";

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
    ];

    private ClientFlowLab _lab = null!;

    public static TheoryData<string> CaseNames => [.. Cases.Select(c => c.Name)];

    public async Task InitializeAsync()
    {
        // One profile: the flow never stops at a question.
        _lab = await ClientFlowLab.StartAsync(new PortalOptions { Profiles = [PortalProfile.Default] });
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public void Matrix_CoversEveryPortalEndpoint()
    {
        output.WriteLine($"hostile portal cases: {Cases.Length}");
        foreach (var path in new[] { PortalTestServer.WellKnownPath, PortalTestServer.TokenPath, PortalTestServer.InfoPath, PortalTestServer.ConnectPath })
        {
            Assert.Contains(Cases, c => c.Path == path);
        }
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
        if (hostile.Stage == Stage.GetConfig)
        {
            await _lab.Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
        }
        var hits = 0;
        _lab.Portal.Intercept = async context =>
        {
            if (context.Request.Path.Value != hostile.Path || Interlocked.Increment(ref hits) > 1)
            {
                return false;
            }
            await hostile.Answer(context, _lab.Portal);
            return true;
        };

        var attempt = hostile.Stage == Stage.Add
            ? (Func<Task>)(() => _lab.Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl))
            : () => _lab.Engine.GetConfigAsync(_lab.Institute);
        var error = await Record.ExceptionAsync(() => attempt().WaitAsync(Wait));

        output.WriteLine($"{name}: {(error is EduVpnException e ? $"{e.Kind}/{e.Error.Session?.Kind} ({e.Message})" : error?.ToString() ?? "succeeded")}");
        if (hostile.Kind is { } kind)
        {
            var typed = Assert.IsType<EduVpnException>(error);
            Assert.Equal(kind, typed.Kind);
            Assert.Equal(hostile.Session, typed.Error.Session?.Kind);
            Assert.False(string.IsNullOrWhiteSpace(typed.LocalizedMessage));
            Assert.True(hits >= 1, "the hostile answer was never requested");
        }
        else
        {
            Assert.Null(error);
        }

        // Usable afterwards: the portal behaves again and a whole good flow works.
        _lab.Portal.Intercept = null;
        var loginsBefore = _lab.Logins;
        if (hostile.Stage == Stage.Add && hostile.Kind is not null)
        {
            Assert.Empty(await _lab.Engine.ListServersAsync().WaitAsync(Wait)); // a failed add leaves nothing behind
            await _lab.Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
        }
        var config = await _lab.Engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait);
        Assert.Equal("default", config.ProfileId);
        Assert.True(config.Configuration.Expires > DateTimeOffset.UtcNow);
        if (hostile.Stage == Stage.GetConfig)
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
