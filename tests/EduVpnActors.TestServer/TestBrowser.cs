using System.Net;
using System.Text.RegularExpressions;

namespace EduVpnActors.TestServer;

/// <summary>
/// A scripted person with a browser: keeps cookies, trusts only <see cref="TestCertificate"/>,
/// sends a <c>Referer</c> on form posts like a real browser, and stops at the redirect that leaves
/// the portal (the loopback callback) so the test decides whether and when to follow it.
/// </summary>
public sealed class TestBrowser : IDisposable
{
    private readonly HttpClient _client;

    public TestBrowser()
    {
        var handler = TestCertificate.CreateTrustingHandler();
        handler.AllowAutoRedirect = false;
        handler.UseCookies = true;
        handler.CookieContainer = Cookies;
        _client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) EduVpnActorsTestBrowser/1.0");
    }

    /// <summary>The browser's cookie jar.</summary>
    public CookieContainer Cookies { get; } = new();

    /// <summary>The pages this browser fetched, in order (method and URL without query).</summary>
    public List<string> History { get; } = [];

    /// <summary>
    /// Opens the authorization URL, signs in as <paramref name="user"/> when the portal asks,
    /// approves (or rejects) the application and returns the redirect URL to the client's
    /// <c>redirect_uri</c> (with <c>code</c>/<c>error</c>, <c>state</c>, <c>iss</c>) without calling it.
    /// </summary>
    /// <exception cref="TestBrowserException">The portal answered something a person would see as an error page.</exception>
    public async Task<Uri> AuthorizeAsync(Uri authorizationUrl, string user, string password, bool approve = true, CancellationToken cancellationToken = default)
    {
        var page = await GetAsync(authorizationUrl, cancellationToken).ConfigureAwait(false);
        var origin = new Uri(authorizationUrl.GetLeftPart(UriPartial.Authority) + "/");
        if (page.Contains("name=\"userPass\"", StringComparison.Ordinal))
        {
            var action = new Uri(origin, HtmlAttribute(page, "form", "action"));
            var redirectTo = WebUtility.HtmlDecode(HiddenInput(page, "_user_pass_auth_redirect_to"));
            using var login = await PostFormAsync(action, authorizationUrl, new Dictionary<string, string>
            {
                ["userName"] = user,
                ["userPass"] = password,
                ["_user_pass_auth_redirect_to"] = redirectTo,
            }, cancellationToken).ConfigureAwait(false);
            if (login.StatusCode != HttpStatusCode.Found || login.Headers.Location is null)
            {
                throw new TestBrowserException((int)login.StatusCode, await login.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            }
            authorizationUrl = new Uri(action, login.Headers.Location);
            page = await GetAsync(authorizationUrl, cancellationToken).ConfigureAwait(false);
        }
        if (!page.Contains("name=\"approve\"", StringComparison.Ordinal))
        {
            throw new TestBrowserException(200, page);
        }
        var approveAction = new Uri(authorizationUrl, WebUtility.HtmlDecode(HtmlAttribute(page, "form", "action")));
        using var decision = await PostFormAsync(approveAction, authorizationUrl,
            new Dictionary<string, string> { ["approve"] = approve ? "yes" : "no" }, cancellationToken).ConfigureAwait(false);
        if (decision.StatusCode != HttpStatusCode.Found || decision.Headers.Location is null)
        {
            throw new TestBrowserException((int)decision.StatusCode, await decision.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        return new Uri(approveAction, decision.Headers.Location);
    }

    /// <summary>GETs the callback URL (plain http to the loopback listener of the client under test).</summary>
    public async Task<HttpResponseMessage> FollowAsync(Uri callbackUrl, CancellationToken cancellationToken = default)
    {
        History.Add($"GET {callbackUrl.GetLeftPart(UriPartial.Path)}");
        return await _client.GetAsync(callbackUrl, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET a page and return its body, throwing on anything but 200.</summary>
    public async Task<string> GetAsync(Uri url, CancellationToken cancellationToken = default)
    {
        History.Add($"GET {url.GetLeftPart(UriPartial.Path)}");
        using var response = await _client.GetAsync(url, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new TestBrowserException((int)response.StatusCode, body);
        }
        return body;
    }

    /// <summary>POSTs a form like a browser (with <paramref name="referer"/>, which may be null to act like a privacy extension).</summary>
    public async Task<HttpResponseMessage> PostFormAsync(Uri url, Uri? referer, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken = default)
    {
        History.Add($"POST {url.GetLeftPart(UriPartial.Path)}");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        if (referer is not null)
        {
            request.Headers.Referrer = referer;
        }
        return await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _client.Dispose();

    private static string HtmlAttribute(string html, string element, string attribute)
    {
        var match = Regex.Match(html, $"<{element}\\b[^>]*\\b{attribute}=\"([^\"]*)\"", RegexOptions.IgnoreCase);
        return match.Success ? match.Groups[1].Value : throw new TestBrowserException(200, html);
    }

    private static string HiddenInput(string html, string name)
    {
        var match = Regex.Match(html, $"<input\\b[^>]*\\bname=\"{Regex.Escape(name)}\"[^>]*\\bvalue=\"([^\"]*)\"", RegexOptions.IgnoreCase);
        return match.Success ? match.Groups[1].Value : throw new TestBrowserException(200, html);
    }
}

/// <summary>The portal showed the browser something other than the expected page.</summary>
public sealed class TestBrowserException(int status, string body)
    : Exception($"The portal answered {status}: {(body.Length > 500 ? body[..500] : body)}")
{
    public int Status { get; } = status;
    public string Body { get; } = body;
}
