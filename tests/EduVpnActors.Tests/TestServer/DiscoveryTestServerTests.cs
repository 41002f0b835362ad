using System.Net;
using System.Text;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.TestServer;

/// <summary>The discovery file server: conditional requests, run-time changes, failure injection, down mode.</summary>
public sealed class DiscoveryTestServerTests
{
    private static readonly DateTimeOffset Modified = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public async Task Snapshot_Served_ByteExactWithLastModified()
    {
        var snapshot = DiscoveryTestServer.LoadSnapshot();
        await using var server = await DiscoveryTestServer.StartAsync(snapshot, Modified);
        using var http = NewClient();

        using var response = await http.GetAsync(server.Url("server_list.json"));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.EndsWith("/v2/", server.BaseUrl.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(snapshot["server_list.json"], body);
        Assert.Equal(File.ReadAllBytes(TestPaths.Shared("data", "discovery", "server_list.json")), body);
        Assert.Equal(Modified, response.Content.Headers.LastModified);
        Assert.Equal(4, snapshot.Count);
    }

    [Fact]
    public async Task IfModifiedSince_NotNewer_Returns304()
    {
        await using var server = await StartSmallAsync();
        using var http = NewClient();

        using var same = await GetAsync(http, server.Url("server_list.json"), "Fri, 02 Jan 2026 03:04:05 GMT");
        using var later = await GetAsync(http, server.Url("server_list.json"), "Fri, 02 Jan 2026 05:00:00 GMT");
        using var earlier = await GetAsync(http, server.Url("server_list.json"), "Fri, 02 Jan 2026 03:04:04 GMT");

        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        Assert.Empty(await same.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, later.StatusCode);
        Assert.Equal(HttpStatusCode.OK, earlier.StatusCode);
        Assert.Equal(
            ["Fri, 02 Jan 2026 03:04:05 GMT", "Fri, 02 Jan 2026 05:00:00 GMT", "Fri, 02 Jan 2026 03:04:04 GMT"],
            server.Requests.Select(r => r.IfModifiedSince));
        Assert.Equal([304, 304, 200], server.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task IfModifiedSince_SubSecondLastModified_ComparedAtSecondPrecision()
    {
        await using var server = await StartSmallAsync();
        server.SetFile("server_list.json", "{}"u8.ToArray(), Modified.AddMilliseconds(750));
        using var http = NewClient();

        using var response = await GetAsync(http, server.Url("server_list.json"), "Fri, 02 Jan 2026 03:04:05 GMT");

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task SetFile_AtRunTime_NewBodyAndLastModifiedServed()
    {
        await using var server = await StartSmallAsync();
        using var http = NewClient();

        server.SetFile("server_list.json", "{\"v\":2}"u8.ToArray(), Modified.AddHours(1));
        using var response = await GetAsync(http, server.Url("server_list.json"), "Fri, 02 Jan 2026 03:04:05 GMT");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"v\":2}", await response.Content.ReadAsStringAsync());
        Assert.Equal(Modified.AddHours(1), response.Content.Headers.LastModified);
    }

    [Fact]
    public async Task UnknownFile_Returns404()
    {
        await using var server = await StartSmallAsync();
        using var http = NewClient();

        using var response = await http.GetAsync(server.Url("nothing.json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Failure_Status_AnsweredUntilCleared()
    {
        await using var server = await StartSmallAsync();
        using var http = NewClient();

        server.SetFailure("server_list.json", new DiscoveryFailure(Status: 503));
        using var failed = await http.GetAsync(server.Url("server_list.json"));
        using var other = await http.GetAsync(server.Url("server_list.json.minisig"));
        server.ClearFailure("server_list.json");
        using var recovered = await http.GetAsync(server.Url("server_list.json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task Failure_Abort_ClientSeesBrokenConnection()
    {
        await using var server = await StartSmallAsync();
        using var http = NewClient();

        server.SetFailure("server_list.json", new DiscoveryFailure(Abort: true));

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(server.Url("server_list.json")));
        Assert.Equal(0, Assert.Single(server.Requests).Status);
    }

    [Fact]
    public async Task Failure_Delay_OutlastsClientTimeout()
    {
        await using var server = await StartSmallAsync();
        using var http = NewClient();
        http.Timeout = TimeSpan.FromMilliseconds(300);

        server.SetFailure("server_list.json", new DiscoveryFailure(Delay: TimeSpan.FromSeconds(10)));

        await Assert.ThrowsAsync<TaskCanceledException>(() => http.GetAsync(server.Url("server_list.json")));
    }

    [Fact]
    public async Task Stop_ConnectionRefusedThenStartServesOnSamePort()
    {
        await using var server = await StartSmallAsync();
        using var http = NewClient();
        var url = server.Url("server_list.json");

        await server.StopAsync();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(url));
        await server.StartAsync();
        using var back = await http.GetAsync(url);

        Assert.False(refused.InnerException is null);
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, (refused.InnerException as System.Net.Sockets.SocketException)?.SocketErrorCode);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.True(server.IsUp);
    }

    private static async Task<DiscoveryTestServer> StartSmallAsync() =>
        await DiscoveryTestServer.StartAsync(new Dictionary<string, byte[]>
        {
            ["server_list.json"] = Encoding.UTF8.GetBytes("{\"v\":1,\"server_list\":[]}"),
            ["server_list.json.minisig"] = Encoding.UTF8.GetBytes("untrusted comment: test\n"),
        }, Modified);

    private static HttpClient NewClient() => new(TestCertificate.CreateTrustingHandler());

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, Uri url, string ifModifiedSince)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("If-Modified-Since", ifModifiedSince);
        return http.SendAsync(request);
    }
}
