using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Tests.Reliability;

namespace EduVpnActors.Tests.Localization;

/// <summary>
/// Issue 12 §9: the engine speaks every language eduvpn-common's host apps show. Every <c>.resx</c> in
/// <c>src</c> has a translation per language with exactly the English keys, no empty value and the English
/// placeholders; the runtime really loads each one (a satellite assembly next to the engine and the console
/// host) and <see cref="ErrorTexts"/> answers with it.
/// </summary>
public sealed partial class TranslationCompletenessTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    // Listed here on purpose rather than taken from EngineLanguages.Supported: dropping one there fails.
    private static readonly string[] Translated = ["cs", "da", "de", "es", "fr", "it", "nl", "pt", "sl", "uk"];

    public static TheoryData<string> Translations => new(Translated);

    public static TheoryData<string> ResourceFiles => new(SourceResourceFiles().Where(path => CultureOf(path) is null));

    [Fact]
    public void SupportedLanguages_AreTheElevenOfEduVpnCommon_EnglishFirst()
    {
        Assert.Equal(["cs", "da", "de", "en", "es", "fr", "it", "nl", "pt", "sl", "uk"],
            EngineLanguages.Supported.Select(language => language.Name).Order(StringComparer.Ordinal));
        Assert.Equal("en", EngineLanguages.Supported[0].Name);
        Assert.All(EngineLanguages.Supported, language => Assert.True(language.IsNeutralCulture, language.Name));
    }

    [Theory]
    [MemberData(nameof(ResourceFiles))]
    public void EveryResourceFile_HasOneTranslationPerSupportedLanguage_AndNoOther(string englishFile)
    {
        var cultures = SourceResourceFiles().Where(path => BaseOf(path) == BaseOf(englishFile)).Select(CultureOf).OfType<string>();

        Assert.Equal(Translated, cultures.Order(StringComparer.Ordinal));
        Assert.Equal(Translated, EngineLanguages.Supported.Skip(1).Select(language => language.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ResourceFiles))]
    public void EveryTranslation_HasExactlyTheEnglishKeys_NoEmptyValue_AndTheEnglishPlaceholders(string englishFile)
    {
        var english = ReadResx(englishFile);
        Assert.NotEmpty(english);
        foreach (var language in Translated)
        {
            var translation = ReadResx(Path.ChangeExtension(englishFile, $".{language}.resx"));

            Assert.True(english.Keys.Except(translation.Keys).ToList() is [], $"{language} lacks {string.Join(", ", english.Keys.Except(translation.Keys))}");
            Assert.True(translation.Keys.Except(english.Keys).ToList() is [], $"{language} has stray {string.Join(", ", translation.Keys.Except(english.Keys))}");
            foreach (var (key, text) in translation)
            {
                Assert.False(string.IsNullOrWhiteSpace(text), $"{language} {key} is empty");
                Assert.True(Placeholders(english[key]).SequenceEqual(Placeholders(text)),
                    $"{language} {key}: placeholders {string.Join(' ', Placeholders(text))} instead of {string.Join(' ', Placeholders(english[key]))}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Runtime_LoadsEachLanguagesSatellite_WithExactlyTheResxTexts(string language)
    {
        var culture = CultureInfo.GetCultureInfo(language);
        var set = ErrorTexts.ResourceSetFor(culture);

        Assert.NotNull(set);
        var loaded = set.Cast<DictionaryEntry>().ToDictionary(entry => (string)entry.Key, entry => entry.Value as string ?? "");
        Assert.Equal(ReadResx(EngineTextsFile(language)).OrderBy(pair => pair.Key, StringComparer.Ordinal),
            loaded.OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void ErrorTexts_AnswersInTheLanguage_ForEveryValueOfEveryEnum(string language)
    {
        var culture = CultureInfo.GetCultureInfo(language);
        var texts = ReadResx(EngineTextsFile(language));

        foreach (var value in ErrorTexts.SupportedEnums.SelectMany(type => Enum.GetValues(type).Cast<Enum>()))
        {
            var text = ErrorTexts.For(value, culture);
            Assert.Equal(texts[ErrorTexts.KeyOf(value)], text);
            Assert.NotEqual(ErrorTexts.For(value, English), text);
        }
        Assert.Equal(string.Format(culture, texts["Special.InvalidTransition"], texts["ConnectionState.Main"], texts["ConnectionState.Connected"]),
            ErrorTexts.InvalidTransition(ConnectionState.Main, ConnectionState.Connected, culture));
        Assert.Equal(texts["Special.UnexpectedError"], ErrorTexts.For((ConnectionState)999, culture));
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Texts_WithinOneEnum_AreDistinctInEveryLanguage(string language)
    {
        var culture = CultureInfo.GetCultureInfo(language);
        foreach (var type in ErrorTexts.SupportedEnums)
        {
            var texts = Enum.GetValues(type).Cast<Enum>().Select(value => ErrorTexts.For(value, culture)).ToList();
            Assert.True(texts.Count == texts.Distinct(StringComparer.Ordinal).Count(), $"{language} {type.Name}: two values read the same");
        }
    }

    [Theory]
    [InlineData("fr-FR", "fr")]
    [InlineData("fr-BE", "fr")]
    [InlineData("pt-BR", "pt")]
    [InlineData("pt-PT", "pt")]
    [InlineData("es-MX", "es")]
    [InlineData("it-CH", "it")]
    [InlineData("cs-CZ", "cs")]
    [InlineData("da-DK", "da")]
    [InlineData("sl-SI", "sl")]
    [InlineData("uk-UA", "uk")]
    [InlineData("de-AT", "de")]
    [InlineData("nl-BE", "nl")]
    [InlineData("sv-SE", "en")]
    [InlineData("pl", "en")]
    [InlineData("", "en")]
    public void RegionalCulture_GetsItsLanguagesTexts(string asked, string expected)
    {
        var culture = CultureInfo.GetCultureInfo(asked);
        var reference = CultureInfo.GetCultureInfo(expected);

        Assert.Equal(expected, EngineLanguages.TextLanguageOf(culture).Name);
        foreach (var value in ErrorTexts.SupportedEnums.SelectMany(type => Enum.GetValues(type).Cast<Enum>()))
        {
            Assert.Equal(ErrorTexts.For(value, reference), ErrorTexts.For(value, culture));
        }
    }

    [Fact]
    public void TextLanguageOf_NoCulture_UsesTheCurrentUiCulture()
    {
        var saved = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("sl-SI");
            Assert.Equal("sl", EngineLanguages.TextLanguageOf().Name);
        }
        finally
        {
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Fact]
    public void SatelliteAssemblies_ShipBesideTheEngine_AndTheConsoleHost()
    {
        var satellite = Path.GetFileNameWithoutExtension(typeof(ErrorTexts).Assembly.Location) + ".resources.dll";
        foreach (var directory in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(HostProcess.HostDll)! })
        {
            Assert.All(Translated, language => Assert.True(File.Exists(Path.Combine(directory, language, satellite)),
                $"no {language}/{satellite} in {directory}"));
        }
    }

    private static string EngineTextsFile(string language) =>
        Path.Combine(TestPaths.RepoRoot, "src", "Actors", "Localization", $"EngineTexts.{language}.resx");

    /// <summary>Every <c>.resx</c> under <c>src</c>, build output left out.</summary>
    private static IEnumerable<string> SourceResourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src"), "*.resx", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    private static string BaseOf(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileName(path).Split('.')[0]);

    /// <summary>The culture of <c>Name.xx.resx</c>, null for the neutral (English) <c>Name.resx</c>.</summary>
    private static string? CultureOf(string path) =>
        Path.GetFileName(path).Split('.') is [_, var culture, "resx"] ? culture : null;

    private static Dictionary<string, string> ReadResx(string path) =>
        XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(data => (string)data.Attribute("name")!, data => (string?)data.Element("value") ?? "", StringComparer.Ordinal);

    /// <summary>The composite-format items of a text (<c>{0}</c>, <c>{1:N0}</c>, <c>{Name}</c>), sorted.</summary>
    private static List<string> Placeholders(string text) =>
        PlaceholderPattern().Matches(text).Select(match => match.Value).Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex PlaceholderPattern();
}
