using System.Text;

namespace EduVpnActors.Actors.Api;

/// <summary>
/// The writing systems (scripts) of the letters in a host name, to tell a look-alike name such as
/// <c>аррӏе.com</c> (Cyrillic letters, a Latin top-level domain) from an honest internationalized one.
/// A name mixes scripts when its letters come from more than one of them, except for the combinations
/// that belong together (Latin with Chinese, Japanese or Korean writing), as in the browsers' "highly
/// restrictive" rule (Unicode TS #39). Digits, hyphens, dots and combining marks belong to no script.
/// </summary>
public static class HostScripts
{
    private static readonly (int First, int Last, string Script)[] Ranges =
    [
        (0x0041, 0x005A, "Latin"), (0x0061, 0x007A, "Latin"), (0x00C0, 0x024F, "Latin"), (0x1E00, 0x1EFF, "Latin"),
        (0x2C60, 0x2C7F, "Latin"), (0xA720, 0xA7FF, "Latin"), (0xAB30, 0xAB6F, "Latin"), (0xFF21, 0xFF3A, "Latin"), (0xFF41, 0xFF5A, "Latin"),
        (0x0250, 0x02AF, "Latin"),
        (0x0370, 0x03FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
        (0x0400, 0x052F, "Cyrillic"), (0x1C80, 0x1C8F, "Cyrillic"), (0x2DE0, 0x2DFF, "Cyrillic"), (0xA640, 0xA69F, "Cyrillic"),
        (0x0530, 0x058F, "Armenian"), (0x0590, 0x05FF, "Hebrew"),
        (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0x08A0, 0x08FF, "Arabic"), (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
        (0x0900, 0x097F, "Devanagari"), (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"), (0x0A80, 0x0AFF, "Gujarati"),
        (0x0B00, 0x0B7F, "Oriya"), (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"), (0x0C80, 0x0CFF, "Kannada"),
        (0x0D00, 0x0D7F, "Malayalam"), (0x0D80, 0x0DFF, "Sinhala"), (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Lao"),
        (0x0F00, 0x0FFF, "Tibetan"), (0x1000, 0x109F, "Myanmar"), (0x10A0, 0x10FF, "Georgian"), (0x1C90, 0x1CBF, "Georgian"),
        (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xAC00, 0xD7AF, "Hangul"),
        (0x1200, 0x139F, "Ethiopic"), (0x13A0, 0x13FF, "Cherokee"), (0x1780, 0x17FF, "Khmer"),
        (0x3040, 0x309F, "Hiragana"), (0x30A0, 0x30FF, "Katakana"), (0x31F0, 0x31FF, "Katakana"), (0xFF66, 0xFF9F, "Katakana"),
        (0x3100, 0x312F, "Bopomofo"), (0x31A0, 0x31BF, "Bopomofo"),
        (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"), (0xF900, 0xFAFF, "Han"), (0x20000, 0x3134F, "Han"),
    ];

    private static readonly string[][] AllowedTogether =
    [
        ["Latin", "Han", "Hiragana", "Katakana"],
        ["Latin", "Han", "Bopomofo"],
        ["Latin", "Han", "Hangul"],
    ];

    /// <summary>The scripts of the letters of <paramref name="host"/> (Unicode form), sorted; letters outside the table count as "Other".</summary>
    public static IReadOnlyList<string> Of(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var scripts = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var rune in host.EnumerateRunes())
        {
            if (Rune.IsLetter(rune))
            {
                scripts.Add(ScriptOf(rune.Value));
            }
        }
        return [.. scripts];
    }

    /// <summary>Whether <paramref name="scripts"/> (from <see cref="Of"/>) is a mix that can deceive.</summary>
    public static bool AreMixed(IReadOnlyList<string> scripts)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        return scripts.Count > 1 && !AllowedTogether.Any(allowed => scripts.All(allowed.Contains));
    }

    private static string ScriptOf(int codePoint)
    {
        foreach (var (first, last, script) in Ranges)
        {
            if (codePoint >= first && codePoint <= last)
            {
                return script;
            }
        }
        return "Other";
    }
}
