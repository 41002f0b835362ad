using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EduVpnActors.Messages.Servers;

/// <summary>
/// Identifies a stored server: its type plus its identifier (normalised base URL, or the
/// organization ID for Secure Internet). <see cref="ToString"/> is eduvpn-common's state key
/// <c>"&lt;int type&gt;,&lt;id&gt;"</c>.
/// </summary>
public readonly record struct ServerId(ServerType Type, string Identifier)
{
    /// <summary>The key format <c>"&lt;int type&gt;,&lt;id&gt;"</c>, e.g. <c>3,https://example.com/</c>.</summary>
    public override string ToString() => $"{((int)Type).ToString(CultureInfo.InvariantCulture)},{Identifier}";

    /// <summary>Parses a state key; throws <see cref="FormatException"/> when it is not one.</summary>
    public static ServerId Parse(string key) =>
        TryParse(key, out var id, out var error) ? id : throw new FormatException($"invalid server key: {error}");

    /// <summary>
    /// Parses a state key as eduvpn-common's <c>Sscanf("%d,%s")</c>: optional leading spaces, an
    /// integer (a defined <see cref="ServerType"/>), a comma, then the identifier up to the first
    /// whitespace (leading spaces skipped). <c>a,1</c> fails with "expected integer".
    /// </summary>
    public static bool TryParse(string? key, out ServerId id) => TryParse(key, out id, out _);

    private static bool TryParse(string? key, out ServerId id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        if (key is null)
        {
            error = "key is null";
            return false;
        }
        var i = SkipSpaces(key, 0);
        var numberStart = i;
        if (i < key.Length && (key[i] == '+' || key[i] == '-'))
        {
            i++;
        }
        var digitsStart = i;
        while (i < key.Length && char.IsAsciiDigit(key[i]))
        {
            i++;
        }
        if (i == digitsStart)
        {
            error = "expected integer";
            return false;
        }
        if (!int.TryParse(key.AsSpan(numberStart, i - numberStart), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var type)
            || !Enum.IsDefined((ServerType)type))
        {
            error = "invalid server type";
            return false;
        }
        if (i >= key.Length || key[i] != ',')
        {
            error = "expected comma";
            return false;
        }
        i = SkipSpaces(key, i + 1);
        var idStart = i;
        while (i < key.Length && !char.IsWhiteSpace(key[i]))
        {
            i++;
        }
        if (i == idStart)
        {
            error = "unexpected EOF";
            return false;
        }
        id = new ServerId((ServerType)type, key[idStart..i]);
        error = null;
        return true;
    }

    private static int SkipSpaces(string s, int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
        return i;
    }
}
