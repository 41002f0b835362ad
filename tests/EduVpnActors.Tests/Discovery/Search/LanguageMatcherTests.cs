using System.Collections.Immutable;
using EduVpnActors.Actors.Discovery.Search;
using EduVpnActors.Messages.Common;

namespace EduVpnActors.Tests.Discovery.Search;

/// <summary>eduvpn-common's GetLanguageMatched vectors (behaviour reference §11).</summary>
public sealed class LanguageMatcherTests
{
    [Theory]
    [InlineData("en,de", "en", "en")]
    [InlineData("en-US-test,de", "en-US", "en-US-test")]
    [InlineData("en-UK,en", "en-US", "en-UK")]
    [InlineData("de,en", "en-US", "en")]
    [InlineData("es,en", "nl-NL", "en")]
    [InlineData("est,en-", "en-US", "en-")]
    [InlineData("es", "en-US", "es")]
    [InlineData("nl-NL,en-US", "nl", "nl-NL")]
    [InlineData("nl,en", "NL-nl", "nl")]
    [InlineData("de,en-US", "fr", "en-US")]
    [InlineData("de,en", "", "en")]
    public void Match_Vectors_PickExpectedKey(string keys, string tag, string expectedKey)
    {
        // Each value names its key, so the assertion shows which key won.
        var values = keys.Split(',').ToDictionary(k => k, k => "value of " + k);

        Assert.Equal("value of " + expectedKey, LanguageMatcher.Match(values, tag));
    }

    [Fact]
    public void Match_EmptyMap_IsEmptyString()
    {
        Assert.Equal("", LanguageMatcher.Match(new Dictionary<string, string>(), "en"));
    }

    [Fact]
    public void Display_LocalizedText_UsesMatchRules()
    {
        var text = new LocalizedText(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create("en", "Leiden University"), KeyValuePair.Create("nl", "Universiteit Leiden")]));

        Assert.Equal("Universiteit Leiden", LanguageMatcher.Display(text, "nl-BE"));
        Assert.Equal("Leiden University", LanguageMatcher.Display(text, "de-DE"));
    }
}
