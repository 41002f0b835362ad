using System.Globalization;
using System.Net;
using System.Text;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Fuzzing;

/// <summary>The line and token formats: WireGuard INI rewrite, CIDR gateways, the <c>Expires</c> date and /connect.</summary>
public sealed class TextFormatFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] WireGuardSeeds =
    [
        """
        [Interface]
        Address = 10.10.10.5/24, fd00:4242:4242:4242::5/64
        DNS = 9.9.9.9, 2620:fe::fe
        # a comment
        [Peer]
        PublicKey = O53DTgB956magGaWpVCKtdKIMYqywS3FMAC5fHXdFNg=
        AllowedIPs = 0.0.0.0/0, ::/0
        Endpoint = vpn.example.org:51820
        ProxyEndpoint = https://vpn.example.org/proxyguard
        """,
        "[Interface]\r\nAddress=10.0.0.2/31\r\nPrivateKey = old\r\n[Peer]\r\nEndpoint = [2001:db8::1]:51820\r\n",
        "[Interface]\nAddress = 192.168.1.200/25\n[Interface]\nMTU = 1392\n",
    ];

    private static readonly string[] WireGuardLeaves =
    [
        "[Interface]", "[Peer]", "[]", "[ ]", "[[Interface]]", "=", "==", " = ", "Address", "Address = ", "PrivateKey =", "ProxyEndpoint",
        "ProxyEndpoint = https://x/", "Endpoint", "#", "\n", "\r\n", "\r", "\t", "\u00a0", "\u2028", "10.0.0.1/33", "::/0", "fe80::1%eth0/64",
        "1.2.3.4/0", "255.255.255.255/32", "0.0.0.0/-1", ",", ", ,", "é", "\0",
    ];

    private static readonly string[] CidrHosts =
    [
        "10.10.10.130", "0.0.0.0", "255.255.255.255", "10.0.0.1", "010.0.0.1", "10.0.1", "10.0.0.0.1", "1.2.3.256", "0x0a.0.0.1",
        "::", "::1", "fd00::5", "fe80::1%eth0", "::ffff:10.0.0.1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "2001:db8::/64", "", " 10.0.0.1", "10.0.0.1 ", "[::1]", "1::2::3", "localhost", "10.0.0.1\0", "٣.٣.٣.٣",
    ];

    private static readonly string[] CidrPrefixes = ["0", "1", "8", "24", "25", "30", "31", "32", "33", "64", "127", "128", "129", "", "-1", "+8", "08", "0008", "99999999999", " 24", "2a"];

    private static readonly string[] DateFormats = ["r", "dddd, dd-MMM-yy HH:mm:ss 'GMT'", "ddd MMM d HH:mm:ss yyyy", "yyyy-MM-ddTHH:mm:ssK", "ddd, dd MMM yyyy HH:mm:ss 'UTC'"];

    private readonly WireGuardKeyPair _keys = WireGuardKeys.Generate();

    [Fact]
    public void WireGuardConfig_GeneratedInputs_RewriteOrThrowTypedErrors()
    {
        var seeds = WireGuardSeeds.Select(Encoding.UTF8.GetBytes).ToArray();
        var structured = FuzzGen.Seeded(r =>
        {
            // Lines shuffled from the seeds and hostile fragments: sections, keys and CIDRs in odd orders.
            var lines = WireGuardSeeds.SelectMany(s => s.Split('\n')).Concat(WireGuardLeaves).ToArray();
            var text = string.Join(r.Next(5) == 0 ? "\r\n" : "\n", Enumerable.Range(0, r.Next(16))
                .Select(_ => r.Next(4) == 0 ? lines[r.Next(lines.Length)] + WireGuardLeaves[r.Next(WireGuardLeaves.Length)] : lines[r.Next(lines.Length)]));
            return new FuzzInput(FuzzOrigin.Structured, "lines", Encoding.UTF8.GetBytes(text));
        });
        var inputs = FuzzGen.Mix(FuzzGen.RandomBytes(), FuzzGen.Mutations(seeds), structured);

        var counts = FuzzRunner.Run(output, "WireGuardConfigRewriter.Rewrite + Gateway.FromWireGuardConfig", inputs, input =>
        {
            var text = input.Text;
            var accepted = false;
            foreach (int? port in new int?[] { null, 51820 })
            {
                try
                {
                    var rewrite = WireGuardConfigRewriter.Rewrite(text, _keys.PrivateKey, port);
                    // The key we put in must be the one a WireGuard INI reader finds again.
                    Assert.Equal(_keys.PrivateKey.ToBase64(), WireGuardIni.Parse(rewrite.Config).Section("Interface")?.Get("PrivateKey"));
                    accepted = true;
                }
                catch (WireGuardConfigException)
                {
                }
            }
            try
            {
                _ = Gateway.FromWireGuardConfig(text);
            }
            catch (ApiException e) when (e.Kind == ApiErrorKind.InvalidCidr)
            {
            }
            return accepted;
        }, _ => false);

        Assert.True(counts.Accepted > 0);
    }

    [Fact]
    public void Cidr_GeneratedInputs_GatewayOrTypedError()
    {
        var seeds = new[] { "10.10.10.130/25", "fd00:4242:4242:4242::5/64", "10.0.0.1/32", "192.168.0.1/24, fd00::1/64" }
            .Select(Encoding.UTF8.GetBytes).ToArray();
        var structured = FuzzGen.Seeded(r =>
        {
            var entries = Enumerable.Range(0, 1 + r.Next(r.Next(4) == 0 ? 4 : 1))
                .Select(_ => CidrHosts[r.Next(CidrHosts.Length)] + (r.Next(10) == 0 ? "" : "/") + CidrPrefixes[r.Next(CidrPrefixes.Length)]);
            return new FuzzInput(FuzzOrigin.Structured, "cidr", Encoding.UTF8.GetBytes(string.Join(r.Next(3) == 0 ? ", " : ",", entries)));
        });
        var inputs = FuzzGen.Mix(FuzzGen.RandomBytes(64), FuzzGen.Mutations(seeds), structured);
        var counts = FuzzRunner.Run(output, "Gateway.Calculate / FromAddressLine", inputs, input =>
        {
            var text = input.Text;
            IPAddress? strict = null;
            try
            {
                strict = Gateway.Calculate(text);
            }
            catch (ApiException e) when (e.Kind is ApiErrorKind.InvalidCidr or ApiErrorKind.GatewayOutsideNetwork)
            {
            }
            try
            {
                _ = Gateway.FromAddressLine(text);
            }
            catch (ApiException e) when (e.Kind == ApiErrorKind.InvalidCidr)
            {
            }
            return strict is not null;
        }, _ => false);

        Assert.True(counts.Accepted > 0);
    }

    [Fact]
    public void Expires_GeneratedHeaders_ParseOrThrowApiException()
    {
        var seeds = new[] { "Wed, 21 Oct 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT", "Wed Oct 21 07:28:00 2015", "Sun Nov  6 08:49:37 1994" }
            .Select(Encoding.UTF8.GetBytes).ToArray();
        var structured = FuzzGen.Seeded(r =>
        {
            var ticks = r.Next(3) == 0 ? (r.Next(2) == 0 ? DateTime.MinValue.Ticks : DateTime.MaxValue.Ticks) - r.Next(1000) * TimeSpan.TicksPerDay * (r.Next(2) == 0 ? -1 : 1)
                : r.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
            var date = new DateTime(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            var text = date.ToString(DateFormats[r.Next(DateFormats.Length)], CultureInfo.InvariantCulture);
            return new FuzzInput(FuzzOrigin.Structured, "date", Encoding.UTF8.GetBytes(r.Next(5) == 0 ? $" {text}  " : text));
        });
        var inputs = FuzzGen.Mix(FuzzGen.RandomBytes(64), FuzzGen.Mutations(seeds), structured);

        var counts = FuzzRunner.Run(output, "ConnectResponse.ParseExpires", inputs,
            input => ConnectResponse.ParseExpires(input.Text) is var expires && expires.Offset == TimeSpan.Zero,
            e => e is ApiException { Kind: ApiErrorKind.MissingExpires or ApiErrorKind.InvalidExpires });

        Assert.True(counts.Accepted > 0);
    }

    [Fact]
    public void ConnectResponse_GeneratedResponses_ProcessOrThrowApiException()
    {
        var profile = new Profile("internet", LocalizedText.English("Internet"), true, [VpnProtocol.OpenVpn, VpnProtocol.WireGuard], ["wireguard+tcp"], []);
        var request = ConnectRequest.Build(profile, [VpnProtocol.OpenVpn, VpnProtocol.WireGuard], preferTcp: false, _keys.PublicKey);
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        string[] contentTypes =
        [
            VpnContentTypes.OpenVpn, VpnContentTypes.WireGuard, VpnContentTypes.WireGuardOverTcp, "application/x-wireguard-profile; charset=utf-8",
            "APPLICATION/X-OPENVPN-PROFILE", "text/html", "", ";", "application/x-wireguard-profile;;;", "\0",
        ];
        string[] expires = ["Wed, 21 Oct 2099 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", "", "soon", "Fri, 31 Dec 9999 23:59:59 GMT"];
        var seeds = WireGuardSeeds.Select(Encoding.UTF8.GetBytes).Append("client\ndev tun\nremote vpn.example.org 1194 udp\n"u8.ToArray()).ToArray();
        var bodies = FuzzGen.Mix(FuzzGen.RandomBytes(), FuzzGen.Mutations(seeds), FuzzGen.Mutations(seeds, maxSteps: 1));
        var inputs = FsCheck.Fluent.Gen.SelectMany(bodies,
            body => FuzzGen.Seeded(r => new ConnectCase(body, contentTypes[r.Next(contentTypes.Length)], expires[r.Next(expires.Length)])));

        var counts = FuzzRunner.Run(output, "ConnectResponse.Process", inputs,
            c => ConnectResponse.Process(request, c.ContentType, c.Expires, c.Body.Text, _keys.PrivateKey, new FixedPorts(), now) is not null,
            e => e is ApiException,
            c => c.Body.Origin);

        Assert.True(counts.Accepted > 0);
    }

    private sealed record ConnectCase(FuzzInput Body, string ContentType, string Expires);

    private sealed class FixedPorts : IFreePortAllocator
    {
        public int FreeTcpPort() => 40001;

        public int FreeUdpPort() => 40002;
    }
}
