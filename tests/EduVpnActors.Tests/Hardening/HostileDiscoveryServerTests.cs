using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Errors;
using EduVpnActors.Tests.Discovery;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Hardening;

/// <summary>
/// The discovery actor against a loopback server that misbehaves in every way the matrix lists. Each
/// case must end in a typed warning with the held list untouched, and the next good publication must
/// be accepted by the same actor: no case leaves it stuck, crashed or poisoned.
/// </summary>
public sealed class HostileDiscoveryServerTests : TestKit, IAsyncLifetime
{
    private const string ServerList = "server_list.json";
    private const int MaxBody = 16 * 1024 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper _output;
    private readonly TempDataDirectory _dataDir;
    private readonly TestMinisignSigner _signer = new();
    private readonly TestMinisignSigner _stranger = new();
    // A short time-out keeps the slow cases quick; the body cap is the production default.
    private readonly EngineHttpClient _http = new(TestCertificate.TrustingPolicy() with { Timeout = TimeSpan.FromSeconds(2.5) });
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private volatile RequestDelegate? _hostile;
    private ScriptedServer? _server;
    private int _port;
    private long _version = 1000;

    public HostileDiscoveryServerTests(ITestOutputHelper output) : this(output, new TempDataDirectory())
    {
    }

    private HostileDiscoveryServerTests(ITestOutputHelper output, TempDataDirectory dataDir)
        : base(EngineTestConfig.OnSqlite(dataDir.Path, "akka.loglevel = ERROR"), "hostile-discovery")
    {
        _output = output;
        _dataDir = dataDir;
    }

    public async Task InitializeAsync()
    {
        _server = await ScriptedServer.StartAsync(HandleAsync);
        _port = _server.Port;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _http.Dispose();
        _signer.Dispose();
        _stranger.Dispose();
        Shutdown();
        _dataDir.Dispose();
    }

    [Fact]
    public async Task EveryHostileCase_GivesATypedWarning_KeepsTheHeldList_AndTheNextGoodFetchIsAccepted()
    {
        var held = PublishGood();
        var discovery = StartDiscovery();
        var first = await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);
        Assert.Equal(DiscoverySource.Network, first.Status.Source);
        Assert.Equal(held, first.Status.Version);

        var cases = Cases();
        foreach (var hostile in cases)
        {
            await hostile.Arrange();
            var refused = await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);

            var warning = refused.Status.Warning;
            Assert.True(warning is not null, $"{hostile.Name}: no warning");
            Assert.True(warning.Kind == hostile.Warning, $"{hostile.Name}: expected {hostile.Warning}, got {warning.Kind}: {warning.Message}");
            Assert.True(warning.Http == hostile.Http, $"{hostile.Name}: expected HTTP error {hostile.Http}, got {warning.Http}: {warning.Message}");
            Assert.True(warning.Signature == hostile.Signature, $"{hostile.Name}: expected signature error {hostile.Signature}, got {warning.Signature}: {warning.Message}");
            Assert.True(refused.Status.Version == held, $"{hostile.Name}: the held v {held} was replaced by {refused.Status.Version}");
            Assert.Equal(BaseUrlFor(held), Assert.Single(refused.List.Servers).BaseUrl);

            _hostile = null;
            if (hostile.Restore is not null)
            {
                await hostile.Restore();
            }
            held = PublishGood();
            var recovered = await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);
            Assert.True(recovered.Status.Warning is null, $"after {hostile.Name}: {recovered.Status.Warning?.Message}");
            Assert.True(recovered.Status.Version == held, $"after {hostile.Name}: v {recovered.Status.Version}, expected {held}");
            _output.WriteLine($"ok: {hostile.Name} -> {warning.Kind}{(warning.Http is { } h ? "/" + h : "")}{(warning.Signature is { } s ? "/" + s : "")}");
        }

        Figures.Report(_output, $"hostile discovery server matrix: {cases.Count} cases, each followed by an accepted good fetch");
        Assert.True(cases.Count >= 20);
    }

    [Fact]
    public async Task FirstStart_HostileServer_AnswersFromBundled_ThenAcceptsTheGoodList()
    {
        // Newer than the bundled snapshot (v 1671801755), or the good list would be a rollback.
        _version = 1_700_000_000;
        PublishGood();
        _files[ServerList + ".minisig"] = "this is not a signature"u8.ToArray();
        var discovery = StartDiscovery();

        var bundled = await discovery.Ask<ServerListResponse>(new GetServerList(), Wait);
        Assert.Equal(DiscoverySource.Bundled, bundled.Status.Source);
        Assert.Equal(DiscoveryWarningKind.SignatureRejected, bundled.Status.Warning?.Kind);
        Assert.NotEmpty(bundled.List.Servers);

        var good = PublishGood();
        var network = await discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Wait);
        Assert.Equal(DiscoverySource.Network, network.Status.Source);
        Assert.Equal(good, network.Status.Version);
        Assert.Null(network.Status.Warning);
    }

    private List<HostileCase> Cases()
    {
        var wellFormed = ServerListJson(_version + 100);
        return
        [
            new("connection refused (server down)", async () => await StopServerAsync(), DiscoveryWarningKind.FetchFailed, HttpErrorKind.Network,
                Restore: () => RestartServerAsync(null)),
            new("TLS certificate for another host name", () => RestartServerAsync(TestCertificate.WrongHostCertificate),
                DiscoveryWarningKind.FetchFailed, HttpErrorKind.Tls, Restore: () => RestartServerAsync(null)),
            Hostile("connection reset before the status line", context =>
            {
                context.Abort();
                return Task.CompletedTask;
            }, DiscoveryWarningKind.FetchFailed, HttpErrorKind.Network),
            Hostile("connection reset mid-body", async context =>
            {
                context.Response.ContentLength = wellFormed.Length;
                await context.Response.Body.WriteAsync(wellFormed.AsMemory(0, wellFormed.Length / 2), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                context.Abort();
            }, DiscoveryWarningKind.FetchFailed, HttpErrorKind.Network),
            Hostile("slow drip (one byte every 100 ms)", async context =>
            {
                context.Response.ContentLength = wellFormed.Length;
                for (var i = 0; i < wellFormed.Length && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await context.Response.Body.WriteAsync(wellFormed.AsMemory(i, 1), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(100, context.RequestAborted);
                }
            }, DiscoveryWarningKind.FetchFailed, HttpErrorKind.Timeout),
            Hostile("headers never sent", context => Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted),
                DiscoveryWarningKind.FetchFailed, HttpErrorKind.Timeout),
            Hostile("16 MiB + 1 byte body, chunked", context => WriteHugeAsync(context, declareLength: false),
                DiscoveryWarningKind.FetchFailed, HttpErrorKind.ResponseTooLarge),
            Hostile("16 MiB + 1 byte body, declared", context => WriteHugeAsync(context, declareLength: true),
                DiscoveryWarningKind.FetchFailed, HttpErrorKind.ResponseTooLarge),
            Hostile("redirect to http", context =>
            {
                context.Response.Redirect($"http://127.0.0.1:{_port}/{ServerList}");
                return Task.CompletedTask;
            }, DiscoveryWarningKind.FetchFailed, HttpErrorKind.InsecureRedirect),
            Hostile("redirect loop", context =>
            {
                context.Response.Redirect(context.Request.Path.Value!.EndsWith("/loop-a", StringComparison.Ordinal) ? "/loop-b" : "/loop-a");
                return Task.CompletedTask;
            }, DiscoveryWarningKind.FetchFailed, HttpErrorKind.TooManyRedirects, allPaths: true),
            Hostile("endless redirect chain", context =>
            {
                var hop = context.Request.Query["hop"].ToString() is { Length: > 0 } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 0;
                context.Response.Redirect($"/{ServerList}?hop={hop + 1}");
                return Task.CompletedTask;
            }, DiscoveryWarningKind.FetchFailed, HttpErrorKind.TooManyRedirects),
            Hostile("status 500 with an HTML body", context =>
            {
                context.Response.StatusCode = 500;
                return context.Response.WriteAsync("<html>oops</html>");
            }, DiscoveryWarningKind.FetchFailed, HttpErrorKind.Status),
            Files("the .minisig is missing (404)", [(ServerList, wellFormed)], removeSignature: true,
                DiscoveryWarningKind.FetchFailed, HttpErrorKind.Status),
            Files("malformed JSON, correctly signed", Signed("{\"v\": 5000, \"server_list\": ["u8.ToArray()),
                DiscoveryWarningKind.MalformedDocument),
            Files("JSON of the wrong shape, correctly signed", Signed(Encoding.UTF8.GetBytes($"{{\"v\":{_version + 100},\"server_list\":{{}}}}")),
                DiscoveryWarningKind.MalformedDocument),
            Files("JSON with a lone surrogate, correctly signed",
                Signed(Encoding.UTF8.GetBytes($"{{\"v\":{_version + 100},\"server_list\":[{{\"base_url\":\"\\uD800\",\"server_type\":\"institute_access\"}}]}}")),
                DiscoveryWarningKind.MalformedDocument),
            Files("truncated JSON, re-signed", Signed(wellFormed[..(wellFormed.Length / 2)]), DiscoveryWarningKind.MalformedDocument),
            Files("truncated JSON under the full document's signature",
                [(ServerList, wellFormed[..(wellFormed.Length / 2)]), (ServerList + ".minisig", SignatureFor(wellFormed))],
                DiscoveryWarningKind.SignatureRejected, signature: SignatureErrorKind.InvalidSignature),
            Files("HTML page served as the document", [(ServerList, "<html>captive portal</html>"u8.ToArray())],
                DiscoveryWarningKind.SignatureRejected, signature: SignatureErrorKind.InvalidSignature),
            Files(".minisig with garbage bytes", [(ServerList, wellFormed), (ServerList + ".minisig", Garbage(300))],
                DiscoveryWarningKind.SignatureRejected, signature: SignatureErrorKind.InvalidSignatureFormat),
            Files(".minisig empty", [(ServerList, wellFormed), (ServerList + ".minisig", [])],
                DiscoveryWarningKind.SignatureRejected, signature: SignatureErrorKind.InvalidSignatureFormat),
            Files(".minisig signed by an unknown key",
                [(ServerList, wellFormed), (ServerList + ".minisig", Encoding.UTF8.GetBytes(_stranger.Sign(wellFormed, (ulong)_version + 100, ServerList)))],
                DiscoveryWarningKind.SignatureRejected, signature: SignatureErrorKind.UnknownKey),
            Hostile(".minisig of 16 MiB + 1 byte", context => WriteHugeAsync(context, declareLength: false),
                DiscoveryWarningKind.FetchFailed, HttpErrorKind.ResponseTooLarge, path: ServerList + ".minisig"),
            Hostile(".minisig that never finishes", context => Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted),
                DiscoveryWarningKind.FetchFailed, HttpErrorKind.Timeout, path: ServerList + ".minisig"),
        ];
    }

    private HostileCase Hostile(string name, RequestDelegate handler, DiscoveryWarningKind warning, HttpErrorKind? http,
        string path = ServerList, bool allPaths = false) =>
        new(name, () =>
        {
            _hostile = context => allPaths || context.Request.Path.Value == "/" + path ? handler(context) : ServeFileAsync(context);
            return Task.CompletedTask;
        }, warning, http);

    private HostileCase Files(string name, (string Name, byte[] Body)[] files, DiscoveryWarningKind warning,
        HttpErrorKind? http = null, SignatureErrorKind? signature = null) =>
        Files(name, files, removeSignature: false, warning, http, signature);

    private HostileCase Files(string name, (string Name, byte[] Body)[] files, bool removeSignature, DiscoveryWarningKind warning,
        HttpErrorKind? http = null, SignatureErrorKind? signature = null) =>
        new(name, () =>
        {
            if (removeSignature)
            {
                _files.TryRemove(ServerList + ".minisig", out _);
            }
            foreach (var (file, body) in files)
            {
                _files[file] = body;
            }
            return Task.CompletedTask;
        }, warning, http, signature);

    private (string, byte[])[] Signed(byte[] document) => [(ServerList, document), (ServerList + ".minisig", SignatureFor(document))];

    private byte[] SignatureFor(byte[] document) => Encoding.UTF8.GetBytes(_signer.Sign(document, (ulong)_version + 100, ServerList));

    private static byte[] Garbage(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private Task HandleAsync(HttpContext context) => (_hostile ?? ServeFileAsync)(context);

    private Task ServeFileAsync(HttpContext context)
    {
        if (!_files.TryGetValue(context.Request.Path.Value!.TrimStart('/'), out var body))
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        }
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    private static async Task WriteHugeAsync(HttpContext context, bool declareLength)
    {
        if (declareLength)
        {
            context.Response.ContentLength = MaxBody + 1L;
        }
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        try
        {
            for (long written = 0; written <= MaxBody; written += chunk.Length)
            {
                var size = (int)Math.Min(chunk.Length, MaxBody + 1L - written);
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, size), context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client gave up at the cap, as it should.
        }
    }

    private async Task StopServerAsync()
    {
        await _server!.DisposeAsync();
        _server = null;
    }

    private async Task RestartServerAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _server = await ScriptedServer.StartOnPortAsync(_port, HandleAsync, certificate: certificate);
    }

    /// <summary>Publishes a newer signed list with one server whose URL names the version.</summary>
    private long PublishGood()
    {
        var version = ++_version;
        var document = ServerListJson(version);
        _files[ServerList] = document;
        _files[ServerList + ".minisig"] = Encoding.UTF8.GetBytes(_signer.Sign(document, (ulong)version, ServerList));
        return version;
    }

    private static string BaseUrlFor(long version) => $"https://v{version}.example.org/";

    private static byte[] ServerListJson(long version) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        v = version,
        server_list = new[]
        {
            new { base_url = BaseUrlFor(version), server_type = "institute_access", display_name = $"Institute {version}" },
        },
    });

    private IActorRef StartDiscovery()
    {
        var settings = new DiscoverySettings(new Uri($"https://127.0.0.1:{_port}/"), [_signer.PublicKey], false, TimeSpan.FromHours(1), 20);
        return Sys.ActorOf(DiscoveryActor.Props(settings, _http));
    }

    private sealed record HostileCase(
        string Name, Func<Task> Arrange, DiscoveryWarningKind Warning, HttpErrorKind? Http = null,
        SignatureErrorKind? Signature = null, Func<Task>? Restore = null);
}
