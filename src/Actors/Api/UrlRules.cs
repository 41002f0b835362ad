using System.Globalization;
using System.Text;

namespace EduVpnActors.Actors.Api;

/// <summary>eduvpn-common's URL helpers (behaviour reference §5.6, §5.1).</summary>
public static partial class UrlRules
{
    private const string WellKnownPath = "/.well-known/vpn-user-portal";

    // IDNA 2008 with the UTS #46 mapping (the runtime's default); no STD3 rule, so names with '_' stay usable.
    private static readonly IdnMapping Idn = new();

    /// <summary>
    /// Normalises a server URL: https scheme (a missing one added, any other replaced), the host in
    /// lower-case ASCII (an internationalized name as punycode, IDNA through <see cref="IdnMapping"/>, so
    /// <c>https://аррӏе.com/</c> and <c>https://xn--80ak6aa92e.com/</c> are one server), cleaned path
    /// (<c>//</c> collapsed, <c>.</c>/<c>..</c> resolved) ending in <c>/</c>. Unlike eduvpn-common,
    /// <c>host:port</c> without a scheme is a host with a port, not a scheme, and a user name or password
    /// in the URL is refused (it would be stored and shown in plain text).
    /// </summary>
    /// <exception cref="ApiException">
    /// <see cref="ApiErrorKind.UrlWithCredentials"/> (the message does not repeat them), or <see cref="ApiErrorKind.InvalidUrl"/>.
    /// </exception>
    public static string EnsureValidUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var s = url.Trim();
        var parts = Split(s);
        if (parts.Authority.Contains('@', StringComparison.Ordinal))
        {
            throw new ApiException(ApiErrorKind.UrlWithCredentials,
                $"A server URL must not contain a user name or password: '{WithoutUserInfo(s)}'.");
        }
        if (s.Length == 0 || HasBadEscape(s) || s.Any(char.IsControl) || s.Contains(' '))
        {
            throw Invalid(url);
        }
        var authority = parts.Authority;
        if (authority.Length == 0)
        {
            throw Invalid(url);
        }
        authority = AsciiAuthority(authority) ?? throw Invalid(url);
        if (!Uri.TryCreate("https://" + authority + "/", UriKind.Absolute, out var check) || check.Host.Length == 0)
        {
            throw Invalid(url);
        }
        var cleaned = CleanPath(parts.Path);
        if (!cleaned.EndsWith('/'))
        {
            cleaned += "/";
        }
        return "https://" + authority + cleaned + parts.Suffix;
    }

    /// <summary>
    /// <paramref name="text"/> with anything that could be a user name and password hidden, for messages that
    /// echo what the user typed: each <c>@</c> and the characters before it (back to a <c>/</c>, <c>?</c>,
    /// <c>#</c> or white space) become <c>***@</c>. Deliberately blunt, so even a malformed URL (a bad
    /// scheme, a single slash) never carries a password into a message.
    /// </summary>
    public static string WithoutUserInfo(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains('@', StringComparison.Ordinal) ? UserInfoLike().Replace(text, "***@") : text;
    }

    /// <summary>
    /// A server URL as a person should see it. A host with punycode labels is decoded to its Unicode form;
    /// when that form mixes scripts (<see cref="HostScripts"/>: <c>аррӏе.com</c> is Cyrillic letters with a
    /// Latin top-level domain, a look-alike of <c>apple.com</c>), the URL stays in punycode and the Unicode
    /// form follows with the scripts named: <c>https://xn--80ak6aa92e.com/ (аррӏе.com: mixed scripts Cyrillic + Latin)</c>.
    /// Any other text comes back unchanged.
    /// </summary>
    public static string ForDisplay(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var parts = Split(url);
        var authority = parts.Authority;
        var at = authority.LastIndexOf('@');
        var hostStart = at + 1;
        var colon = authority.IndexOf(':', hostStart);
        var host = authority[hostStart..(colon < 0 ? authority.Length : colon)];
        if (!host.Split('.').Any(label => label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase)))
        {
            return url;
        }
        string unicode;
        try
        {
            unicode = Idn.GetUnicode(host);
        }
        catch (ArgumentException)
        {
            return url;
        }
        var scripts = HostScripts.Of(unicode);
        if (HostScripts.AreMixed(scripts))
        {
            return $"{url} ({unicode}: mixed scripts {string.Join(" + ", scripts)})";
        }
        return parts.Scheme + authority[..hostStart] + unicode + authority[(hostStart + host.Length)..] + parts.Path + parts.Suffix;
    }

    /// <summary>
    /// Resolves <paramref name="path"/> against <paramref name="baseUrl"/> (RFC 3986), then cleans
    /// the path; the result has no trailing slash.
    /// </summary>
    public static string JoinUrlPath(string baseUrl, string path)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var b) || !Uri.TryCreate(b, path, out var joined))
        {
            throw new ApiException(ApiErrorKind.InvalidUrl, $"cannot join '{path}' to '{baseUrl}'");
        }
        var cleaned = CleanPath(joined.AbsolutePath);
        if (cleaned.Length > 1 && cleaned.EndsWith('/'))
        {
            cleaned = cleaned.TrimEnd('/');
        }
        if (cleaned == "/")
        {
            cleaned = "";
        }
        return joined.GetLeftPart(UriPartial.Authority) + cleaned + joined.Query + joined.Fragment;
    }

    /// <summary>The well-known document URL: the base URL's path is replaced, not extended.</summary>
    public static Uri WellKnownUrl(string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var b) || b.Host.Length == 0)
        {
            throw new ApiException(ApiErrorKind.InvalidUrl, $"invalid base URL: '{baseUrl}'");
        }
        return new Uri(b.GetLeftPart(UriPartial.Authority) + WellKnownPath);
    }

    /// <summary>
    /// Go's <c>url.QueryEscape</c>: UTF-8 bytes, unreserved <c>A–Z a–z 0–9 - _ . ~</c> kept,
    /// space → <c>+</c>, everything else <c>%XX</c> upper-case (unlike <c>Uri.EscapeDataString</c>).
    /// </summary>
    public static string GoQueryEscape(string value)
    {
        var sb = new StringBuilder(value.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    /// <summary>Go's <c>path.Clean</c> for a URL path: rooted, no <c>//</c>, <c>.</c> or <c>..</c>.</summary>
    internal static string CleanPath(string path)
    {
        var parts = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(segment);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>The pieces of a URL as typed: scheme with <c>://</c> (or ""), authority, path, query and fragment.</summary>
    private static (string Scheme, string Authority, string Path, string Suffix) Split(string s)
    {
        var schemeEnd = s.IndexOf("://", StringComparison.Ordinal);
        var hasScheme = schemeEnd >= 0 && IsScheme(s.AsSpan(0, schemeEnd));
        var scheme = hasScheme ? s[..(schemeEnd + 3)] : "";
        var rest = s[scheme.Length..];
        var authorityEnd = rest.IndexOfAny(['/', '?', '#']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var tail = authorityEnd < 0 ? "" : rest[authorityEnd..];
        var pathEnd = tail.IndexOfAny(['?', '#']);
        return (scheme, authority, pathEnd < 0 ? tail : tail[..pathEnd], pathEnd < 0 ? "" : tail[pathEnd..]);
    }

    /// <summary>The authority with its host in lower-case ASCII (IDNA); null when the host is no valid name.</summary>
    private static string? AsciiAuthority(string authority)
    {
        if (authority.StartsWith('['))
        {
            // An IPv6 literal: no name to map (Uri checks it).
            return authority.ToLowerInvariant();
        }
        var colon = authority.LastIndexOf(':');
        var host = colon < 0 ? authority : authority[..colon];
        var port = colon < 0 ? "" : authority[colon..];
        // A port is 1 to 5 digits up to 65535 ("host:" is no host with an empty port, but a typo).
        if (host.Length == 0 || (colon >= 0 && (port.Length is < 2 or > 6 || !port[1..].All(char.IsAsciiDigit) || int.Parse(port[1..], CultureInfo.InvariantCulture) > 65535)))
        {
            return null;
        }
        try
        {
            return Idn.GetAscii(host.ToLowerInvariant()).ToLowerInvariant() + port;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool IsScheme(ReadOnlySpan<char> s) =>
        s.Length > 0 && char.IsAsciiLetter(s[0])
        && !s.ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

    private static bool HasBadEscape(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '%' && (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2])))
            {
                return true;
            }
        }
        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"[^\s/?#]*@", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex UserInfoLike();

    private static ApiException Invalid(string url) =>
        new(ApiErrorKind.InvalidUrl, $"The input: '{WithoutUserInfo(url)}' is not a valid URL");
}

/// <summary>Skip-WAYF: builds the organization-specific login URL of Secure Internet.</summary>
public static class Wayf
{
    private const string ReturnTo = "@RETURN_TO@";
    private const string OrgId = "@ORG_ID@";

    /// <summary>
    /// eduvpn-common's <c>ReplaceWAYF</c>: returns <paramref name="authUrl"/> unchanged unless the
    /// template has both placeholders; replaces the first <c>@RETURN_TO@</c> with the escaped
    /// authorization URL, then (if still present) the first <c>@ORG_ID@</c> with the escaped org ID.
    /// </summary>
    public static string Replace(string? template, string authUrl, string orgId)
    {
        if (string.IsNullOrEmpty(template) || !template.Contains(ReturnTo, StringComparison.Ordinal)
            || !template.Contains(OrgId, StringComparison.Ordinal))
        {
            return authUrl;
        }
        var withReturn = ReplaceFirst(template, ReturnTo, UrlRules.GoQueryEscape(authUrl));
        // The escaped URL can't contain '@', so this only fails for overlapping placeholders
        // like "@RETURN_TO@ORG_ID@" where the replacement consumed the org placeholder's '@'.
        if (!withReturn.Contains(OrgId, StringComparison.Ordinal))
        {
            return authUrl;
        }
        return ReplaceFirst(withReturn, OrgId, UrlRules.GoQueryEscape(orgId));
    }

    private static string ReplaceFirst(string s, string placeholder, string value)
    {
        var i = s.IndexOf(placeholder, StringComparison.Ordinal);
        return s[..i] + value + s[(i + placeholder.Length)..];
    }
}
