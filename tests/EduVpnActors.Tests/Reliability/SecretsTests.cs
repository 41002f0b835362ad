using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using System.Text.RegularExpressions;
using System.Web;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Client;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;
using static EduVpnActors.Messages.Connection.ConnectionState;

namespace EduVpnActors.Tests.Reliability;

/// <summary>An Akka logger that keeps every log event (from the first one) for the secrets test.</summary>
public sealed class CapturingLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>Every event logged by every system using this logger, formatted with its cause.</summary>
    public static ConcurrentQueue<string> Lines { get; } = new();

    public CapturingLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Lines.Enqueue($"{e} {e.Cause}"));
    }
}

/// <summary>
/// Secrets stay secret through a whole flow (add, two configurations, tunnel states, cleanup, renew,
/// failures): no token or WireGuard private key in the engine's DEBUG log, in exception texts, in the
/// ToString() of the messages that carry them, or in the plain bytes of the SQLite files; the data
/// directory is 0700 and its files 0600; the OAuth callback listens on loopback only.
/// </summary>
public sealed class SecretsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ClientFlowLab _lab = null!;

    public async Task InitializeAsync()
    {
        _lab = await ClientFlowLab.StartAsync(startEngine: false);
        _lab.ExtraHocon = """
            akka.loglevel = DEBUG
            akka.stdout-loglevel = OFF
            akka.loggers = ["EduVpnActors.Tests.Reliability.CapturingLogger, EduVpnActors.Tests"]
            akka.log-dead-letters = on
            akka.log-dead-letters-during-shutdown = on
            akka.actor.debug { receive = on, autoreceive = on, lifecycle = on, unhandled = on, event-stream = on }
            """;
        _lab.UserApproves = false; // the test logs in itself, to look at the listener first
        await _lab.StartEngineAsync();
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task FullFlow_NoTokenOrPrivateKeyInLogsExceptionsToStringOrFiles_PrivateFilesLoopbackListener()
    {
        var texts = new List<(string Where, string Text)>();
        var engine = _lab.Engine;

        // Add: the callback listener is up while the user is in the browser.
        var adding = engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl);
        await LogInCheckingTheListenerAsync(0);
        await adding.WaitAsync(Wait);

        var configs = new List<ConfigObtained>();
        var getting = engine.GetConfigAsync(_lab.Institute);
        var question = Assert.IsType<ProfileQuestion>((await _lab.NextQuestionAsync(Wait)).Data);
        await engine.AnswerAsync(_lab.Institute, question.QuestionId, "wg-only");
        configs.Add(await getting.WaitAsync(Wait));
        foreach (var state in new[] { Connecting, Connected, Disconnecting, Disconnected })
        {
            await engine.SetConnectionStateAsync(_lab.Institute, state).WaitAsync(Wait);
        }
        await engine.CleanupAsync(_lab.Institute).WaitAsync(Wait);

        // A refresh, then failures whose texts must stay clean, even when the server echoes the token back.
        _lab.Portal.ExpireAccessTokens();
        configs.Add(await engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait));
        _lab.Portal.Intercept = EchoTheBearerTokenOnce(PortalTestServer.ConnectPath);
        texts.Add(("echoing /connect error", (await Assert.ThrowsAsync<EduVpnException>(() => engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait))).ToString()));
        _lab.Portal.Intercept = EchoTheBearerTokenOnce(PortalTestServer.InfoPath);
        texts.Add(("echoing /info error", (await Assert.ThrowsAsync<EduVpnException>(() => engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait))).ToString()));
        _lab.Portal.Intercept = null;
        _lab.Portal.FailNext(PortalTestServer.ConnectPath, 500);
        texts.Add(("/connect 500", (await Assert.ThrowsAsync<EduVpnException>(() => engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait))).ToString()));

        // Renew: new tokens, another configuration.
        var seen = Urls().Count;
        var renewing = engine.RenewSessionAsync(_lab.Institute);
        await LogInCheckingTheListenerAsync(seen);
        await renewing.WaitAsync(Wait);
        configs.Add(await engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait));
        await engine.CleanupAsync(_lab.Institute).WaitAsync(Wait);

        var privateKeys = configs.Select(c => Regex.Match(c.Configuration.Config, @"PrivateKey = (\S+)").Groups[1].Value).ToArray();
        Assert.All(privateKeys, k => Assert.Equal(44, k.Length));
        var tokens = _lab.Portal.IssuedTokens;
        Assert.True(tokens.Count >= 4, "expected at least two authorizations' worth of tokens");
        string[] secrets = [.. privateKeys, .. tokens];

        // ToString() of every message that carries a configuration (and so a private key).
        foreach (var config in configs)
        {
            var data = new ConfigurationData(config.Server, config.ProfileId, config.Configuration);
            texts.Add(("ConfigObtained", config.ToString()));
            texts.Add(("VpnConfiguration", config.Configuration.ToString()));
            texts.Add(("ConfigurationData", data.ToString()));
            texts.Add(("ConnectionStateChanged", new ConnectionStateChanged(config.Server.ToString(), GettingConfig, GotConfig, data, 1, DateTimeOffset.UtcNow).ToString()));
        }
        texts.AddRange(_lab.Changes.Select(c => ("state change", c.ToString())));

        // The files, read while the engine runs (the -wal holds the latest writes).
        var files = Directory.GetFiles(_lab.DataDirectory.Path);
        foreach (var file in files)
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new MemoryStream();
            await stream.CopyToAsync(reader);
            texts.Add(($"file {Path.GetFileName(file)}", Encoding.Latin1.GetString(reader.ToArray())));
        }
        Assert.Contains(files, f => f.EndsWith(".db", StringComparison.Ordinal));

        await _lab.Engine.Runtime.System.Terminate().WaitAsync(Wait); // flushes the log, dead letters of the shutdown included
        var log = CapturingLogger.Lines.ToArray();
        Assert.Contains(log, l => l.Contains("[DEBUG]", StringComparison.Ordinal)); // DEBUG really was on
        texts.AddRange(log.Select(l => ("log", l)));

        var leaks = texts.Where(t => secrets.Any(s => t.Text.Contains(s, StringComparison.Ordinal))).Select(t => t.Where).Distinct().ToArray();
        Figures.Report(output, $"secrets: {secrets.Length} ({privateKeys.Length} private keys, {tokens.Count} tokens); texts searched: {texts.Count} ({log.Length} log lines, {files.Length} files); leaks: {leaks.Length}");
        Assert.Empty(leaks);

        // Private files: directory 0700, every file 0600.
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_lab.DataDirectory.Path));
            Assert.Contains(files, f => Path.GetFileName(f) == "session-tokens.key");
            foreach (var file in files)
            {
                Assert.True(File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), $"{Path.GetFileName(file)} is {File.GetUnixFileMode(file)}");
            }
        }
    }

    /// <summary>Waits for the authorization URL, checks that its callback port listens on loopback only, then logs in.</summary>
    private async Task LogInCheckingTheListenerAsync(int seenBefore)
    {
        await Eventually.HoldsAsync(() => Urls().Count > seenBefore, Wait, "no authorization URL");
        var url = Urls()[seenBefore];
        var redirect = new Uri(HttpUtility.ParseQueryString(url.Url.Query)["redirect_uri"]!);
        var listeners = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Where(e => e.Port == redirect.Port).ToArray();
        Assert.NotEmpty(listeners);
        Assert.All(listeners, e => Assert.True(IPAddress.IsLoopback(e.Address), $"the callback listens on {e}"));

        using var browser = new TestBrowser();
        var callback = await browser.AuthorizeAsync(url.Url, "alice", "alice-password");
        using var response = await browser.FollowAsync(callback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private List<AuthorizationUrlData> Urls() => [.. _lab.Changes.Select(c => c.Data).OfType<AuthorizationUrlData>()];

    /// <summary>A hostile portal that puts the caller's bearer token into its error answer (once).</summary>
    private static Func<HttpContext, Task<bool>> EchoTheBearerTokenOnce(string path)
    {
        var done = 0;
        return async context =>
        {
            if (context.Request.Path.Value != path || Interlocked.Exchange(ref done, 1) == 1)
            {
                return false;
            }
            var token = context.Request.Headers.Authorization.ToString();
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"error\": \"bad token {token}\"}}");
            return true;
        };
    }
}
