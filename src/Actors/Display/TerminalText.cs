using System.Globalization;
using System.Text;

namespace EduVpnActors.Actors.Display;

/// <summary>
/// Makes text safe to print on a terminal. Server-provided strings (display names, profile names, a
/// portal's error text) and the user's own arguments may hold control characters: an escape
/// sequence could recolour the screen, move the cursor, set the window title or fake a line of
/// output, and bidirectional overrides can reorder what is shown. Every such character becomes a
/// visible escape (<c>\x1b</c>, <c>\n</c>, <c>\u202e</c>); everything else is left as it is.
/// </summary>
public static class TerminalText
{
    /// <summary>
    /// One line: every control (C0, DEL, C1), format (bidi overrides, zero-width characters),
    /// line or paragraph separator and lone surrogate becomes a visible escape; null becomes "".
    /// </summary>
    public static string Escape(string? text) => Escape(text, keepLineBreaks: false);

    /// <summary>
    /// Several lines (e.g. a configuration shown on a terminal): as <see cref="Escape(string?)"/>, but
    /// <c>\n</c>, <c>\r\n</c> and <c>\t</c> are kept as layout.
    /// </summary>
    public static string EscapeLines(string? text) => Escape(text, keepLineBreaks: true);

    /// <summary>Whether <see cref="Escape(string?)"/> would change <paramref name="text"/>.</summary>
    public static bool NeedsEscaping(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text, i, keepLineBreaks: false))
            {
                return true;
            }
        }
        return false;
    }

    private static string Escape(string? text, bool keepLineBreaks)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                // A valid pair (an emoji, a CJK extension character): printable, kept whole.
                sb?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (!IsUnsafe(text, i, keepLineBreaks))
            {
                sb?.Append(c);
                continue;
            }
            sb ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            sb.Append(Visible(c));
        }
        return sb?.ToString() ?? text;
    }

    private static bool IsUnsafe(string text, int i, bool keepLineBreaks)
    {
        var c = text[i];
        if (keepLineBreaks && (c is '\n' or '\t' || (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')))
        {
            return false;
        }
        if (char.IsSurrogate(c))
        {
            // Reached only for a lone surrogate (pairs are skipped by the caller).
            return !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                && !(char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(text[i - 1]));
        }
        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
    }

    private static string Visible(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        < '\u0100' => $"\\x{(int)c:x2}",
        _ => $"\\u{(int)c:x4}",
    };
}
