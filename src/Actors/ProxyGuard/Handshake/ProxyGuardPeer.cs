using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard.Handshake;

/// <summary>
/// A parsed peer URL: where to dial, what to send in the request line and <c>Host</c>, and the TLS
/// server name. https is the real server (Apache in front of proxyguard-server); http is accepted for a
/// bare proxyguard-server, which has no TLS.
/// </summary>
/// <param name="Url">The URL as given.</param>
/// <param name="UseTls">True for https.</param>
/// <param name="DnsHost">The host to resolve and to name in SNI (IDN as punycode; an IPv6 address without brackets).</param>
/// <param name="Port">The URL's port, or 443/80.</param>
/// <param name="HostHeader">The <c>Host</c> header: host, with <c>:port</c> when it is not the default.</param>
/// <param name="PathAndQuery">The request target; an empty path is <c>/</c>.</param>
public sealed record ProxyGuardPeer(Uri Url, bool UseTls, string DnsHost, int Port, string HostHeader, string PathAndQuery)
{
    /// <summary>The host as an address when the URL names one (then nothing is resolved).</summary>
    public IPAddress? Address => IPAddress.TryParse(DnsHost, out var address) ? address : null;

    /// <summary>Parses <paramref name="url"/>; false with a reason for anything but an absolute http(s) URL with a host.</summary>
    public static bool TryParse(string? url, [NotNullWhen(true)] out ProxyGuardPeer? peer, [NotNullWhen(false)] out ProxyGuardError? error)
    {
        peer = null;
        error = null;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            error = Invalid($"'{url}' is not an absolute URL");
            return false;
        }
        var tls = uri.Scheme == Uri.UriSchemeHttps;
        if (!tls && uri.Scheme != Uri.UriSchemeHttp)
        {
            error = Invalid($"the scheme '{uri.Scheme}' is not https (or http)");
            return false;
        }
        if (string.IsNullOrEmpty(uri.Host))
        {
            error = Invalid("the URL has no host");
            return false;
        }
        if (uri.UserInfo.Length > 0)
        {
            error = Invalid("the URL carries user information; ProxyGuard has no authentication");
            return false;
        }
        var ipv6 = uri.HostNameType == UriHostNameType.IPv6;
        var dnsHost = ipv6 ? uri.DnsSafeHost : uri.IdnHost;
        var hostHeader = (ipv6 ? uri.Host : uri.IdnHost) + (uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(CultureInfo.InvariantCulture));
        var target = string.IsNullOrEmpty(uri.PathAndQuery) ? "/" : uri.PathAndQuery;
        peer = new ProxyGuardPeer(uri, tls, dnsHost, uri.Port, hostHeader, target);
        return true;
    }

    private static ProxyGuardError Invalid(string why) => new(ProxyGuardErrorKind.InvalidPeerUrl, "invalid ProxyGuard peer URL: " + why);
}
