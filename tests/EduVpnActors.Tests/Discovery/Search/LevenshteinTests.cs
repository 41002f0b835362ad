using System.Collections.Immutable;
using EduVpnActors.Actors.Discovery.Search;
using EduVpnActors.Messages.Common;

namespace EduVpnActors.Tests.Discovery.Search;

/// <summary>eduvpn-common's internal/levenshtein vectors (behaviour reference §13.5), plus the keyword quirk fix.</summary>
public sealed class LevenshteinTests
{
    [Theory]
    [InlineData("foo", "foo", 0)]
    [InlineData("foo", "foosd", 2)]
    [InlineData("foo", "bla", 3)]
    [InlineData("foo", "", 3)]
    [InlineData("", "foo", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ümlaut", "umlaut", 1)]
    [InlineData("a😀b", "ab", 1)]
    public void Distance_Vectors_Match(string a, string b, int expected)
    {
        Assert.Equal(expected, Levenshtein.Distance(a, b));
        Assert.Equal(expected, Levenshtein.Distance(b, a));
    }

    [Theory]
    [InlineData("foo", "bla", -1)]
    [InlineData("bla foo", "bla", -1)]
    [InlineData("foo", "", -1)]
    [InlineData("", "foo", 3)]
    [InlineData("foo", "foobar", 3)]
    [InlineData("bar foo", "foo bar", 6)]
    [InlineData("foo  bar", "foo bar", 1)]
    public void Adjusted_Vectors_Match(string query, string text, int expected)
    {
        Assert.Equal(expected, Levenshtein.Adjusted(query, text));
    }

    [Theory]
    [InlineData("test", "test", "testing", 0)]
    [InlineData("test", "testing", "test", 2)]
    [InlineData("foo", null, "foo", 2)]
    [InlineData("fox", null, "foo", -2)]
    [InlineData("fox", null, null, -1)]
    [InlineData("foo", "foobar", "foobar", 3)]
    [InlineData("GÉANT", "geant", null, 0)]
    [InlineData("  test  ", "test", null, 0)]
    public void Score_Vectors_Match(string query, string? name, string? keyword, int expected)
    {
        var names = name is null ? LocalizedText.Empty : LocalizedText.English(name);
        var keywords = keyword is null ? LocalizedText.Empty : LocalizedText.English(keyword);

        Assert.Equal(expected, DiscoverySearch.Score(query, names, keywords));
    }

    [Fact]
    public void Score_NonMatchingKeywordLanguageFirst_DoesNotHideMatchingOne()
    {
        // The upstream quirk: a non-matching language seen first blocked later matches.
        var keywords = Text(("aa", "nothing here"), ("zz", "amsterdam"));

        Assert.Equal(2, DiscoverySearch.Score("amsterdam", LocalizedText.Empty, keywords));
    }

    [Fact]
    public void Score_NamesInSeveralLanguages_TakesBestLanguage()
    {
        var names = Text(("en", "Leiden University"), ("nl", "Universiteit Leiden"));

        Assert.Equal(Levenshtein.Distance("universiteit", "universiteit leiden"), DiscoverySearch.Score("universiteit", names, LocalizedText.Empty));
    }

    [Theory]
    [InlineData("fòóbår", "foobar")]
    [InlineData("GÉANT", "geant")]
    [InlineData("Háskólinn á Bifröst", "haskolinn a bifrost")]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("", "")]
    public void Normalize_Diacritics_AreRemovedAndLowerCased(string text, string expected)
    {
        Assert.Equal(expected, TextFolding.Normalize(text));
    }

    private static LocalizedText Text(params (string Language, string Value)[] values) =>
        new(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            values.Select(v => KeyValuePair.Create(v.Language, v.Value))));
}
