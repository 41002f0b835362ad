using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Sessions;

/// <summary>
/// Shared set-up of the session actor tests: a real SQLite journal in a temp data directory, the
/// engine HTTP client trusting the portal double's certificate, a token protector that also records
/// what it encrypted (so tests know the tokens without the engine ever exposing them), and every log
/// event of the actor system captured.
/// </summary>
public abstract class SessionTestKit : TestKit, IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly List<PortalTestServer> _portals = [];
    private readonly List<IDisposable> _disposables = [];

    protected SessionTestKit(string name) : this(new TempDataDirectory(), name)
    {
    }

    private SessionTestKit(TempDataDirectory dataDir, string name)
        : base(EngineTestConfig.OnSqlite(dataDir.Path, "akka.loglevel = DEBUG"), name)
    {
        DataDir = dataDir;
        Protector = new RecordingProtector(AesGcmTokenProtector.FromKeyFile(Path.Combine(dataDir.Path, "session-tokens.key")));
        Http = new EngineHttpClient(TestCertificate.TrustingPolicy());
        Logs = new ConcurrentQueue<string>();
        var collector = Sys.ActorOf(Props.Create(() => new LogCollector(Logs)), "log-collector");
        Sys.EventStream.Subscribe(collector, typeof(LogEvent));
    }

    private protected TempDataDirectory DataDir { get; }

    protected RecordingProtector Protector { get; }

    protected EngineHttpClient Http { get; }

    protected ConcurrentQueue<string> Logs { get; }

    protected SessionSettings Settings { get; set; } = SessionSettings.Default with { CallbackTimeout = TimeSpan.FromSeconds(60) };

    protected string DatabasePath => Path.Combine(DataDir.Path, "eduvpn-actors.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var portal in _portals)
        {
            await portal.DisposeAsync();
        }
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }
        Http.Dispose();
        Shutdown();
        DataDir.Dispose();
    }

    protected async Task<PortalTestServer> StartPortalAsync(PortalOptions? options = null)
    {
        var portal = await PortalTestServer.StartAsync(options);
        _portals.Add(portal);
        return portal;
    }

    protected TestBrowser NewBrowser()
    {
        var browser = new TestBrowser();
        _disposables.Add(browser);
        return browser;
    }

    protected IActorRef StartSessions(ActorSystem? system = null, TimeProvider? time = null, EngineHttpClient? http = null) =>
        (system ?? Sys).ActorOf(ServerSessionsActor.Props(Settings, http ?? Http, Protector, time));

    protected static ServerId IdOf(PortalTestServer portal) => new(ServerType.Custom, portal.BaseUrl.AbsoluteUri);

    protected static SessionEnvelope Envelope(PortalTestServer portal, ISessionRequest request) =>
        new(IdOf(portal), portal.BaseUrl.AbsoluteUri, null, null, request);

    protected static FetchInfo Info(PortalTestServer portal, bool interactive = true, string id = "info") =>
        new(id, portal.BaseUrl.AbsoluteUri, interactive);

    /// <summary>Waits for the URL, logs in as alice in the browser and returns the callback URL (not yet followed).</summary>
    protected static async Task<Uri> LoginAsync(TestProbe probe, TestBrowser browser, bool approve = true)
    {
        var ready = await probe.ExpectMsgAsync<AuthorizationUrlReady>(Wait);
        return await browser.AuthorizeAsync(ready.Url, "alice", "alice-password", approve);
    }

    /// <summary>Runs a whole interactive authorization of <paramref name="portal"/> through <paramref name="sessions"/>.</summary>
    protected async Task AuthorizeAsync(IActorRef sessions, PortalTestServer portal, TestProbe? probe = null)
    {
        probe ??= CreateTestProbe();
        sessions.Tell(Envelope(portal, new EnsureAuthorized("auth", Interactive: true)), probe);
        var callback = await LoginAsync(probe, NewBrowser());
        using var followed = await NewBrowser().FollowAsync(callback);
        Assert.Equal(200, (int)followed.StatusCode);
        var authorized = await probe.ExpectMsgAsync<SessionAuthorized>(Wait);
        Assert.Equal(IdOf(portal), authorized.Server);
    }

    protected static async Task<SessionFailure> ExpectFailureAsync(TestProbe probe, string requestId)
    {
        var failed = await probe.ExpectMsgAsync<SessionRequestFailed>(Wait);
        Assert.Equal(requestId, failed.RequestId);
        return failed.Failure;
    }

    /// <summary>Wraps the real protector and remembers every plaintext token document it encrypted.</summary>
    protected sealed class RecordingProtector(ITokenProtector inner) : ITokenProtector
    {
        private readonly ConcurrentQueue<OAuthTokens> _seen = new();

        public IReadOnlyList<OAuthTokens> Seen => [.. _seen];

        public IEnumerable<string> Secrets => Seen.SelectMany(t => new[] { t.AccessToken, t.RefreshToken }).Where(s => s.Length > 0);

        public byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose)
        {
            _seen.Enqueue(OAuthTokens.FromBytes(plaintext));
            return inner.Protect(plaintext, purpose);
        }

        public byte[] Unprotect(ReadOnlySpan<byte> protectedData, string purpose) => inner.Unprotect(protectedData, purpose);
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> sink) =>
            Receive<LogEvent>(e => sink.Enqueue($"{e} {e.Message} {e.Cause}"));
    }
}
