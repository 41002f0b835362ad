using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace EduVpnActors.TestServer;

/// <summary>The API v3: bearer validation, <c>/info</c>, <c>/connect</c>, <c>/disconnect</c>.</summary>
public sealed partial class PortalTestServer
{
    public const string OpenVpnContentType = "application/x-openvpn-profile";
    public const string WireGuardContentType = "application/x-wireguard-profile";
    public const string WireGuardTcpContentType = "application/x-wireguard+tcp-profile";

    private readonly List<PortalConfiguration> _configurations = [];
    private int _bearerRejections;
    private int _configurationsIssued;
    private int _disconnects;
    private int _nextHost = 2;

    /// <summary>The configurations the portal considers active right now.</summary>
    public IReadOnlyList<PortalConfiguration> ActiveConfigurations
    {
        get
        {
            lock (_gate)
            {
                return [.. _configurations];
            }
        }
    }

    /// <summary>A snapshot of the totals.</summary>
    public PortalCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new PortalCounters(_loginsSucceeded, _codesIssued, _codeExchanges, _refreshes, _invalidGrants,
                    _bearerRejections, _configurationsIssued, _disconnects);
            }
        }
    }

    private async Task InfoAsync(HttpContext context)
    {
        if (await AuthenticateAsync(context).ConfigureAwait(false) is null)
        {
            return;
        }
        if (Options.Profiles.Any(p => p.DisplayNameTranslations is not null))
        {
            // The real portal reads its profile configuration per request and fails on a language map.
            await ApiErrorAsync(context, StatusCodes.Status500InternalServerError, "key \"displayName\" not of type string").ConfigureAwait(false);
            return;
        }
        var profiles = Options.Profiles.Select(p =>
        {
            var entry = new Dictionary<string, object?>
            {
                ["profile_id"] = p.ProfileId,
                ["display_name"] = p.DisplayName,
                ["vpn_proto_list"] = p.VpnProtoList,
            };
            if (p.ListTransports)
            {
                entry["vpn_proto_transport_list"] = p.Transports;
            }
            entry["default_gateway"] = p.DefaultGateway;
            entry["dns_search_domain_list"] = p.DnsSearchDomainList;
            return entry;
        }).ToList();
        var body = new Dictionary<string, object?> { ["info"] = new Dictionary<string, object?> { ["profile_list"] = profiles } };
        await WriteJsonAsync(context, StatusCodes.Status200OK, body).ConfigureAwait(false);
    }

    private async Task ConnectAsync(HttpContext context)
    {
        if (await AuthenticateAsync(context).ConfigureAwait(false) is not { } authorization)
        {
            return;
        }
        var options = Options;
        if (options.MaxActiveApiConfigurations == 0)
        {
            await ApiErrorAsync(context, StatusCodes.Status403Forbidden, "no API configuration downloads allowed").ConfigureAwait(false);
            return;
        }
        var form = context.Request.HasFormContentType
            ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false)
            : FormCollection.Empty;
        var profileId = form["profile_id"].ToString();
        if (profileId.Length == 0 || !profileId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            await ApiErrorAsync(context, StatusCodes.Status400BadRequest, "invalid \"profile_id\"").ConfigureAwait(false);
            return;
        }
        var preferTcp = form["prefer_tcp"].ToString();
        if (preferTcp is not ("" or "yes" or "no"))
        {
            await ApiErrorAsync(context, StatusCodes.Status400BadRequest, "invalid \"prefer_tcp\"").ConfigureAwait(false);
            return;
        }
        var publicKey = form["public_key"].ToString();
        if (publicKey.Length > 0 && !IsWireGuardKey(publicKey))
        {
            await ApiErrorAsync(context, StatusCodes.Status400BadRequest, "invalid \"public_key\"").ConfigureAwait(false);
            return;
        }
        var profile = options.Profiles.FirstOrDefault(p => p.ProfileId == profileId);
        if (profile is null)
        {
            await ApiErrorAsync(context, StatusCodes.Status404NotFound, "no such \"profile_id\"").ConfigureAwait(false);
            return;
        }
        var transport = ChooseTransport(profile, context.Request.Headers.Accept, publicKey.Length > 0, preferTcp == "yes");
        if (transport is null)
        {
            await ApiErrorAsync(context, StatusCodes.Status406NotAcceptable, "no common VPN protocol support between client and server profile").ConfigureAwait(false);
            return;
        }
        var configuration = IssueConfiguration(authorization, profile, transport, publicKey.Length > 0 ? publicKey : null);
        var (contentType, body) = RenderConfiguration(profile, configuration);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.Expires = configuration.ExpiresAt.ToString("r", CultureInfo.InvariantCulture);
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task DisconnectAsync(HttpContext context)
    {
        if (await AuthenticateAsync(context).ConfigureAwait(false) is not { } authorization)
        {
            return;
        }
        lock (_gate)
        {
            _configurations.RemoveAll(c => c.AuthorizationId == authorization.Id);
            _disconnects++;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// The real <c>Protocol::determine</c>: the client's set comes from <c>Accept</c> (missing or
    /// unrecognised = OpenVPN UDP/TCP + WireGuard UDP; WireGuard over TCP only when listed
    /// explicitly), WireGuard needs a public key, the profile's preferred protocol goes first and
    /// <c>prefer_tcp</c> moves TCP transports to the front.
    /// </summary>
    private static string? ChooseTransport(PortalProfile profile, StringValues acceptHeader, bool hasPublicKey, bool preferTcp)
    {
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mediaType in acceptHeader.SelectMany(h => (h ?? "").Split(',')).Select(m => m.Split(';')[0].Trim()))
        {
            switch (mediaType.ToLowerInvariant())
            {
                case OpenVpnContentType:
                    accepted.UnionWith(["openvpn+udp", "openvpn+tcp"]);
                    break;
                case WireGuardContentType:
                    accepted.Add("wireguard+udp");
                    break;
                case WireGuardTcpContentType:
                    accepted.Add("wireguard+tcp");
                    break;
            }
        }
        if (accepted.Count == 0)
        {
            accepted.UnionWith(["openvpn+udp", "openvpn+tcp", "wireguard+udp"]);
        }
        if (!hasPublicKey)
        {
            accepted.RemoveWhere(t => t.StartsWith("wireguard", StringComparison.Ordinal));
        }
        var protocols = profile.Preferred == "wireguard" ? new[] { "wireguard", "openvpn" } : ["openvpn", "wireguard"];
        var candidates = protocols
            .Where(profile.VpnProtoList.Contains)
            .SelectMany(p => new[] { p + "+udp", p + "+tcp" })
            .Where(t => profile.Transports.Contains(t) && accepted.Contains(t))
            .ToList();
        if (preferTcp)
        {
            candidates = [.. candidates.OrderBy(t => t.EndsWith("+tcp", StringComparison.Ordinal) ? 0 : 1)];
        }
        return candidates.FirstOrDefault();
    }

    private PortalConfiguration IssueConfiguration(Authorization authorization, PortalProfile profile, string transport, string? publicKey)
    {
        lock (_gate)
        {
            // A /connect replaces every earlier configuration of the same authorization.
            _configurations.RemoveAll(c => c.AuthorizationId == authorization.Id);
            var ofUser = _configurations.Where(c => c.UserName == authorization.UserName).ToList();
            for (var i = 0; i <= ofUser.Count - _options.MaxActiveApiConfigurations; i++)
            {
                _configurations.Remove(ofUser[i]);
            }
            var host = _nextHost++;
            var configuration = new PortalConfiguration(
                authorization.UserName,
                authorization.ClientId,
                authorization.Id,
                profile.ProfileId,
                transport.Split('+')[0],
                transport,
                transport.StartsWith("wireguard", StringComparison.Ordinal) ? publicKey : null,
                $"10.43.{43 + ((host - 2) / 252)}.{2 + ((host - 2) % 252)}",
                _time.GetUtcNow(),
                authorization.ExpiresAt);
            _configurations.Add(configuration);
            _configurationsIssued++;
            return configuration;
        }
    }

    private (string ContentType, string Body) RenderConfiguration(PortalProfile profile, PortalConfiguration configuration)
    {
        var header = new StringBuilder()
            .Append("# Portal: ").Append(BaseUrl.AbsoluteUri).Append('\n')
            .Append("# Profile: ").Append(profile.DisplayName).Append(" (").Append(profile.ProfileId).Append(")\n")
            .Append("# Expires: ").Append(configuration.ExpiresAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)).Append('\n');
        var ipv4 = configuration.IpV4;
        var lastOctet = int.Parse(ipv4.Split('.')[3], CultureInfo.InvariantCulture);
        var ipv6 = $"fd43::{lastOctet:x}";
        var dns = string.Join(",", new[] { "9.9.9.9", "2620:fe::fe" }.Concat(profile.DnsSearchDomainList));
        if (configuration.Protocol == "wireguard")
        {
            var tcp = configuration.Transport == "wireguard+tcp";
            var allowedIps = profile.DefaultGateway ? "0.0.0.0/0,::/0" : "10.43.43.0/24,fd43::/64";
            header.Append("[Interface]\n")
                .Append("Address = ").Append(ipv4).Append("/24,").Append(ipv6).Append("/64\n")
                .Append("DNS = ").Append(dns).Append("\n\n")
                .Append("[Peer]\n")
                .Append("PublicKey = ").Append(ServerWireGuardPublicKey).Append('\n')
                .Append("AllowedIPs = ").Append(allowedIps).Append('\n')
                .Append(tcp
                    ? $"ProxyEndpoint = {profile.ProxyEndpoint ?? $"https://{profile.HostName}/proxyguard"}\n"
                    : $"Endpoint = {profile.HostName}:51820\n");
            return (tcp ? WireGuardTcpContentType : WireGuardContentType, header.ToString());
        }
        var remotes = configuration.Transport == "openvpn+tcp"
            ? new[] { "tcp", "udp" }
            : ["udp", "tcp"];
        header.Append("dev tun\nclient\nnobind\nremote-cert-tls server\nverb 3\nserver-poll-timeout 10\n")
            .Append("tls-version-min 1.3\ndata-ciphers AES-256-GCM:CHACHA20-POLY1305\nreneg-sec 0\n");
        if (!profile.DefaultGateway)
        {
            header.Append("route-nopull\nroute 10.43.43.0 255.255.255.0\n");
        }
        header.Append("<ca>\n").Append(FakePem("CERTIFICATE")).Append("</ca>\n")
            .Append("<cert>\n").Append(FakePem("CERTIFICATE")).Append("</cert>\n")
            .Append("<key>\n").Append(FakePem("PRIVATE KEY")).Append("</key>\n")
            .Append("<tls-crypt-v2>\n").Append(FakePem("OpenVPN tls-crypt-v2 client key")).Append("</tls-crypt-v2>\n");
        foreach (var proto in remotes)
        {
            header.Append("remote ").Append(profile.HostName).Append(proto == "udp" ? " 1194 udp\n" : " 1194 tcp\n");
        }
        return (OpenVpnContentType, header.ToString());
    }

    /// <summary>
    /// Validates the bearer token like php-oauth2-server's BearerValidator; on failure answers 401
    /// <c>invalid_token</c> and returns null.
    /// </summary>
    private async Task<Authorization?> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        string? description;
        Authorization? authorization = null;
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || header.Length <= "Bearer ".Length)
        {
            description = "no token";
        }
        else
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                if (!_accessTokens.TryGetValue(header["Bearer ".Length..], out var token) || !_authorizations.TryGetValue(token.AuthorizationId, out authorization))
                {
                    description = "invalid token";
                }
                else if (token.ExpiresAt <= now)
                {
                    description = "\"access_token\" expired";
                }
                else if (authorization.Revoked || authorization.ExpiresAt <= now)
                {
                    description = $"authorization for client \"{authorization.ClientId}\" with scope \"config\" no longer exists";
                }
                else
                {
                    return authorization;
                }
            }
        }
        lock (_gate)
        {
            _bearerRejections++;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"OAuth\",error=\"invalid_token\"";
        await WriteJsonAsync(context, StatusCodes.Status401Unauthorized,
            new Dictionary<string, object?> { ["error"] = "invalid_token", ["error_description"] = description }).ConfigureAwait(false);
        return null;
    }

    private static Task ApiErrorAsync(HttpContext context, int status, string error) =>
        WriteJsonAsync(context, status, new Dictionary<string, object?> { ["error"] = error });

    private static bool IsWireGuardKey(string value)
    {
        Span<byte> bytes = stackalloc byte[33];
        return value.Length == 44 && Convert.TryFromBase64String(value, bytes, out var written) && written == 32;
    }

    private static string FakePem(string label)
    {
        var base64 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(384));
        var lines = Enumerable.Range(0, (base64.Length + 63) / 64).Select(i => base64.Substring(i * 64, Math.Min(64, base64.Length - (i * 64))));
        return $"-----BEGIN {label}-----\n{string.Join('\n', lines)}\n-----END {label}-----\n";
    }
}
