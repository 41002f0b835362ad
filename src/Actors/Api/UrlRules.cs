using System.Text;

namespace EduVpnActors.Actors.Api;

/// <summary>eduvpn-common's URL helpers (behaviour reference §5.6, §5.1).</summary>
public static class UrlRules
{
    private const string WellKnownPath = "/.well-known/vpn-user-portal";

    /// <summary>
    /// Normalises a server URL: https scheme (a missing one added, any other replaced), cleaned
    /// path (<c>//</c> collapsed, <c>.</c>/<c>..</c> resolved) ending in <c>/</c>. Unlike
    /// eduvpn-common, <c>host:port</c> without a scheme is a host with a port, not a scheme.
    /// </summary>
    /// <exception cref="ApiException"><see cref="ApiErrorKind.InvalidUrl"/>.</exception>
    public static string EnsureValidUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var s = url.Trim();
        if (s.Length == 0 || HasBadEscape(s) || s.Any(char.IsControl) || s.Contains(' '))
        {
            throw Invalid(url);
        }
        var schemeEnd = s.IndexOf("://", StringComparison.Ordinal);
        var rest = schemeEnd >= 0 && IsScheme(s.AsSpan(0, schemeEnd)) ? s[(schemeEnd + 3)..] : s;
        var authorityEnd = rest.IndexOfAny(['/', '?', '#']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var tail = authorityEnd < 0 ? "" : rest[authorityEnd..];
        var pathEnd = tail.IndexOfAny(['?', '#']);
        var path = pathEnd < 0 ? tail : tail[..pathEnd];
        var suffix = pathEnd < 0 ? "" : tail[pathEnd..];
        if (authority.Length == 0
            || !Uri.TryCreate("https://" + authority + "/", UriKind.Absolute, out var check)
            || check.Host.Length == 0)
        {
            throw Invalid(url);
        }
        var cleaned = CleanPath(path);
        if (!cleaned.EndsWith('/'))
        {
            cleaned += "/";
        }
        return "https://" + authority + cleaned + suffix;
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

    private static ApiException Invalid(string url) =>
        new(ApiErrorKind.InvalidUrl, $"The input: '{url}' is not a valid URL");
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
