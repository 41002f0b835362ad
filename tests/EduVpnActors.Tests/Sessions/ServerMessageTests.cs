using EduVpnActors.Messages.Sessions;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.Tests.Sessions;

/// <summary>
/// Client rule 32 at the session: when the portal refuses or fails a call it says why in a JSON
/// <c>error</c>; that text travels with the typed failure (<see cref="SessionFailure.ServerMessage"/>) and
/// is logged, while the session still branches on the status alone.
/// </summary>
public sealed class ServerMessageTests() : SessionTestKit("session-server-message-tests")
{
    [Fact]
    public async Task Connect_PortalRefusesApiDownloads_403_CarriesTheServersError()
    {
        var portal = await StartPortalAsync(new PortalOptions { MaxActiveApiConfigurations = 0 });
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);

        sessions.Tell(Envelope(portal, new RequestConfig("c", portal.BaseUrl.AbsoluteUri, [new("profile_id", "default")], [PortalTestServer.OpenVpnContentType], Interactive: false)), probe);

        var failure = await ExpectFailureAsync(probe, "c");
        Assert.Equal(SessionErrorKind.Forbidden, failure.Kind);
        Assert.Equal("no API configuration downloads allowed", failure.ServerMessage);
        await AwaitAssertAsync(() => Assert.Contains(Logs, l => l.Contains("the server said: no API configuration downloads allowed", StringComparison.Ordinal)), Wait);
    }

    [Fact]
    public async Task Info_PortalMisconfigured_500_CarriesTheServersError()
    {
        var portal = await StartPortalAsync(new PortalOptions
        {
            Profiles = [PortalProfile.Default with { DisplayNameTranslations = new Dictionary<string, string> { ["en"] = "Default", ["nl"] = "Standaard" } }],
        });
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);

        sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);

        var failure = await ExpectFailureAsync(probe, "info");
        Assert.Equal(SessionErrorKind.ServerError, failure.Kind);
        Assert.Equal(500, failure.HttpStatus);
        Assert.Equal("key \"displayName\" not of type string", failure.ServerMessage);
    }

    [Fact]
    public async Task Info_HostilePortalEchoesTheAccessToken_TheTokenIsHidden()
    {
        var failure = await InfoAnsweredAsync(500, "application/json",
            context => $"{{\"error\":\"your token {context.Request.Headers.Authorization.ToString()["Bearer ".Length..]} is not welcome\"}}");

        Assert.Equal("your token *** is not welcome", failure.ServerMessage);
        var logs = string.Join('\n', Logs);
        foreach (var secret in Protector.Secrets)
        {
            Assert.DoesNotContain(secret, failure.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Info_ServerErrorWithoutUsableText_HasNoServerMessage()
    {
        var failure = await InfoAnsweredAsync(502, "text/html", _ => "<html><body>Bad Gateway</body></html>");

        Assert.Equal(502, failure.HttpStatus);
        Assert.Null(failure.ServerMessage);
    }

    /// <summary>An authorized session asks <c>/info</c> of a portal that answers it with <paramref name="status"/> and <paramref name="body"/>.</summary>
    private async Task<SessionFailure> InfoAnsweredAsync(int status, string contentType, Func<HttpContext, string> body)
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);
        portal.Intercept = async context =>
        {
            if (context.Request.Path != PortalTestServer.InfoPath)
            {
                return false;
            }
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body(context));
            return true;
        };

        sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);
        return await ExpectFailureAsync(probe, "info");
    }
}
