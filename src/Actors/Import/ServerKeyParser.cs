using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Import;

/// <summary>
/// Parses eduvpn-common's v2 server key <c>&lt;type&gt;,&lt;id&gt;</c>, which Go reads with
/// <c>fmt.Sscanf(key, "%d,%s")</c>: optional leading spaces, a signed decimal integer, a literal
/// comma, optional spaces, then the id up to the first space; anything after that is ignored.
/// </summary>
internal static class ServerKeyParser
{
    /// <summary>The legacy type names eduvpn-common accepts when decoding a server type (§0).</summary>
    private static readonly (string Name, ServerType Type)[] LegacyNames =
    [
        ("institute_access", ServerType.InstituteAccess),
        ("secure_internet", ServerType.SecureInternet),
        ("custom_server", ServerType.Custom),
    ];

    /// <summary>Parses <paramref name="key"/>; <paramref name="field"/> names it in errors.</summary>
    public static ImportedServerKey Parse(string key, string field)
    {
        var s = key.AsSpan();
        var pos = SkipSpaces(s, 0, field);

        ServerType type;
        var legacy = MatchLegacyName(s[pos..]);
        if (legacy is { } named)
        {
            // Not something Go writes, but the type names are what eduvpn-common accepts for a type on input.
            type = named.Type;
            pos += named.Name.Length;
        }
        else
        {
            var negative = false;
            if (pos < s.Length && (s[pos] == '+' || s[pos] == '-'))
            {
                negative = s[pos] == '-';
                pos++;
            }
            var digitsStart = pos;
            long number = 0;
            while (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                number = Math.Min((number * 10) + (s[pos] - '0'), int.MaxValue);
                pos++;
            }
            if (pos == digitsStart)
            {
                throw KeyError(field, "expected integer");
            }
            if (negative)
            {
                number = -number;
            }
            if (number is < 0 or > 3)
            {
                throw new StateImportException(StateImportErrorKind.InvalidServerType, field, $"invalid server type: {number}");
            }
            type = (ServerType)(int)number;
        }

        if (pos >= s.Length || s[pos] != ',')
        {
            throw KeyError(field, "input does not match format");
        }
        pos = SkipSpaces(s, pos + 1, field);

        var idStart = pos;
        while (pos < s.Length && !IsGoSpace(s[pos]))
        {
            pos++;
        }
        if (pos == idStart)
        {
            throw KeyError(field, "unexpected EOF");
        }
        return new ImportedServerKey(type, s[idStart..pos].ToString());
    }

    private static (string Name, ServerType Type)? MatchLegacyName(ReadOnlySpan<char> rest)
    {
        foreach (var entry in LegacyNames)
        {
            if (rest.StartsWith(entry.Name, StringComparison.Ordinal)
                && rest.Length > entry.Name.Length && rest[entry.Name.Length] == ',')
            {
                return entry;
            }
        }
        return null;
    }

    private static int SkipSpaces(ReadOnlySpan<char> s, int pos, string field)
    {
        while (pos < s.Length && IsGoSpace(s[pos]))
        {
            // Sscanf does not let spaces skip over a newline unless the format has one.
            if (s[pos] == '\n')
            {
                throw KeyError(field, "unexpected newline");
            }
            pos++;
        }
        return pos;
    }

    /// <summary>The white space set of Go's fmt scanning.</summary>
    private static bool IsGoSpace(char c) => c switch
    {
        >= '\u0009' and <= '\u000d' => true,
        ' ' or '\u0085' or '\u00a0' or '\u1680' => true,
        >= '\u2000' and <= '\u200a' => true,
        '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' => true,
        _ => false,
    };

    private static StateImportException KeyError(string field, string reason) =>
        new(StateImportErrorKind.InvalidServerKey, field, $"server key is not '<type>,<id>': {reason}");
}
