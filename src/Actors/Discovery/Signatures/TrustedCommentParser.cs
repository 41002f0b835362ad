using System.Globalization;

namespace EduVpnActors.Actors.Discovery.Signatures;

/// <summary>
/// Parses the trusted comment <c>timestamp:&lt;uint64&gt;&lt;whitespace&gt;file:&lt;name&gt;</c> with the
/// tolerance of eduvpn-common's scanf: whitespace may follow the colons, and anything after the
/// file name (such as <c>\thashed</c>) is ignored.
/// </summary>
internal static class TrustedCommentParser
{
    private const string TimestampLabel = "timestamp:";
    private const string FileLabel = "file:";

    public static bool TryParse(string comment, out ulong timestamp, out string fileName)
    {
        timestamp = 0;
        fileName = "";
        var rest = comment.AsSpan();
        if (!rest.StartsWith(TimestampLabel, StringComparison.Ordinal))
        {
            return false;
        }
        rest = SkipWhitespace(rest[TimestampLabel.Length..]);

        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }
        if (digits == 0 || !ulong.TryParse(rest[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
        {
            return false;
        }
        rest = rest[digits..];

        var afterSpace = SkipWhitespace(rest);
        if (afterSpace.Length == rest.Length || !afterSpace.StartsWith(FileLabel, StringComparison.Ordinal))
        {
            return false;
        }
        rest = SkipWhitespace(afterSpace[FileLabel.Length..]);

        var length = 0;
        while (length < rest.Length && !char.IsWhiteSpace(rest[length]))
        {
            length++;
        }
        if (length == 0)
        {
            return false;
        }
        fileName = rest[..length].ToString();
        return true;
    }

    private static ReadOnlySpan<char> SkipWhitespace(ReadOnlySpan<char> text) => text.TrimStart();
}
