using System.Text;

namespace EduVpnActors.Actors.Discovery.Search;

/// <summary>Edit distance as used by eduvpn-common's discovery search.</summary>
public static class Levenshtein
{
    /// <summary>
    /// The Levenshtein distance (insert, delete, substitute, each cost 1) between the code points
    /// (runes) of <paramref name="a"/> and <paramref name="b"/>.
    /// </summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var left = ToRunes(a);
        var right = ToRunes(b);
        if (left.Length == 0)
        {
            return right.Length;
        }
        if (right.Length == 0)
        {
            return left.Length;
        }

        // Two rows of the classic table are enough.
        var previous = new int[right.Length + 1];
        var current = new int[right.Length + 1];
        for (var j = 0; j <= right.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= left.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= right.Length; j++)
            {
                var substitution = previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }
            (previous, current) = (current, previous);
        }
        return previous[right.Length];
    }

    /// <summary>
    /// −1 when some word of <paramref name="query"/> is not a substring of <paramref name="text"/>,
    /// otherwise the distance between the whole query and the whole text. Both are taken as given
    /// (the caller normalises them).
    /// </summary>
    public static int Adjusted(string query, string text)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(text);
        return Adjusted(query, Words(query), text);
    }

    /// <summary>
    /// The words of a query. eduvpn-common splits on single spaces; the empty pieces that gives for
    /// runs of spaces are substrings of everything, so splitting on any whitespace run only adds
    /// tabs and other blanks as separators.
    /// </summary>
    internal static string[] Words(string query) => query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary><see cref="Adjusted(string, string)"/> with the query's words split once for many texts.</summary>
    internal static int Adjusted(string query, string[] words, string text)
    {
        foreach (var word in words)
        {
            if (!text.Contains(word, StringComparison.Ordinal))
            {
                return -1;
            }
        }
        return Distance(query, text);
    }

    private static int[] ToRunes(string text)
    {
        if (Ascii.IsValid(text))
        {
            var chars = new int[text.Length];
            for (var i = 0; i < text.Length; i++)
            {
                chars[i] = text[i];
            }
            return chars;
        }
        var runes = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            runes.Add(rune.Value);
        }
        return [.. runes];
    }
}
