using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.TestServer;

/// <summary>
/// A double of the eduVPN portal (vpn-user-portal 3.x) over HTTPS on 127.0.0.1, behaving on the
/// wire like the real one (see shared/reference/server-behaviour.md): well-known document, OAuth 2.1
/// authorize/login/approve pages with PKCE, a token endpoint with single-use refresh tokens, and the
/// API v3 (<c>/info</c>, <c>/connect</c>, <c>/disconnect</c>). Everything is in memory and thread-safe;
/// tests can change options, expire or revoke tokens, inject failures and inspect a request log.
/// </summary>
public sealed partial class PortalTestServer : IAsyncDisposable
{
    /// <summary>The portal's root path: the endpoints (not the well-known document) live below it.</summary>
    public const string Root = "/vpn-user-portal/";

    public const string WellKnownPath = "/.well-known/vpn-user-portal";
    public const string AuthorizePath = Root + "oauth/authorize";
    public const string VerifyPath = Root + "_user_pass_auth/verify";
    public const string TokenPath = Root + "oauth/token";
    public const string ApiPath = Root + "api/v3";
    public const string InfoPath = ApiPath + "/info";
    public const string ConnectPath = ApiPath + "/connect";
    public const string DisconnectPath = ApiPath + "/disconnect";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private readonly object _gate = new();
    private readonly List<PortalRequest> _requests = [];
    private readonly Dictionary<string, Queue<(int Status, string Error)>> _failNext = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private KestrelHost? _host;
    private KestrelHost? _wrongHost;
    private LoopbackRelay? _relay;
    private PortalOptions _options;

    private PortalTestServer(PortalOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        ServerWireGuardPublicKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>The portal base URL as a user would type it: <c>https://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The RFC 9207 issuer sent on the authorize redirect (<c>{origin}/</c>).</summary>
    public string Issuer => BaseUrl.AbsoluteUri;

    public Uri WellKnownUrl => new(BaseUrl, WellKnownPath);
    public Uri AuthorizationEndpoint => new(BaseUrl, AuthorizePath);
    public Uri TokenEndpoint => new(BaseUrl, TokenPath);

    /// <summary>The API base; <c>/info</c> etc. are appended by string concatenation, as clients do.</summary>
    public Uri ApiEndpoint => new(BaseUrl, ApiPath);

    /// <summary>The WireGuard public key of the "server", put in every <c>[Peer]</c>.</summary>
    public string ServerWireGuardPublicKey { get; }

    /// <summary>The current options (replace them with <see cref="UpdateOptions"/>).</summary>
    public PortalOptions Options
    {
        get
        {
            lock (_gate)
            {
                return _options;
            }
        }
    }

    /// <summary>
    /// Runs before the portal's own handling of every request; return true when the request was
    /// fully answered (hostile-server tests). The request is still logged. A form body has already
    /// been read by then: use <c>Request.Form</c>, not <c>Request.Body</c>.
    /// </summary>
    public Func<HttpContext, Task<bool>>? Intercept { get; set; }

    /// <summary>Every request so far, oldest first (a snapshot copy).</summary>
    public IReadOnlyList<PortalRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts a portal on 127.0.0.1 with an ephemeral port.</summary>
    /// <param name="options">Default: <c>new PortalOptions()</c>.</param>
    /// <param name="time">The clock for every expiry (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="switchableTransport">
    /// When true, <see cref="BaseUrl"/> is a TCP relay in front of the portal, so <see cref="SetTransport"/>
    /// can refuse connections or present a wrong certificate at any point of a flow.
    /// </param>
    public static async Task<PortalTestServer> StartAsync(PortalOptions? options = null, TimeProvider? time = null, bool switchableTransport = false)
    {
        var server = new PortalTestServer(options ?? new PortalOptions(), time ?? TimeProvider.System);
        server._host = await KestrelHost.StartAsync(server.HandleAsync, TestCertificate.Certificate).ConfigureAwait(false);
        var port = server._host.Port;
        if (switchableTransport)
        {
            // The same portal behind the wrong certificate, reached only through the relay.
            server._wrongHost = await KestrelHost.StartAsync(server.HandleAsync, TestCertificate.WrongHostCertificate).ConfigureAwait(false);
            server._relay = LoopbackRelay.Start(port);
            port = server._relay.Port;
        }
        server.BaseUrl = new Uri($"https://127.0.0.1:{port}/");
        return server;
    }

    /// <summary>
    /// What a new connection to <see cref="BaseUrl"/> meets from now on (portals started with
    /// <c>switchableTransport</c>). Open connections are dropped, so the client's next request meets it
    /// too; only <paramref name="finishing"/> (a request being answered, e.g. from <see cref="Intercept"/>)
    /// completes its response, after which its connection closes.
    /// </summary>
    public void SetTransport(PortalTransport transport, HttpContext? finishing = null)
    {
        var relay = _relay ?? throw new InvalidOperationException("This portal was started without switchableTransport.");
        int? target = transport switch
        {
            PortalTransport.Normal => _host!.Port,
            PortalTransport.WrongHostCertificate => _wrongHost!.Port,
            _ => null,
        };
        if (finishing is not null)
        {
            finishing.Response.Headers.Connection = "close";
        }
        // Behind the relay, the portal's remote port is the relay's back-end side of that connection.
        relay.Route(target, finishing?.Connection.RemotePort);
    }

    /// <summary>The requests to one path (e.g. <see cref="ConnectPath"/>).</summary>
    public IReadOnlyList<PortalRequest> RequestsTo(string path) => [.. Requests.Where(r => r.Path == path)];

    /// <summary>Replaces the options atomically; takes effect for the next request.</summary>
    public void UpdateOptions(Func<PortalOptions, PortalOptions> change)
    {
        lock (_gate)
        {
            _options = change(_options);
        }
    }

    public void SetProfiles(params PortalProfile[] profiles) => UpdateOptions(o => o with { Profiles = profiles });

    /// <summary>
    /// The next <paramref name="count"/> requests to <paramref name="path"/> get <paramref name="status"/> with a
    /// JSON error body <c>{"error": <paramref name="error"/>}</c>, as the portal answers its API errors.
    /// </summary>
    public void FailNext(string path, int status, int count = 1, string error = "injected failure")
    {
        lock (_gate)
        {
            if (!_failNext.TryGetValue(path, out var queue))
            {
                _failNext[path] = queue = new Queue<(int, string)>();
            }
            for (var i = 0; i < count; i++)
            {
                queue.Enqueue((status, error));
            }
        }
    }

    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_relay is { } relay)
        {
            _relay = null;
            await relay.DisposeAsync().ConfigureAwait(false);
        }
        if (_wrongHost is { } wrongHost)
        {
            _wrongHost = null;
            await wrongHost.DisposeAsync().ConfigureAwait(false);
        }
        if (_host is { } host)
        {
            _host = null;
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        IReadOnlyList<string> formKeys = [];
        try
        {
            if (request.HasFormContentType)
            {
                try
                {
                    formKeys = [.. (await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false)).Keys];
                }
                catch (InvalidDataException)
                {
                    await WriteJsonAsync(context, StatusCodes.Status400BadRequest, new Dictionary<string, object?> { ["error"] = "malformed form body" }).ConfigureAwait(false);
                    return;
                }
            }
            if (Intercept is { } intercept && await intercept(context).ConfigureAwait(false))
            {
                return;
            }
            if (TakeInjectedFailure(path) is { } injected)
            {
                await WriteJsonAsync(context, injected.Status, new Dictionary<string, object?> { ["error"] = injected.Error }).ConfigureAwait(false);
                return;
            }
            await RouteAsync(context, path).ConfigureAwait(false);
        }
        finally
        {
            var authorization = request.Headers.Authorization.ToString();
            var entry = new PortalRequest(
                request.Method,
                path,
                [.. request.Query.Keys],
                formKeys,
                authorization.Length == 0 ? null : authorization.Split(' ', 2)[0],
                request.Headers.Accept.Count == 0 ? null : request.Headers.Accept.ToString(),
                request.Headers.Referer.Count > 0,
                context.Response.StatusCode,
                _time.GetUtcNow(),
                request.Headers.UserAgent.Count == 0 ? null : request.Headers.UserAgent.ToString());
            lock (_gate)
            {
                _requests.Add(entry);
            }
        }
    }

    private Task RouteAsync(HttpContext context, string path) => path switch
    {
        WellKnownPath => OnlyMethod(context, "GET", WellKnownAsync),
        AuthorizePath => AuthorizeAsync(context),
        VerifyPath => OnlyMethod(context, "POST", VerifyAsync),
        TokenPath => OnlyMethod(context, "POST", TokenAsync),
        InfoPath => OnlyMethod(context, "GET", InfoAsync),
        ConnectPath => OnlyMethod(context, "POST", ConnectAsync),
        DisconnectPath => OnlyMethod(context, "POST", DisconnectAsync),
        _ => WriteJsonAsync(context, StatusCodes.Status404NotFound, new Dictionary<string, object?> { ["error"] = "not found" }),
    };

    private static Task OnlyMethod(HttpContext context, string method, Func<HttpContext, Task> handler) =>
        string.Equals(context.Request.Method, method, StringComparison.OrdinalIgnoreCase)
            ? handler(context)
            : WriteJsonAsync(context, StatusCodes.Status405MethodNotAllowed, new Dictionary<string, object?> { ["error"] = "method not allowed" });

    private Task WellKnownAsync(HttpContext context)
    {
        var api3 = new Dictionary<string, object?>
        {
            ["api_endpoint"] = ApiEndpoint.AbsoluteUri,
            ["authorization_endpoint"] = AuthorizationEndpoint.AbsoluteUri,
            ["token_endpoint"] = TokenEndpoint.AbsoluteUri,
        };
        var document = new Dictionary<string, object?>
        {
            ["api"] = new Dictionary<string, object?> { ["http://eduvpn.org/api#3"] = api3 },
            ["v"] = Options.PortalVersion,
        };
        return WriteJsonAsync(context, StatusCodes.Status200OK, document);
    }

    private (int Status, string Error)? TakeInjectedFailure(string path)
    {
        lock (_gate)
        {
            return _failNext.TryGetValue(path, out var queue) && queue.TryDequeue(out var failure) ? failure : null;
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, Json), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteHtmlAsync(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html;charset=UTF-8";
        await context.Response.WriteAsync(html, Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }

    private static string NewSecret(int bytes = 32) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
