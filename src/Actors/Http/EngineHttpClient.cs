using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using EduVpnActors.Messages.Errors;

namespace EduVpnActors.Actors.Http;

/// <summary>A fully read HTTP response (body capped by the policy).</summary>
public sealed record HttpResponse(HttpStatusCode Status, HttpResponseHeaders Headers, HttpContentHeaders? ContentHeaders, byte[] Body, Uri FinalUrl)
{
    /// <summary>The media type of the body, if the server named one.</summary>
    public string? ContentType => ContentHeaders?.ContentType?.MediaType;
}

/// <summary>
/// The engine's only way onto the network. It enforces https for every request and every redirect
/// (an https→http redirect is refused, unlike eduvpn-common), a response size cap, per-request
/// time-outs, a TLS floor and the host's User-Agent. Failures are <see cref="EngineHttpException"/>s.
/// </summary>
public sealed class EngineHttpClient : IDisposable
{
    private readonly HttpClient _client;

    /// <summary>Creates the client for <paramref name="policy"/>.</summary>
    public EngineHttpClient(HttpPolicy policy)
    {
        Policy = policy;
        var handler = new SocketsHttpHandler
        {
            // Redirects are followed by hand so each hop's scheme can be checked.
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = policy.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = policy.EnabledProtocols,
                // Always our check: a refused certificate says why (name, issuer or expiry).
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    TransportFailures.CheckCertificate(certificate, chain, errors, policy.ExtraTrustedCertificate),
            },
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.Clear();
        _client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", policy.UserAgent);
    }

    /// <summary>The rules this client enforces.</summary>
    public HttpPolicy Policy { get; }

    /// <summary>
    /// Sends the request built by <paramref name="build"/> (called again for each redirect hop, with the
    /// hop's URL) and reads the whole body. Non-success statuses are returned, not thrown, when
    /// <paramref name="throwOnError"/> is false.
    /// </summary>
    public async Task<HttpResponse> SendAsync(
        Func<Uri, HttpRequestMessage> build,
        Uri url,
        CancellationToken cancellationToken,
        TimeSpan? timeout = null,
        bool throwOnError = true)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? Policy.Timeout);
        var current = url;
        var visited = new HashSet<string>(StringComparer.Ordinal);
        for (var hop = 0; ; hop++)
        {
            EnsureHttps(current, hop == 0 ? HttpErrorKind.NotHttps : HttpErrorKind.InsecureRedirect);
            if (!visited.Add(current.AbsoluteUri) || hop > Policy.MaxRedirects)
            {
                throw new EngineHttpException(HttpErrorKind.TooManyRedirects, current,
                    $"Too many redirects (or a redirect loop) at '{EngineHttpException.Redact(current)}'.");
            }
            using var request = build(current);
            request.RequestUri = current;
            if (hop > 0 && !SameOrigin(url, current))
            {
                // Credentials are for the origin they were issued for, never for where it redirects to.
                request.Headers.Authorization = null;
            }
            HttpResponseMessage response;
            try
            {
                response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not EngineHttpException)
            {
                throw Translate(e, current, cancellationToken);
            }
            using (response)
            {
                if (IsRedirect(response.StatusCode) && request.Method == HttpMethod.Get)
                {
                    var location = response.Headers.Location
                        ?? throw new EngineHttpException(HttpErrorKind.Status, current, $"Redirect without Location from '{EngineHttpException.Redact(current)}'.")
                        { StatusCode = response.StatusCode };
                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }
                byte[] body;
                try
                {
                    body = await ReadCappedAsync(response, current, timeoutSource.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not EngineHttpException)
                {
                    throw Translate(e, current, cancellationToken);
                }
                var result = new HttpResponse(response.StatusCode, response.Headers, response.Content?.Headers, body, current);
                if (throwOnError && !response.IsSuccessStatusCode)
                {
                    throw StatusError(result);
                }
                return result;
            }
        }
    }

    /// <summary>Sends a GET under the policy; non-success statuses throw unless <paramref name="throwOnError"/> is false.</summary>
    public Task<HttpResponse> GetAsync(Uri url, CancellationToken cancellationToken, Action<HttpRequestHeaders>? headers = null, bool throwOnError = true) =>
        SendAsync(u =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, u);
            headers?.Invoke(request.Headers);
            return request;
        }, url, cancellationToken, throwOnError: throwOnError);

    /// <summary>The typed error for a non-success response (the body is kept, capped, for diagnosis).</summary>
    public static EngineHttpException StatusError(HttpResponse response)
    {
        var text = System.Text.Encoding.UTF8.GetString(response.Body, 0, Math.Min(response.Body.Length, 4096));
        return new EngineHttpException(HttpErrorKind.Status, response.FinalUrl,
            $"'{EngineHttpException.Redact(response.FinalUrl)}' answered with status {(int)response.Status}.")
        {
            StatusCode = response.Status,
            ResponseBody = text,
            ServerMessage = ServerErrorText.From(response.Body, response.ContentType),
        };
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static void EnsureHttps(Uri url, HttpErrorKind kind)
    {
        if (!url.IsAbsoluteUri || !string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            throw new EngineHttpException(kind, url, kind == HttpErrorKind.InsecureRedirect
                ? $"Refused a redirect to the non-https URL '{EngineHttpException.Redact(url)}'."
                : $"Refused the non-https URL '{EngineHttpException.Redact(url)}'.");
        }
    }

    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, Uri url, CancellationToken token)
    {
        var cap = Policy.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is { } declared && declared > cap)
        {
            throw TooLarge(url, cap);
        }
        await using var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, token).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }
            if (buffer.Length + read > cap)
            {
                throw TooLarge(url, cap);
            }
            buffer.Write(chunk, 0, read);
        }
    }

    private static EngineHttpException TooLarge(Uri url, long cap) =>
        new(HttpErrorKind.ResponseTooLarge, url, $"The response of '{EngineHttpException.Redact(url)}' is larger than {cap} bytes.");

    private static Exception Translate(Exception e, Uri url, CancellationToken callerToken)
    {
        if (e is OperationCanceledException && callerToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The request was cancelled.", e, callerToken);
        }
        var where = EngineHttpException.Redact(url);
        if (e is OperationCanceledException or TimeoutException)
        {
            return new EngineHttpException(HttpErrorKind.Timeout, url, $"Timeout reached contacting URL: '{where}'.", e);
        }
        if (e is not (HttpRequestException or IOException or SocketException or AuthenticationException))
        {
            return e;
        }
        // The runtime's own text ("see inner exception") is never used: the message names what failed.
        var transport = TransportFailures.Of(e);
        var tls = transport is TransportFailureKind.CertificateNameMismatch or TransportFailureKind.CertificateUntrusted
            or TransportFailureKind.CertificateExpired or TransportFailureKind.TlsHandshakeFailed;
        var what = transport is { } known ? TransportFailures.Describe(known) : "the connection failed";
        return new EngineHttpException(tls ? HttpErrorKind.Tls : HttpErrorKind.Network, url,
            tls ? $"The TLS connection to '{where}' could not be established securely: {what}." : $"Could not reach '{where}': {what}.", e)
        {
            Transport = transport,
        };
    }
}
