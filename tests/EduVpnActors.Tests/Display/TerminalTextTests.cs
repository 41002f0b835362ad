using EduVpnActors.Actors.Display;

namespace EduVpnActors.Tests.Display;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("\u001b[2J", "\\x1b[2J")]                       // clear screen
    [InlineData("\u001b]0;pwned\u0007", "\\x1b]0;pwned\\x07")]  // set the window title
    [InlineData("\u009b31m", "\\x9b31m")]                       // 8-bit CSI
    [InlineData("a\nb\rc\td", "a\\nb\\rc\\td")]                // a faked second line
    [InlineData("\u0000\u007f", "\\x00\\x7f")]
    [InlineData("evil\u202etxt.exe", "evil\\u202etxt.exe")]     // right-to-left override
    [InlineData("a\u200bb\u2028c\u2029d\u2066e", "a\\u200bb\\u2028c\\u2029d\\u2066e")]
    public void Escape_MakesEveryControlVisible(string text, string expected)
    {
        Assert.Equal(expected, TerminalText.Escape(text));
        Assert.True(TerminalText.NeedsEscaping(text));
    }

    [Theory]
    [InlineData("Hogeschool voor de Kunsten Utrecht")]
    [InlineData("Université de Genève — ß, Ø, Ж, 例え, 한국, עברית, العربية")]
    [InlineData("emoji 😀 and a CJK extension 𠀋")]
    [InlineData("brackets [red] and backslashes \\x1b stay")]
    [InlineData("")]
    public void Escape_LeavesPrintableTextAlone(string text)
    {
        Assert.Same(text, TerminalText.Escape(text));
        Assert.False(TerminalText.NeedsEscaping(text));
    }

    [Fact]
    public void Escape_LoneSurrogates_AreVisible_PairsAreKept()
    {
        // Not as InlineData: xunit's serialization of test cases would replace lone surrogates.
        Assert.Equal("lone \\ud800 surrogate", TerminalText.Escape("lone \ud800 surrogate"));
        Assert.Equal("lone \\udc00", TerminalText.Escape("lone \udc00"));
        Assert.Equal("\\udc00\\ud800", TerminalText.Escape("\udc00\ud800"));
        Assert.Equal("\ud83d\ude00", TerminalText.Escape("\ud83d\ude00"));
    }

    [Fact]
    public void Escape_Null_IsEmpty() => Assert.Equal("", TerminalText.Escape(null));

    [Fact]
    public void EscapeLines_KeepsLineBreaksAndTabs_ButNotEscapes() =>
        Assert.Equal("[Interface]\nAddress = 10.0.0.2/24\r\n\tDNS = \\x1b[31m9.9.9.9\\r",
            TerminalText.EscapeLines("[Interface]\nAddress = 10.0.0.2/24\r\n\tDNS = \u001b[31m9.9.9.9\r"));

    [Fact]
    public void Escape_EveryCharacter_NoControlSurvives()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var escaped = TerminalText.Escape(((char)c).ToString());
            Assert.DoesNotContain(escaped, ch => char.IsControl(ch) || char.IsSurrogate(ch)
                || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(ch) is System.Globalization.UnicodeCategory.Format
                    or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator);
        }
    }
}
