using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.TestServer;

/// <summary>One request seen by <see cref="DiscoveryTestServer"/>.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path, e.g. <c>/v2/server_list.json</c>.</param>
/// <param name="IfModifiedSince">The raw <c>If-Modified-Since</c> header, if any.</param>
/// <param name="Status">The status sent; 0 when the connection was aborted.</param>
public sealed record DiscoveryRequest(string Method, string Path, string? IfModifiedSince, int Status);

/// <summary>How <see cref="DiscoveryTestServer"/> misbehaves for one file.</summary>
/// <param name="Status">Answer with this status (and an empty body) instead of the file.</param>
/// <param name="Abort">Abort the connection without an answer.</param>
/// <param name="Delay">Wait this long before answering (applies before Status/Abort too).</param>
public sealed record DiscoveryFailure(int? Status = null, bool Abort = false, TimeSpan? Delay = null);

/// <summary>
/// A static file server for the discovery files (like disco.eduvpn.org/v2/) over HTTPS on
/// 127.0.0.1. Files live in memory and can be replaced at run time; <c>Last-Modified</c> and
/// <c>If-Modified-Since</c> (→ 304, second precision) behave like a normal static file server.
/// </summary>
public sealed class DiscoveryTestServer : IAsyncDisposable
{
    /// <summary>The four files of a discovery snapshot.</summary>
    public static readonly IReadOnlyList<string> SnapshotFileNames =
        ["server_list.json", "server_list.json.minisig", "organization_list.json", "organization_list.json.minisig"];

    private readonly ConcurrentDictionary<string, (byte[] Body, DateTimeOffset LastModified)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DiscoveryFailure> _failures = new(StringComparer.Ordinal);
    private readonly List<DiscoveryRequest> _requests = [];
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly string _pathPrefix;
    private KestrelHost? _host;

    private DiscoveryTestServer(int port, string pathPrefix)
    {
        Port = port;
        _pathPrefix = pathPrefix;
        BaseUrl = new Uri($"https://127.0.0.1:{port}{pathPrefix}");
    }

    /// <summary>The directory URL, ending in <c>/</c>, e.g. <c>https://127.0.0.1:PORT/v2/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The TCP port, kept while the server is down.</summary>
    public int Port { get; }

    /// <summary>False while <see cref="StopAsync"/> has the server down (connections are refused).</summary>
    public bool IsUp => _host is not null;

    /// <summary>Every request so far, oldest first (a snapshot copy).</summary>
    public IReadOnlyList<DiscoveryRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>
    /// Starts the server. <paramref name="files"/> maps file names (e.g. <c>server_list.json</c>) to
    /// contents; all get <paramref name="lastModified"/> (default: now).
    /// </summary>
    public static async Task<DiscoveryTestServer> StartAsync(
        IReadOnlyDictionary<string, byte[]>? files = null,
        DateTimeOffset? lastModified = null,
        string pathPrefix = "/v2/")
    {
        if (!pathPrefix.StartsWith('/') || !pathPrefix.EndsWith('/'))
        {
            throw new ArgumentException("The path prefix must start and end with '/'.", nameof(pathPrefix));
        }
        // Bind first on an ephemeral port to learn it; the instance is created around that port.
        DiscoveryTestServer? server = null;
        var host = await KestrelHost.StartAsync(ctx => server!.HandleAsync(ctx), TestCertificate.Certificate).ConfigureAwait(false);
        server = new DiscoveryTestServer(host.Port, pathPrefix) { _host = host };
        foreach (var (name, body) in files ?? new Dictionary<string, byte[]>())
        {
            server.SetFile(name, body, lastModified ?? DateTimeOffset.UtcNow);
        }
        return server;
    }

    /// <summary>Starts a server serving the real signed snapshot from <c>../shared/data/discovery</c>.</summary>
    public static Task<DiscoveryTestServer> StartWithSnapshotAsync(DateTimeOffset? lastModified = null) =>
        StartAsync(LoadSnapshot(), lastModified);

    /// <summary>
    /// Reads the real signed snapshot (byte-exact) from <c>../shared/data/discovery</c> next to the
    /// repository root (found by walking up to <c>EduVpnActors.sln</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, byte[]> LoadSnapshot()
    {
        var directory = SnapshotDirectory();
        return SnapshotFileNames.ToDictionary(name => name, name => File.ReadAllBytes(Path.Combine(directory, name)), StringComparer.Ordinal);
    }

    /// <summary>The absolute path of <c>../shared/data/discovery</c>.</summary>
    public static string SnapshotDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EduVpnActors.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "discovery"));
            }
        }
        throw new InvalidOperationException("EduVpnActors.sln not found above the test binaries.");
    }

    /// <summary>The URL of one file, e.g. <c>Url("server_list.json")</c>.</summary>
    public Uri Url(string fileName) => new(BaseUrl, fileName);

    /// <summary>Adds or replaces a file; later requests see the new body and Last-Modified.</summary>
    public void SetFile(string name, byte[] body, DateTimeOffset lastModified) => _files[name] = (body.ToArray(), lastModified);

    /// <summary>Removes a file (requests then get 404).</summary>
    public void RemoveFile(string name) => _files.TryRemove(name, out _);

    /// <summary>The current body and Last-Modified of a file.</summary>
    public (byte[] Body, DateTimeOffset LastModified)? GetFile(string name) => _files.TryGetValue(name, out var f) ? f : null;

    /// <summary>Makes every request for <paramref name="name"/> misbehave until <see cref="ClearFailure"/>.</summary>
    public void SetFailure(string name, DiscoveryFailure failure) => _failures[name] = failure;

    public void ClearFailure(string name) => _failures.TryRemove(name, out _);

    public void ClearFailures() => _failures.Clear();

    public void ClearRequests()
    {
        lock (_requests)
        {
            _requests.Clear();
        }
    }

    /// <summary>Takes the server down: the listener is closed, so connections are refused. The port is kept.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_host is { } host)
            {
                _host = null;
                await host.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Brings a stopped server back on the same port.</summary>
    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            _host ??= await KestrelHost.StartAsync(HandleAsync, TestCertificate.Certificate, Port).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var ims = request.Headers.IfModifiedSince.Count > 0 ? request.Headers.IfModifiedSince.ToString() : null;
        var name = path.StartsWith(_pathPrefix, StringComparison.Ordinal) ? path[_pathPrefix.Length..] : null;
        var status = await AnswerAsync(context, name, ims).ConfigureAwait(false);
        lock (_requests)
        {
            _requests.Add(new DiscoveryRequest(request.Method, path, ims, status));
        }
    }

    private async Task<int> AnswerAsync(HttpContext context, string? name, string? ifModifiedSince)
    {
        if (name is not null && _failures.TryGetValue(name, out var failure))
        {
            if (failure.Delay is { } delay)
            {
                try
                {
                    await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return 0;
                }
            }
            if (failure.Abort)
            {
                context.Abort();
                return 0;
            }
            if (failure.Status is { } failStatus)
            {
                context.Response.StatusCode = failStatus;
                return failStatus;
            }
        }
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return StatusCodes.Status405MethodNotAllowed;
        }
        if (name is null || !_files.TryGetValue(name, out var file))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return StatusCodes.Status404NotFound;
        }
        var lastModified = TruncateToSeconds(file.LastModified);
        context.Response.Headers.LastModified = lastModified.ToString("r", CultureInfo.InvariantCulture);
        if (ifModifiedSince is not null
            && DateTimeOffset.TryParseExact(ifModifiedSince, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
            && lastModified <= since)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return StatusCodes.Status304NotModified;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = name.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream";
        context.Response.ContentLength = file.Body.Length;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(file.Body, context.RequestAborted).ConfigureAwait(false);
        }
        return StatusCodes.Status200OK;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
