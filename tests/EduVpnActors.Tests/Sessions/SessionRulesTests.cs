using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Akka.Event;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Actors.Sessions.OAuth;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Tests.Sessions;

/// <summary>The session's decisions without an actor: the job plan, API answers, failures, the token journal rules, the authorization's listener.</summary>
public sealed class SessionRulesTests
{
    private const string AuthBase = "https://auth.example.org/";
    private const string ApiBase = "https://api.example.org/";
    private static readonly ServerId Server = new(ServerType.Custom, AuthBase);
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(3);
    private static readonly OAuthTokens Valid = new("access-secret", "refresh-secret", Now.AddHours(1), Now.AddDays(-1));

    private readonly SessionJobPlan _plan = new(Server, Margin, ReleaseTimeout);

    private static WellKnownDocument Document(string baseUrl) =>
        new(new Uri(baseUrl + "api"), new Uri(baseUrl + "oauth/authorize"), new Uri(baseUrl + "oauth/token"), "3.0");

    private static readonly Dictionary<string, WellKnownDocument> Both = new() { [AuthBase] = Document(AuthBase), [ApiBase] = Document(ApiBase) };

    private static SessionEnvelope Envelope(ISessionRequest request) => new(Server, AuthBase, null, null, request);

    [Fact]
    public void Plan_NoWellKnownYet_FetchesTheAuthorizationServersFirst() =>
        Assert.Equal(new SessionStep.FetchWellKnown(AuthBase),
            _plan.Next(Envelope(new FetchInfo("r", ApiBase, false)), default, new Dictionary<string, WellKnownDocument>(), Valid, Now));

    [Fact]
    public void Plan_OnlyTheAuthorizationServerKnown_FetchesTheApisNext() =>
        Assert.Equal(new SessionStep.FetchWellKnown(ApiBase),
            _plan.Next(Envelope(new FetchInfo("r", ApiBase, false)), default, new Dictionary<string, WellKnownDocument> { [AuthBase] = Document(AuthBase) }, Valid, Now));

    [Fact]
    public void Plan_ForgetTokens_DropsThemWithoutAnyFetch() =>
        Assert.IsType<SessionStep.Forget>(_plan.Next(Envelope(new ForgetTokens("f")), default, new Dictionary<string, WellKnownDocument>(), Valid, Now));

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Plan_NoTokensAndMayNotAsk_FailsAuthorizationRequired(bool interactive, bool alreadyAsked)
    {
        var step = _plan.Next(Envelope(new EnsureAuthorized("r", interactive)), new SessionJobProgress(interactive, alreadyAsked, false), Both, null, Now);
        Assert.Equal(SessionErrorKind.AuthorizationRequired, Assert.IsType<SessionStep.Fail>(step).Failure.Kind);
    }

    [Fact]
    public void Plan_NoTokensAndInteractive_AsksTheAuthorizationServer()
    {
        var step = _plan.Next(Envelope(new EnsureAuthorized("r", true)), new SessionJobProgress(true, false, false), Both, null, Now);
        Assert.Equal(Document(AuthBase), Assert.IsType<SessionStep.Authorize>(step).AuthServer);
    }

    [Fact]
    public void Plan_TokensWithinTheMargin_AreRefreshedAtTheAuthorizationServer()
    {
        var expiring = Valid with { AccessTokenExpiresAt = Now + Margin - TimeSpan.FromSeconds(1) };
        Assert.Equal(new SessionStep.Refresh(new Uri(AuthBase + "oauth/token")), _plan.Next(Envelope(new EnsureAuthorized("r", false)), default, Both, expiring, Now));
    }

    [Fact]
    public void Plan_FreshTokensThatLookExpired_AreUsed()
    {
        var tiny = Valid with { AccessTokenExpiresAt = Now };
        var step = _plan.Next(Envelope(new EnsureAuthorized("r", false)), new SessionJobProgress(false, false, true), Both, tiny, Now);
        Assert.Equal(new SessionAuthorized("r", Server, Valid.AuthorizedAt), Assert.IsType<SessionStep.Answer>(step).Reply);
    }

    [Fact]
    public void Plan_ValidTokens_CallsTheApiOfTheRequest()
    {
        var info = Assert.IsType<SessionStep.CallApi>(_plan.Next(Envelope(new FetchInfo("r", ApiBase, false)), default, Both, Valid, Now));
        Assert.Equal((HttpMethod.Get, new Uri(ApiBase + "api/info"), (TimeSpan?)null), (info.Method, info.Url, info.Timeout));

        var form = new[] { KeyValuePair.Create("profile_id", "internet") };
        var connect = Assert.IsType<SessionStep.CallApi>(_plan.Next(Envelope(new RequestConfig("r", ApiBase, form, ["application/x-wireguard-profile"], false)), default, Both, Valid, Now));
        Assert.Equal((HttpMethod.Post, new Uri(ApiBase + "api/connect")), (connect.Method, connect.Url));
        Assert.Equal(form, connect.Form);

        var release = Assert.IsType<SessionStep.CallApi>(_plan.Next(Envelope(new ReleaseConfig("r", ApiBase)), default, Both, Valid, Now));
        Assert.Equal((HttpMethod.Post, new Uri(ApiBase + "api/disconnect"), (TimeSpan?)ReleaseTimeout), (release.Method, release.Url, release.Timeout));
        Assert.Empty(release.Form!);
    }

    private static HttpResponse Response(HttpStatusCode status, string body, string? contentType = "application/json", string? expires = null)
    {
        var content = new ByteArrayContent([]);
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        if (expires is not null)
        {
            content.Headers.TryAddWithoutValidation("Expires", expires);
        }
        return new HttpResponse(status, new HttpResponseMessage().Headers, content.Headers, Encoding.UTF8.GetBytes(body), new Uri(ApiBase + "api/connect?secret=1"));
    }

    [Fact]
    public void Answer_First401_IsRetriedAfterARefresh() =>
        Assert.IsType<SessionStep.RetryAfterRefresh>(ApiAnswerRules.Judge(new FetchInfo("r", ApiBase, false), Response(HttpStatusCode.Unauthorized, ""), Valid, retriedAfter401: false));

    [Fact]
    public void Answer_Second401_FailsWithTheServersWordsButNoToken()
    {
        var step = ApiAnswerRules.Judge(new FetchInfo("r", ApiBase, false),
            Response(HttpStatusCode.Unauthorized, """{"error":"token access-secret is revoked"}"""), Valid, retriedAfter401: true);
        var failure = Assert.IsType<SessionStep.Fail>(step).Failure;
        Assert.Equal((SessionErrorKind.AuthorizationFailed, (int?)401), (failure.Kind, failure.HttpStatus));
        Assert.Equal($"'{ApiBase}api/connect' refused the new access token too.", failure.Message);
        Assert.NotNull(failure.ServerMessage);
        Assert.DoesNotContain("access-secret", failure.ServerMessage);
    }

    [Fact]
    public void Answer_ReleaseRefused_OnlyReportsNotReached() =>
        Assert.Equal(new ConfigReleased("r", false),
            Assert.IsType<SessionStep.Answer>(ApiAnswerRules.Judge(new ReleaseConfig("r", ApiBase), Response(HttpStatusCode.Unauthorized, ""), Valid, false)).Reply);

    [Fact]
    public void Answer_MalformedInfo_FailsMalformedResponseWithItsStatus()
    {
        var failure = Assert.IsType<SessionStep.Fail>(ApiAnswerRules.Judge(new FetchInfo("r", ApiBase, false), Response(HttpStatusCode.OK, "not json"), Valid, false)).Failure;
        Assert.Equal((SessionErrorKind.MalformedResponse, (int?)200), (failure.Kind, failure.HttpStatus));
    }

    [Fact]
    public void Answer_Info_GivesTheProfilesAndWhenTheTokensWereObtained()
    {
        var body = """{"info":{"profile_list":[{"profile_id":"internet","display_name":"Internet","vpn_proto_list":["wireguard"]}]}}""";
        var fetched = Assert.IsType<InfoFetched>(Assert.IsType<SessionStep.Answer>(ApiAnswerRules.Judge(new FetchInfo("r", ApiBase, false), Response(HttpStatusCode.OK, body), Valid, false)).Reply);
        Assert.Equal("internet", Assert.Single(fetched.Profiles).Id);
        Assert.Equal(Valid.AuthorizedAt, fetched.AuthorizedAt);
    }

    [Fact]
    public void Answer_Config_CarriesBodyTypeAndExpires()
    {
        var step = ApiAnswerRules.Judge(new RequestConfig("r", ApiBase, [], [], false),
            Response(HttpStatusCode.OK, "[Interface]", "application/x-wireguard-profile", "Fri, 01 Mar 2024 10:00:00 GMT"), Valid, false);
        var config = Assert.IsType<ConfigReceived>(Assert.IsType<SessionStep.Answer>(step).Reply);
        Assert.Equal(("application/x-wireguard-profile", "Fri, 01 Mar 2024 10:00:00 GMT", "[Interface]"), (config.ContentType, config.Expires, config.Body));
    }

    [Fact]
    public void Answer_ServerError_IsTypedByStatus()
    {
        var failure = Assert.IsType<SessionStep.Fail>(ApiAnswerRules.Judge(new RequestConfig("r", ApiBase, [], [], false), Response(HttpStatusCode.Forbidden, ""), Valid, false)).Failure;
        Assert.Equal((SessionErrorKind.Forbidden, $"'{ApiBase}api/connect' answered with status 403."), (failure.Kind, failure.Message));
    }

    [Fact]
    public void Failures_ARelease_HearsNotReached_OthersTheFailure()
    {
        var failure = SessionFailures.RequestCancelled;
        Assert.Equal(new ConfigReleased("r", false), SessionFailures.ReplyOf(new ReleaseConfig("r", ApiBase), failure));
        Assert.Equal(new SessionRequestFailed("f", failure), SessionFailures.ReplyOf(new ForgetTokens("f"), failure));
    }

    [Fact]
    public void Failures_StepExceptions_AreClassified()
    {
        Assert.True(SessionFailures.IsRefreshRejected(new AggregateException(new RefreshRejectedException("gone"))));
        Assert.False(SessionFailures.IsRefreshRejected(new InvalidOperationException()));
        Assert.Equal(SessionFailures.RequestCancelled, SessionFailures.OfStep(new TaskCanceledException(), jobCancelled: true));
        Assert.Equal(SessionErrorKind.NotFound, SessionFailures.OfStep(new AggregateException(new SessionException(SessionErrorKind.NotFound, "x")), false).Kind);
        Assert.Equal(SessionErrorKind.ServerError, SessionFailures.OfStep(new InvalidOperationException("secret"), false).Kind);
        Assert.DoesNotContain("secret", SessionFailures.OfStep(new InvalidOperationException("secret"), false).Message);
    }

    [Fact]
    public void Failures_ServerWords_AreLoggedAsWarning_OthersAsInfo()
    {
        var plain = SessionFailures.LogEntryOf(Server, new FetchInfo("r", ApiBase, false), SessionFailures.RequestCancelled);
        Assert.Equal(LogLevel.InfoLevel, plain.Level);
        Assert.Equal([Server, "FetchInfo", SessionErrorKind.Cancelled, "The request was cancelled."], plain.Args);

        var said = SessionFailures.LogEntryOf(Server, new FetchInfo("r", ApiBase, false), SessionFailures.RequestCancelled with { ServerMessage = "busy" });
        Assert.Equal(LogLevel.WarningLevel, said.Level);
        Assert.Contains("{ServerMessage}", said.Template);
        Assert.Equal("busy", said.Args[^1]);
    }

    [Fact]
    public void Failures_Texts_NameWhatWentWrong()
    {
        Assert.Equal("No authorization arrived within 90 seconds.", SessionFailures.CallbackTimedOut(TimeSpan.FromSeconds(90)).Message);
        Assert.Equal("Could not listen for the authorization callback on 127.0.0.1: AddressAlreadyInUse.",
            SessionFailures.CannotListen(SessionSettings.Default, SocketError.AddressAlreadyInUse).Message);
        Assert.Equal("Could not listen for the authorization callback on 127.0.0.1:41000: AddressAlreadyInUse.",
            SessionFailures.CannotListen(SessionSettings.Default with { CallbackPort = 41000 }, SocketError.AddressAlreadyInUse).Message);
        Assert.Equal(SessionErrorKind.Storage, SessionFailures.Storage(new IOException("disk full")).Kind);
        Assert.Contains("IOException: disk full", SessionFailures.Storage(new IOException("disk full")).Message);
    }

    [Fact]
    public void TokenStore_StoredTokens_OpenOnlyForTheSameSession()
    {
        var protector = new AesGcmTokenProtector(new byte[32]);
        var stored = new SessionTokenStore(protector, "server-session:a").Stored(Valid, Now);

        Assert.Equal(Now.ToUnixTimeMilliseconds(), stored.StoredAtMs);
        Assert.DoesNotContain("access-secret", Encoding.UTF8.GetString(stored.ProtectedTokens));
        Assert.Equal(Valid, new SessionTokenStore(protector, "server-session:a").Open(stored, out var none));
        Assert.Null(none);
        Assert.Null(new SessionTokenStore(protector, "server-session:b").Open(stored, out var unreadable));
        Assert.False(string.IsNullOrEmpty(unreadable));
    }

    [Theory]
    [InlineData(1L, null)]
    [InlineData(2L, 1L)]
    [InlineData(7L, 6L)]
    public void TokenStore_EachEvent_MakesEveryEarlierOneObsolete(long last, long? obsoleteUpTo) =>
        Assert.Equal(obsoleteUpTo, SessionTokenStore.ObsoleteUpTo(last));

    [Fact]
    public void Requests_JobsAndApis_AreNamed()
    {
        Assert.True(SessionRequests.IsJob(new ForgetTokens("f")));
        Assert.False(SessionRequests.IsJob(new CancelAuthorization("c")));
        Assert.False(SessionRequests.IsJob(new GetSessionStatus("s")));
        Assert.Equal(ApiBase, SessionRequests.ApiBaseOf(new ReleaseConfig("r", ApiBase)));
        Assert.Null(SessionRequests.ApiBaseOf(new EnsureAuthorized("r", true)));
    }

    [Fact]
    public void Authorization_BusyFixedPort_FailsTypedWithThePort()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var settings = SessionSettings.Default with { CallbackPort = port };

        var e = Assert.Throws<SessionException>(() => AuthorizationInProgress.Start(settings, Document(AuthBase), Envelope(new EnsureAuthorized("r", true))));
        Assert.Equal(SessionErrorKind.AuthorizationFailed, e.Kind);
        Assert.Contains($"127.0.0.1:{port}", e.Message);
    }

    [Fact]
    public async Task Authorization_Started_ListensUntilDisposed()
    {
        var authorization = AuthorizationInProgress.Start(SessionSettings.Default, Document(AuthBase), Envelope(new EnsureAuthorized("r", true)));
        Assert.StartsWith(AuthBase + "oauth/authorize?", authorization.Request.Url.AbsoluteUri);
        Assert.Equal(new Uri(AuthBase + "oauth/token"), authorization.TokenEndpoint);
        var port = new Uri(authorization.Request.RedirectUri).Port;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
        }

        authorization.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => authorization.Callback);
        using var late = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(IPAddress.Loopback, port));
    }
}
