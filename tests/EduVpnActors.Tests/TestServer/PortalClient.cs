using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.TestServer;

/// <summary>A hand-written OAuth/API client for driving <see cref="PortalTestServer"/> in its own tests.</summary>
internal sealed class PortalClient : IDisposable
{
    public const string ClientId = "org.eduvpn.app.linux";
    public const string RedirectUri = "http://127.0.0.1:43210/callback";

    private readonly PortalTestServer _portal;

    public PortalClient(PortalTestServer portal)
    {
        _portal = portal;
        Http = new HttpClient(TestCertificate.CreateTrustingHandler());
    }

    public HttpClient Http { get; }

    public string Verifier { get; } = Base64Url(RandomNumberGenerator.GetBytes(32));

    public string State { get; } = Base64Url(RandomNumberGenerator.GetBytes(32));

    public string Challenge => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));

    public Uri AuthorizationUrl(IDictionary<string, string?>? overrides = null)
    {
        var parameters = new SortedDictionary<string, string?>(StringComparer.Ordinal)
        {
            ["client_id"] = ClientId,
            ["code_challenge"] = Challenge,
            ["code_challenge_method"] = "S256",
            ["redirect_uri"] = RedirectUri,
            ["response_type"] = "code",
            ["scope"] = "config",
            ["state"] = State,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            parameters[key] = value;
        }
        var query = string.Join('&', parameters.Where(p => p.Value is not null)
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}"));
        return new Uri(_portal.AuthorizationEndpoint + "?" + query);
    }

    /// <summary>Runs the browser part and returns the query of the callback URL.</summary>
    public async Task<Dictionary<string, string>> AuthorizeAsync(string user = "alice", string password = "alice-password", bool approve = true)
    {
        using var browser = new TestBrowser();
        var callback = await browser.AuthorizeAsync(AuthorizationUrl(), user, password, approve);
        Assert.StartsWith(RedirectUri + "?", callback.AbsoluteUri, StringComparison.Ordinal);
        return Query(callback);
    }

    public Task<HttpResponseMessage> ExchangeCodeAsync(string code, string? verifier = null) =>
        PostFormAsync(_portal.TokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = ClientId,
            ["code_verifier"] = verifier ?? Verifier,
        });

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        PostFormAsync(_portal.TokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = ClientId,
        });

    /// <summary>The full flow up to tokens: (access, refresh).</summary>
    public async Task<(string Access, string Refresh)> LoginAsync()
    {
        var callback = await AuthorizeAsync();
        using var response = await ExchangeCodeAsync(callback["code"]);
        Assert.Equal(200, (int)response.StatusCode);
        var json = await JsonAsync(response);
        return (json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!);
    }

    public Task<HttpResponseMessage> InfoAsync(string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _portal.ApiEndpoint + "/info");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> ConnectAsync(string accessToken, IReadOnlyDictionary<string, string> form, params string[] accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _portal.ApiEndpoint + "/connect") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        foreach (var mediaType in accept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> DisconnectAsync(string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _portal.ApiEndpoint + "/disconnect");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return Http.SendAsync(request);
    }

    public static string NewWireGuardPublicKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static Dictionary<string, string> Query(Uri url) =>
        url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""));

    public void Dispose() => Http.Dispose();

    private Task<HttpResponseMessage> PostFormAsync(Uri url, IReadOnlyDictionary<string, string> form) =>
        Http.PostAsync(url, new FormUrlEncodedContent(form));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
