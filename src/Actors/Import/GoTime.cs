namespace EduVpnActors.Actors.Import;

/// <summary>
/// Parses times as Go's <c>time.Time</c> writes them in JSON (RFC 3339 with up to nine fractional
/// digits, <c>Z</c> or a numeric offset). Go's zero time (<c>0001-01-01T00:00:00Z</c>) means
/// "never" and becomes null.
/// </summary>
/// <remarks>
/// .NET ticks are 100 ns, so the last two of Go's nine fractional digits are truncated (not
/// rounded). Like Go, more than nine digits are accepted and the excess ignored.
/// </remarks>
internal static class GoTime
{
    /// <summary>Parses <paramref name="text"/>; returns false when it is not a valid RFC 3339 time.</summary>
    public static bool TryParse(string text, out DateTimeOffset? value)
    {
        value = null;
        var s = text.AsSpan();
        // yyyy-MM-ddTHH:mm:ss is 19 characters, then at least "Z".
        if (s.Length < 20
            || !TryDigits(s, 0, 4, out var year) || s[4] != '-'
            || !TryDigits(s, 5, 2, out var month) || s[7] != '-'
            || !TryDigits(s, 8, 2, out var day) || (s[10] != 'T' && s[10] != 't')
            || !TryDigits(s, 11, 2, out var hour) || s[13] != ':'
            || !TryDigits(s, 14, 2, out var minute) || s[16] != ':'
            || !TryDigits(s, 17, 2, out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var pos = 19;
        long fractionTicks = 0;
        if (s[pos] == '.')
        {
            pos++;
            var start = pos;
            var scale = TimeSpan.TicksPerSecond;
            while (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                scale /= 10;
                fractionTicks += (s[pos] - '0') * scale;
                pos++;
            }
            if (pos == start)
            {
                return false;
            }
        }

        if (pos >= s.Length)
        {
            return false;
        }

        TimeSpan offset;
        if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.Length)
        {
            offset = TimeSpan.Zero;
        }
        else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.Length
                 && TryDigits(s, pos + 1, 2, out var offsetHours) && s[pos + 3] == ':'
                 && TryDigits(s, pos + 4, 2, out var offsetMinutes)
                 && offsetHours < 24 && offsetMinutes < 60)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (s[pos] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        var localTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks;
        var utcTicks = localTicks - offset.Ticks;
        if (utcTicks == 0)
        {
            // Go's zero instant, whatever offset it was written with.
            return true;
        }
        if (utcTicks < 0 || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        // Go takes offsets up to ±23:59, DateTimeOffset only ±14:00: keep the instant, shown in UTC.
        value = offset.Duration() <= TimeSpan.FromHours(14)
            ? new DateTimeOffset(localTicks, offset)
            : new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
            value = (value * 10) + (s[i] - '0');
        }
        return true;
    }
}
