using System.Globalization;
using System.Text;

namespace EduVpnActors.Actors.Discovery.Search;

/// <summary>Folds text for search: diacritics removed and lower-cased, so "GÉANT" matches "geant".</summary>
public static class TextFolding
{
    /// <summary>Unicode NFD, drop non-spacing marks (Mn), NFC, invariant lower case.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Ascii.IsValid(text))
        {
            // ASCII has no combining marks and is its own NFD/NFC: only case needs folding.
            return text.ToLowerInvariant();
        }

        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(rune.ToString());
            }
        }
        return builder.ToString().Normalize(NormalizationForm.FormC).ToLowerInvariant();
    }
}
