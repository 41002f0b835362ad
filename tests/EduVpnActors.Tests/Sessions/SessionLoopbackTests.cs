using System.Net;
using System.Net.Sockets;
using System.Web;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Sessions;

/// <summary>Where the session listens for the callback, and the typed error when it cannot.</summary>
public sealed class SessionLoopbackTests(ITestOutputHelper output) : SessionTestKit("session-loopback-tests")
{
    [Fact]
    public async Task Ipv6Loopback_WhenAsked_AuthorizesOverItOrFailsTypedNamingTheAddress()
    {
        var portal = await StartPortalAsync();
        Settings = Settings with { LoopbackHost = "[::1]" };
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", Interactive: true)), probe);

        if (Loopback.Ipv6Unavailable() is { } reason)
        {
            output.WriteLine($"No IPv6 loopback here ({reason}): checking the typed error instead of an authorization over [::1].");
            var failure = await ExpectFailureAsync(probe, "a");
            Assert.Equal(SessionErrorKind.AuthorizationFailed, failure.Kind);
            Assert.Contains("[::1]", failure.Message, StringComparison.Ordinal);
            Assert.Empty(portal.RequestsTo(PortalTestServer.AuthorizePath));
            return;
        }
        var ready = await probe.ExpectMsgAsync<AuthorizationUrlReady>(Wait);
        Assert.StartsWith("http://[::1]:", HttpUtility.ParseQueryString(ready.Url.Query)["redirect_uri"], StringComparison.Ordinal);
        var callback = await NewBrowser().AuthorizeAsync(ready.Url, "alice", "alice-password");
        using var page = await NewBrowser().FollowAsync(callback);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        await probe.ExpectMsgAsync<SessionAuthorized>(Wait);
    }

    [Fact]
    public async Task FixedCallbackPort_AlreadyInUse_FailsTypedNamingThePortAndTheWaitingRequestIsServed()
    {
        var portal = await StartPortalAsync();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        Settings = Settings with { CallbackPort = port };
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", Interactive: true)), probe);
        sessions.Tell(Envelope(portal, Info(portal, interactive: false, id: "next")), probe);

        var failure = await ExpectFailureAsync(probe, "a");
        Assert.Equal(SessionErrorKind.AuthorizationFailed, failure.Kind);
        Assert.Contains($"127.0.0.1:{port}", failure.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SocketError.AddressAlreadyInUse), failure.Message, StringComparison.Ordinal);
        // The job ended: the waiting request is served (and, without tokens, may not ask the user).
        Assert.Equal(SessionErrorKind.AuthorizationRequired, (await ExpectFailureAsync(probe, "next")).Kind);
        Assert.Empty(portal.RequestsTo(PortalTestServer.AuthorizePath));
    }
}
