using EduVpnActors.Actors.Import;

namespace EduVpnActors.Tests.Import;

public sealed class GoTimeTests
{
    [Theory]
    [InlineData("2024-03-01T12:34:56Z", 0L)]
    [InlineData("2024-03-01T12:34:56.123Z", 1_230_000L)]
    [InlineData("2024-03-01T12:34:56.123456789Z", 1_234_567L)] // last two digits truncated to 100 ns ticks
    [InlineData("2024-03-01T12:34:56.999999999Z", 9_999_999L)]
    [InlineData("2024-03-01T12:34:56.5Z", 5_000_000L)]
    public void Parse_FractionalDigits_KeepsTicks(string text, long fractionTicks)
    {
        Assert.True(GoTime.TryParse(text, out var value));
        var expected = new DateTimeOffset(2024, 3, 1, 12, 34, 56, TimeSpan.Zero).AddTicks(fractionTicks);
        Assert.Equal(expected, value);
        Assert.Equal(TimeSpan.Zero, value!.Value.Offset);
    }

    [Theory]
    [InlineData("2024-03-01T14:34:56+02:00", 2, 0)]
    [InlineData("2024-03-01T07:04:56.5-05:30", -5, -30)]
    public void Parse_Offset_KeepsOffsetAndInstant(string text, int hours, int minutes)
    {
        Assert.True(GoTime.TryParse(text, out var value));
        Assert.Equal(new TimeSpan(hours, minutes, 0), value!.Value.Offset);
        var expectedUtc = new DateTimeOffset(2024, 3, 1, 12, 34, 56, TimeSpan.Zero)
            .AddTicks(text.Contains(".5") ? 5_000_000 : 0);
        Assert.Equal(expectedUtc.UtcTicks, value.Value.UtcTicks);
    }

    [Fact]
    public void Parse_MoreThanNineDigits_TruncatedLikeGo()
    {
        Assert.True(GoTime.TryParse("2024-03-01T12:34:56.1234567891234Z", out var value));
        Assert.Equal(1_234_567L, value!.Value.Ticks % TimeSpan.TicksPerSecond);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("0001-01-01T01:00:00+01:00")]
    [InlineData("0001-01-01T00:00:00.000000000Z")]
    public void Parse_GoZeroInstant_IsNull(string text)
    {
        Assert.True(GoTime.TryParse(text, out var value));
        Assert.Null(value);
    }

    [Fact]
    public void Parse_JustAfterZero_IsNotNull()
    {
        Assert.True(GoTime.TryParse("0001-01-01T00:00:00.0000001Z", out var value));
        Assert.Equal(1L, value!.Value.UtcTicks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2024-03-01")]
    [InlineData("2024-03-01T12:34:56")] // no zone
    [InlineData("2024-03-01 12:34:56Z")]
    [InlineData("2024-13-01T12:34:56Z")]
    [InlineData("2023-02-29T12:34:56Z")]
    [InlineData("2024-03-01T24:00:00Z")]
    [InlineData("2024-03-01T12:60:00Z")]
    [InlineData("2024-03-01T12:34:60Z")]
    [InlineData("2024-03-01T12:34:56.Z")]
    [InlineData("2024-03-01T12:34:56+0200")]
    [InlineData("2024-03-01T12:34:56+24:00")]
    [InlineData("2024-03-01T12:34:56Zjunk")]
    [InlineData("0000-12-31T23:00:00Z")]
    [InlineData("0001-01-01T00:00:00+00:01")] // before Go's zero instant: out of range
    [InlineData("１２３４-03-01T12:34:56Z")] // non-ASCII digits
    public void Parse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(GoTime.TryParse(text, out _));
    }
}
