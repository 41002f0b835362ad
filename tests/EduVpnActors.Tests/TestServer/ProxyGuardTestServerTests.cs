using System.Net;
using System.Net.Sockets;
using System.Text;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.TestServer;

/// <summary>The ProxyGuard double answers like proxyguard-server 2.0.0 (proxyguard.md §5), seen with a raw socket.</summary>
public sealed class ProxyGuardTestServerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Refusals_501And426WithTheUpgradeHeaders_ConnectionStaysOpenForAnUpgrade()
    {
        await using var server = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Tls = false });
        using var client = await ConnectAsync(server);

        var post = await ExchangeAsync(client, "POST /proxyguard HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        var websocket = await ExchangeAsync(client, "GET /proxyguard HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        var keepAlive = await ExchangeAsync(client, "GET /proxyguard HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n");
        var upgraded = await ExchangeAsync(client, "GET /anything HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: uotlv/1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 501 Not Implemented\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n", post, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nMethod Not Allowed\n", post, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 426 Upgrade Required\r\n", websocket, StringComparison.Ordinal);
        Assert.EndsWith("the 'Upgrade' header is not 'UoTLV/1', got: 'websocket'\n", websocket, StringComparison.Ordinal);
        Assert.EndsWith("the 'Connection' header is not 'Upgrade', got: 'keep-alive, Upgrade'\n", keepAlive, StringComparison.Ordinal);
        Assert.Equal("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n", upgraded);
        Assert.Equal(1, server.Upgrades);
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task Upgraded_FramesInTheRequestsSegmentAndSplitOnes_EchoedAsFrames_EmptyFramesSkipped()
    {
        await using var server = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Tls = false });
        using var client = await ConnectAsync(server);

        // The first frame rides in the request's segment; the second comes split between its two length bytes.
        byte[] first = [.. "GET /proxyguard HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n"u8, 0x00, 0x05, .. "hello"u8, 0x00, 0x00, 0x00];
        await client.SendAsync(first);
        await Task.Delay(100);
        await client.SendAsync(new byte[] { 0x02, 0x41, 0x42 });
        var received = await ReadAtLeastAsync(client, 75 + 7 + 4);

        Assert.Equal("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n", Encoding.ASCII.GetString(received, 0, 75));
        byte[] echoed = [0x00, 0x05, .. "hello"u8, 0x00, 0x02, 0x41, 0x42];
        Assert.Equal(echoed, received[75..]);
        Assert.Equal(2, server.FramesToUdp);
    }

    [Fact]
    public async Task Killed_ConnectionsResetNothingListens_RestartedOnTheSamePort()
    {
        await using var server = await ProxyGuardTestServer.StartAsync(new ProxyGuardServerOptions { Tls = false });
        var port = server.Port;
        using var client = await ConnectAsync(server);
        await ExchangeAsync(client, "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n");

        await server.KillAsync();

        var reset = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            await client.SendAsync(new byte[] { 0, 1, 1 });
            await client.ReceiveAsync(new byte[16]);
        });
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
        await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(server));
        await server.RestartAsync();
        Assert.Equal(port, server.Port);
        using var again = await ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101", await ExchangeAsync(again, "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n"), StringComparison.Ordinal);
    }

    private static async Task<Socket> ConnectAsync(ProxyGuardTestServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request, returns the whole answer (head and a Content-Length body).</summary>
    private static async Task<string> ExchangeAsync(Socket client, string request)
    {
        await client.SendAsync(Encoding.ASCII.GetBytes(request));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(Wait);
        while (true)
        {
            var text = answer.ToString();
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var length = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.Ordinal)) is { } header
                    ? int.Parse(header["Content-Length:".Length..].Trim()) : 0;
                if (text.Length >= end + 4 + length)
                {
                    return text;
                }
            }
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            Assert.True(read > 0, "the double closed the connection");
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    private static async Task<byte[]> ReadAtLeastAsync(Socket client, int count)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(Wait);
        while (received.Count < count)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            Assert.True(read > 0, "the double closed the connection");
            received.AddRange(buffer.AsSpan(0, read));
        }
        return [.. received];
    }
}
