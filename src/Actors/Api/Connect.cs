using System.Collections.Immutable;
using System.Globalization;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Api;

/// <summary>The content types of <c>/connect</c> (request <c>Accept</c> and response <c>Content-Type</c>).</summary>
public static class VpnContentTypes
{
    /// <summary>An OpenVPN configuration.</summary>
    public const string OpenVpn = "application/x-openvpn-profile";
    /// <summary>A WireGuard configuration (UDP).</summary>
    public const string WireGuard = "application/x-wireguard-profile";
    /// <summary>A WireGuard configuration carried over TCP (through ProxyGuard).</summary>
    public const string WireGuardOverTcp = "application/x-wireguard+tcp-profile";
}

/// <summary>
/// A <c>/connect</c> request: the form fields (<c>application/x-www-form-urlencoded</c>) and the
/// <c>Accept</c> values in order. <see cref="Fields"/> holds only the public key, no secret.
/// </summary>
public sealed record ConnectRequest(
    Profile Profile,
    bool PreferTcp,
    bool OffersOpenVpn,
    bool OffersWireGuard,
    IReadOnlyList<KeyValuePair<string, string>> Fields,
    IReadOnlyList<string> Accept)
{
    /// <summary>
    /// Builds the request for <paramref name="profile"/>. <paramref name="clientProtocols"/> are the
    /// protocols the client can run (eduvpn-common: always OpenVPN and WireGuard). With
    /// <paramref name="preferWireGuard"/> and a profile listing both, only WireGuard is offered
    /// (eduvpn-common's <c>EDUVPN_PREFER_WG=1</c>). Offering WireGuard also offers WireGuard over TCP
    /// and needs <paramref name="wireGuardPublicKey"/>.
    /// </summary>
    /// <exception cref="ApiException"><see cref="ApiErrorKind.NoProtocols"/> or <see cref="ApiErrorKind.UnknownProtocol"/>.</exception>
    public static ConnectRequest Build(
        Profile profile,
        IReadOnlyCollection<VpnProtocol> clientProtocols,
        bool preferTcp,
        string? wireGuardPublicKey,
        bool preferWireGuard = false)
    {
        if (clientProtocols.Count == 0)
        {
            throw new ApiException(ApiErrorKind.NoProtocols, "no protocols supplied");
        }
        if (clientProtocols.Any(p => p is not (VpnProtocol.OpenVpn or VpnProtocol.WireGuard)))
        {
            throw new ApiException(ApiErrorKind.UnknownProtocol, "unknown protocol supplied");
        }
        var openVpn = clientProtocols.Contains(VpnProtocol.OpenVpn);
        var wireGuard = clientProtocols.Contains(VpnProtocol.WireGuard);
        if (preferWireGuard && wireGuard
            && profile.VpnProtocols.Contains(VpnProtocol.WireGuard) && profile.VpnProtocols.Contains(VpnProtocol.OpenVpn))
        {
            openVpn = false;
        }
        var fields = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        fields.Add(new("profile_id", profile.Id));
        var accept = ImmutableArray.CreateBuilder<string>();
        if (openVpn)
        {
            accept.Add(VpnContentTypes.OpenVpn);
        }
        if (wireGuard)
        {
            if (string.IsNullOrEmpty(wireGuardPublicKey))
            {
                throw new ArgumentException("offering WireGuard needs a public key", nameof(wireGuardPublicKey));
            }
            fields.Add(new("public_key", wireGuardPublicKey));
            accept.Add(VpnContentTypes.WireGuard);
            accept.Add(VpnContentTypes.WireGuardOverTcp);
        }
        fields.Add(new("prefer_tcp", preferTcp ? "yes" : "no"));
        return new ConnectRequest(profile, preferTcp, openVpn, wireGuard, fields.ToImmutable(), accept.ToImmutable());
    }

    /// <summary>The <c>Accept</c> header value (comma-separated, in preference order).</summary>
    public string AcceptHeader => string.Join(", ", Accept);
}

/// <summary>Turns a <c>/connect</c> response into a <see cref="VpnConfiguration"/> (behaviour reference §5.4, §7.2).</summary>
public static class ConnectResponse
{
    private static readonly string[] HttpDateFormats =
    [
        "r", // RFC 1123 (IMF-fixdate)
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'", // RFC 850
        "ddd MMM d HH:mm:ss yyyy", // asctime
        "ddd MMM dd HH:mm:ss yyyy",
    ];

    /// <summary>
    /// Processes the response of <paramref name="request"/>. OpenVPN gets <c>\nscript-security 0</c>
    /// appended; WireGuard gets <paramref name="wireGuardPrivateKey"/> inserted; WireGuard over TCP
    /// also gets free local ports from <paramref name="ports"/> and its Endpoint pointed at ProxyGuard.
    /// </summary>
    /// <exception cref="ApiException">
    /// <see cref="ApiErrorKind.MissingExpires"/>, <see cref="ApiErrorKind.InvalidExpires"/>,
    /// <see cref="ApiErrorKind.ConfigExpired"/> (Expires not after <paramref name="now"/>),
    /// <see cref="ApiErrorKind.InvalidContentType"/>, <see cref="ApiErrorKind.WireGuardNotOffered"/>,
    /// <see cref="ApiErrorKind.InvalidWireGuardConfig"/>.
    /// </exception>
    public static VpnConfiguration Process(
        ConnectRequest request,
        string? contentType,
        string? expiresHeader,
        string body,
        WireGuardPrivateKey? wireGuardPrivateKey,
        IFreePortAllocator ports,
        DateTimeOffset now)
    {
        var expires = ParseExpires(expiresHeader);
        if (expires <= now)
        {
            throw new ApiException(ApiErrorKind.ConfigExpired, $"the configuration expired at {expires:R}");
        }
        var protocol = ProtocolOf(contentType);
        if (protocol is VpnProtocol.WireGuard or VpnProtocol.WireGuardProxy && !request.OffersWireGuard)
        {
            throw new ApiException(ApiErrorKind.WireGuardNotOffered, "the server sent us a WireGuard profile but the client does not accept WireGuard");
        }
        if (protocol == VpnProtocol.OpenVpn && !request.OffersOpenVpn)
        {
            throw new ApiException(ApiErrorKind.InvalidContentType, "the server sent us an OpenVPN profile but the client does not accept OpenVPN");
        }
        string config;
        ProxySettings? proxy = null;
        switch (protocol)
        {
            case VpnProtocol.OpenVpn:
                config = body + "\nscript-security 0";
                break;
            default:
                if (wireGuardPrivateKey is null)
                {
                    throw new ArgumentNullException(nameof(wireGuardPrivateKey), "a WireGuard response needs the request's private key");
                }
                int? listenPort = protocol == VpnProtocol.WireGuardProxy ? ports.FreeUdpPort() : null;
                WireGuardRewrite rewrite;
                try
                {
                    rewrite = WireGuardConfigRewriter.Rewrite(body, wireGuardPrivateKey, listenPort);
                }
                catch (WireGuardConfigException e)
                {
                    throw new ApiException(ApiErrorKind.InvalidWireGuardConfig, "the WireGuard configuration is invalid: " + e.Message, e);
                }
                config = rewrite.Config;
                if (listenPort is { } listen)
                {
                    proxy = new ProxySettings(ports.FreeTcpPort(), listen, rewrite.ProxyPeer!);
                }
                break;
        }
        return new VpnConfiguration(
            config,
            protocol,
            request.Profile.DefaultGateway,
            request.Profile.DnsSearchDomains,
            request.Profile.SupportsTcp && !request.PreferTcp,
            proxy,
            expires);
    }

    /// <summary>The protocol named by a response content type (parameters and case ignored).</summary>
    /// <exception cref="ApiException"><see cref="ApiErrorKind.InvalidContentType"/>.</exception>
    public static VpnProtocol ProtocolOf(string? contentType)
    {
        var mediaType = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            VpnContentTypes.OpenVpn => VpnProtocol.OpenVpn,
            VpnContentTypes.WireGuard => VpnProtocol.WireGuard,
            VpnContentTypes.WireGuardOverTcp => VpnProtocol.WireGuardProxy,
            _ => throw new ApiException(ApiErrorKind.InvalidContentType, $"invalid content type: {contentType}"),
        };
    }

    /// <summary>Parses the <c>Expires</c> header as an HTTP date (RFC 1123, RFC 850 or asctime, GMT).</summary>
    /// <exception cref="ApiException"><see cref="ApiErrorKind.MissingExpires"/> or <see cref="ApiErrorKind.InvalidExpires"/>.</exception>
    public static DateTimeOffset ParseExpires(string? expiresHeader)
    {
        if (string.IsNullOrWhiteSpace(expiresHeader))
        {
            throw new ApiException(ApiErrorKind.MissingExpires, "the server did not give an expires header");
        }
        return DateTimeOffset.TryParseExact(
            expiresHeader.Trim(),
            HttpDateFormats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowInnerWhite,
            out var expires)
            ? expires.ToUniversalTime()
            : throw new ApiException(ApiErrorKind.InvalidExpires, $"the expires header is not an HTTP date: '{expiresHeader}'");
    }
}
