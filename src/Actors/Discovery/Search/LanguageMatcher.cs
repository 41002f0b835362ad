using EduVpnActors.Messages.Common;

namespace EduVpnActors.Actors.Discovery.Search;

/// <summary>
/// Picks the value of a language map for a BCP-47 tag as eduvpn-common's <c>GetLanguageMatched</c>
/// (client rule 21): exact tag, a key starting with the tag, a key starting with the tag's
/// language and <c>-</c>, the bare language, English, then any value.
/// </summary>
/// <remarks>
/// Differences from upstream, all deliberate: tags compare case-insensitively (BCP-47 tags are
/// case-insensitive); where several keys fit one step the ordinally first wins (upstream takes a
/// random one from Go's map order); an empty tag goes straight to the English fallback (upstream's
/// "key starts with the tag" would take a random key).
/// </remarks>
public static class LanguageMatcher
{
    /// <summary>The value best matching <paramref name="languageTag"/>; <c>""</c> for an empty map.</summary>
    public static string Match(IReadOnlyDictionary<string, string> values, string languageTag)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return "";
        }
        var keys = values.Keys.Order(StringComparer.Ordinal).ToArray();
        var tag = (languageTag ?? "").Trim();

        if (tag.Length > 0)
        {
            if (First(keys, k => k.Equals(tag, StringComparison.OrdinalIgnoreCase)) is { } exact)
            {
                return values[exact];
            }
            if (First(keys, k => k.StartsWith(tag, StringComparison.OrdinalIgnoreCase)) is { } extended)
            {
                return values[extended];
            }
            var dash = tag.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0)
            {
                var language = tag[..dash];
                if (First(keys, k => k.StartsWith(language + "-", StringComparison.OrdinalIgnoreCase)) is { } sibling)
                {
                    return values[sibling];
                }
                if (First(keys, k => k.Equals(language, StringComparison.OrdinalIgnoreCase)) is { } bare)
                {
                    return values[bare];
                }
            }
        }

        var english = First(keys, k => k.Equals("en", StringComparison.OrdinalIgnoreCase))
            ?? First(keys, k => k.StartsWith("en-", StringComparison.OrdinalIgnoreCase));
        return values[english ?? keys[0]];
    }

    /// <summary>The text in the language best matching <paramref name="languageTag"/>.</summary>
    public static string Display(LocalizedText text, string languageTag)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Match(text.Values, languageTag);
    }

    /// <summary>The text in the language best matching <paramref name="languageTag"/>, or <paramref name="fallback"/> when it is empty.</summary>
    public static string DisplayOr(LocalizedText text, string languageTag, string fallback)
    {
        var name = Display(text, languageTag);
        return string.IsNullOrEmpty(name) ? fallback : name;
    }

    private static string? First(string[] keys, Func<string, bool> predicate)
    {
        foreach (var key in keys)
        {
            if (predicate(key))
            {
                return key;
            }
        }
        return null;
    }
}
