using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace EduVpnActors.Host.Output;

/// <summary>
/// JSON string escaping for output that may land on a terminal: like
/// <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> (readable: <c>é</c>, <c>+</c>, <c>&lt;</c> stay as
/// they are; the document is not embedded in HTML) but every control, format (bidi overrides, zero-width)
/// and line or paragraph separator character is written as a <c>\uXXXX</c> escape. The data is unchanged.
/// </summary>
internal sealed class TerminalSafeJsonEncoder : JavaScriptEncoder
{
    public static readonly TerminalSafeJsonEncoder Instance = new();

    private static readonly JavaScriptEncoder Relaxed = UnsafeRelaxedJsonEscaping;

    private TerminalSafeJsonEncoder()
    {
    }

    /// <inheritdoc/>
    public override int MaxOutputCharactersPerInputCharacter => Math.Max(Relaxed.MaxOutputCharactersPerInputCharacter, 12);

    /// <inheritdoc/>
    public override bool WillEncode(int unicodeScalar) => Relaxed.WillEncode(unicodeScalar) || IsInvisible(unicodeScalar);

    /// <inheritdoc/>
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (var i = 0; i < textLength; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < textLength && char.IsLowSurrogate(text[i + 1]))
            {
                if (WillEncode(char.ConvertToUtf32(c, text[i + 1])))
                {
                    return i;
                }
                i++;
                continue;
            }
            if (char.IsSurrogate(c) || WillEncode(c))
            {
                return i;
            }
        }
        return -1;
    }

    /// <inheritdoc/>
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        if (Relaxed.WillEncode(unicodeScalar) || !IsInvisible(unicodeScalar))
        {
            return Relaxed.TryEncodeUnicodeScalar(unicodeScalar, buffer, bufferLength, out numberOfCharactersWritten);
        }
        // \uXXXX per UTF-16 unit (a supplementary format character, e.g. a tag, is a surrogate pair).
        var escaped = new StringBuilder(12);
        foreach (var unit in char.ConvertFromUtf32(unicodeScalar))
        {
            escaped.Append("\\u").Append(((int)unit).ToString("X4", CultureInfo.InvariantCulture));
        }
        if (escaped.Length > bufferLength)
        {
            numberOfCharactersWritten = 0;
            return false;
        }
        for (var i = 0; i < escaped.Length; i++)
        {
            buffer[i] = escaped[i];
        }
        numberOfCharactersWritten = escaped.Length;
        return true;
    }

    private static bool IsInvisible(int unicodeScalar) =>
        Rune.IsValid(unicodeScalar)
        && Rune.GetUnicodeCategory(new Rune(unicodeScalar)) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
