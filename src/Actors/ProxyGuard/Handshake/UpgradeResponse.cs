using System.Globalization;
using System.Text;
using EduVpnActors.Actors.ProxyGuard.Framing;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard.Handshake;

/// <summary>How far the answer to the upgrade request got.</summary>
public enum UpgradeParseStatus
{
    /// <summary>The head is not complete yet: read more.</summary>
    Incomplete,
    /// <summary>A valid 101 to <c>UoTLV/1</c>: the stream after the head carries frames.</summary>
    Upgraded,
    /// <summary>Not an upgrade (see the error; all of these are fatal).</summary>
    Refused,
}

/// <summary>The verdict on the bytes received so far.</summary>
/// <param name="Status">Incomplete, upgraded or refused.</param>
/// <param name="HeadLength">Upgraded: bytes of the head, blank line included; what follows are frames.</param>
/// <param name="Error">Refused: why.</param>
public readonly record struct UpgradeParseResult(UpgradeParseStatus Status, int HeadLength, ProxyGuardError? Error);

/// <summary>
/// Checks the server's answer as proxyguard.md §2.5 says, in this order: the head is HTTP/1.x, the
/// status is 101, <c>Connection</c> is exactly <c>Upgrade</c>, <c>Upgrade</c> is <c>UoTLV/1</c>; both
/// header comparisons ignore case, and the first of a repeated header counts (as Go's <c>Header.Get</c>).
/// Lines may end in CRLF or LF. Pure.
/// </summary>
public static class UpgradeResponse
{
    /// <summary>The largest head accepted; a longer one is not a ProxyGuard server's.</summary>
    public const int MaxHeadBytes = 16 * 1024;

    private const int BlankFirstLine = -2;

    /// <summary>Parses <paramref name="received"/> (everything read since the request was sent).</summary>
    public static UpgradeParseResult Parse(ReadOnlySpan<byte> received)
    {
        var headLength = HeadLength(received);
        if (headLength == BlankFirstLine)
        {
            return Refuse(ProxyGuardErrorKind.MalformedResponse, "the answer starts with a blank line instead of a status line");
        }
        if (headLength < 0)
        {
            return received.Length >= MaxHeadBytes
                ? Refuse(ProxyGuardErrorKind.MalformedResponse, $"the answer's head is longer than {MaxHeadBytes} bytes")
                : new UpgradeParseResult(UpgradeParseStatus.Incomplete, 0, null);
        }
        if (headLength > MaxHeadBytes)
        {
            return Refuse(ProxyGuardErrorKind.MalformedResponse, $"the answer's head is longer than {MaxHeadBytes} bytes");
        }

        var head = received[..headLength];
        var lineEnd = head.IndexOf((byte)'\n');
        if (!TryStatus(TrimCr(head[..lineEnd]), out var status))
        {
            return Refuse(ProxyGuardErrorKind.MalformedResponse, $"the answer is not HTTP/1.x: '{Printable(TrimCr(head[..lineEnd]))}'");
        }
        string? connection = null;
        string? upgrade = null;
        var rest = head[(lineEnd + 1)..];
        while (true)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = TrimCr(rest[..end]);
            rest = rest[(end + 1)..];
            if (line.IsEmpty)
            {
                break;
            }
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t')
            {
                return Refuse(ProxyGuardErrorKind.MalformedResponse, $"the answer has a malformed header line '{Printable(line)}'");
            }
            var name = line[..colon].Trim((byte)' ');
            var value = Printable(line[(colon + 1)..].Trim(" \t"u8));
            if (connection is null && Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                connection = value;
            }
            else if (upgrade is null && Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
            {
                upgrade = value;
            }
        }

        if (status != 101)
        {
            return Refuse(ProxyGuardErrorKind.UnexpectedStatus, $"the server answered {status.ToString(CultureInfo.InvariantCulture)} instead of 101 Switching Protocols");
        }
        if (!string.Equals(connection, "Upgrade", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(ProxyGuardErrorKind.BadConnectionHeader, connection is null
                ? "the 101 answer has no Connection header"
                : $"the 101 answer's Connection header is '{connection}', not 'Upgrade'");
        }
        if (!string.Equals(upgrade, UoTlv.UpgradeToken, StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(ProxyGuardErrorKind.BadUpgradeHeader, upgrade is null
                ? "the 101 answer has no Upgrade header"
                : $"the 101 answer's Upgrade header is '{upgrade}', not '{UoTlv.UpgradeToken}'");
        }
        return new UpgradeParseResult(UpgradeParseStatus.Upgraded, headLength, null);
    }

    /// <summary>Bytes up to and including the blank line (CRLF CRLF, or LF LF, or mixed); -1 when not there yet.</summary>
    private static int HeadLength(ReadOnlySpan<byte> received)
    {
        var limit = Math.Min(received.Length, MaxHeadBytes + 4);
        var start = 0;
        while (start < limit)
        {
            var newline = received[start..limit].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return -1;
            }
            var lineLength = newline;
            if (lineLength == 0 || (lineLength == 1 && received[start] == (byte)'\r'))
            {
                // A blank line; the status line itself cannot be blank.
                return start == 0 ? BlankFirstLine : start + newline + 1;
            }
            start += newline + 1;
        }
        return -1;
    }

    private static bool TryStatus(ReadOnlySpan<byte> line, out int status)
    {
        status = 0;
        // "HTTP/1.1 101 Switching Protocols": version, one space, three digits, then a space or the end.
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)line[7]) || line[8] != (byte)' ')
        {
            return false;
        }
        var code = line.Slice(9, 3);
        if (!char.IsAsciiDigit((char)code[0]) || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2]))
        {
            return false;
        }
        if (line.Length > 12 && line[12] != (byte)' ')
        {
            return false;
        }
        status = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        return true;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    /// <summary>Printable ASCII of at most 80 characters, for error texts.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var shown = bytes[..Math.Min(bytes.Length, 80)];
        var text = string.Create(shown.Length, shown.ToArray(), static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is >= 0x20 and <= 0x7e ? (char)source[i] : '?';
            }
        });
        return bytes.Length > shown.Length ? text + "..." : text;
    }

    private static UpgradeParseResult Refuse(ProxyGuardErrorKind kind, string message) =>
        new(UpgradeParseStatus.Refused, 0, new ProxyGuardError(kind, message));
}
