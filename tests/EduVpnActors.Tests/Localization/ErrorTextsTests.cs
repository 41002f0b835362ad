using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages.Client;
using System.Collections;
using System.Globalization;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Errors;
using EduVpnActors.Messages.Failover;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Tests.Localization;

public sealed class ErrorTextsTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo Dutch = CultureInfo.GetCultureInfo("nl");
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de");

    // Listed here on purpose rather than taken from ErrorTexts.SupportedEnums: dropping one there fails.
    private static readonly Type[] TranslatedEnums =
    [
        typeof(ConnectionState),
        typeof(ConnectionRefusalKind),
        typeof(SessionErrorKind),
        typeof(RegistryErrorKind),
        typeof(ApiErrorKind),
        typeof(SignatureErrorKind),
        typeof(DiscoveryWarningKind),
        typeof(HttpErrorKind),
        typeof(TransportFailureKind),
        typeof(ProbeErrorKind),
        typeof(ClientErrorKind),
        typeof(StorageProblemKind),
        typeof(ProxyGuardErrorKind),
        typeof(EduVpnActors.Actors.Configuration.EngineFileKind),
        typeof(HostChoiceText),
    ];

    public static TheoryData<Type> Enums => new(TranslatedEnums);

    private static IEnumerable<Enum> ValuesOf(Type type) => Enum.GetValues(type).Cast<Enum>();

    [Fact]
    public void SupportedEnums_AreExactlyTheTranslatedOnes()
    {
        Assert.Equal(TranslatedEnums.OrderBy(t => t.FullName), ErrorTexts.SupportedEnums.OrderBy(t => t.FullName));
    }

    [Theory]
    [MemberData(nameof(Enums))]
    public void EveryValue_InEnglishDutchAndGerman_HasItsOwnText(Type type)
    {
        foreach (var value in ValuesOf(type))
        {
            var key = ErrorTexts.KeyOf(value);
            foreach (var culture in new[] { English, Dutch, German })
            {
                Assert.True(ErrorTexts.TryGet(key, culture, out var text), $"no {culture.Name} text for {key}");
                Assert.False(string.IsNullOrWhiteSpace(text), key);
                Assert.Equal(text, ErrorTexts.For(value, culture));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Enums))]
    public void EveryValue_DutchAndGerman_DifferFromEnglish(Type type)
    {
        foreach (var value in ValuesOf(type))
        {
            var english = ErrorTexts.For(value, English);
            Assert.NotEqual(english, ErrorTexts.For(value, Dutch));
            Assert.NotEqual(english, ErrorTexts.For(value, German));
            Assert.NotEqual(ErrorTexts.For(value, Dutch), ErrorTexts.For(value, German));
        }
    }

    [Theory]
    [MemberData(nameof(Enums))]
    public void Texts_WithinOneEnumAndLanguage_AreDistinct(Type type)
    {
        foreach (var culture in new[] { English, Dutch, German })
        {
            var texts = ValuesOf(type).Select(value => ErrorTexts.For(value, culture)).ToList();
            Assert.Equal(texts.Count, texts.Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public void ResourceFiles_DutchAndGerman_HaveExactlyTheEnglishKeysAndNoStrayOnes()
    {
        var english = Keys(CultureInfo.InvariantCulture);
        var expected = TranslatedEnums.SelectMany(ValuesOf).Select(ErrorTexts.KeyOf)
            .Concat(["Special.InvalidTransition", "Special.HostMayNotSet", "Special.UnexpectedError"])
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, english);
        Assert.Equal(english, Keys(Dutch));
        Assert.Equal(english, Keys(German));
    }

    [Theory]
    [InlineData("nl-BE", "nl")]
    [InlineData("nl-NL", "nl")]
    [InlineData("de-AT", "de")]
    [InlineData("de-CH", "de")]
    [InlineData("en-GB", "en")]
    [InlineData("sv", "en")]
    [InlineData("sv-SE", "en")]
    [InlineData("ja-JP", "en")]
    [InlineData("", "en")]
    public void Culture_NotTranslatedItself_FallsBackToParentThenEnglish(string asked, string expected)
    {
        var culture = CultureInfo.GetCultureInfo(asked);
        var reference = CultureInfo.GetCultureInfo(expected);

        foreach (var value in TranslatedEnums.SelectMany(ValuesOf))
        {
            Assert.Equal(ErrorTexts.For(value, reference), ErrorTexts.For(value, culture));
        }
        Assert.Equal(
            ErrorTexts.InvalidTransition(ConnectionState.Main, ConnectionState.Connected, reference),
            ErrorTexts.InvalidTransition(ConnectionState.Main, ConnectionState.Connected, culture));
    }

    [Fact]
    public void NoCulture_UsesTheCurrentUiCulture()
    {
        var saved = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = German;
            Assert.Equal(ErrorTexts.For(HttpErrorKind.Timeout, German), ErrorTexts.For(HttpErrorKind.Timeout));
        }
        finally
        {
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Fact]
    public void Examples_ReadAsExpected()
    {
        Assert.Equal("Connected", ErrorTexts.For(ConnectionState.Connected, English));
        Assert.Equal("Verbonden", ErrorTexts.For(ConnectionState.Connected, Dutch));
        Assert.Equal("Verbunden", ErrorTexts.For(ConnectionState.Connected, German));
        Assert.Equal("The server did not respond in time.", ErrorTexts.For(HttpErrorKind.Timeout, English));
        Assert.Equal("De server reageerde niet op tijd.", ErrorTexts.For(HttpErrorKind.Timeout, Dutch));
        Assert.Equal("Der Server hat nicht rechtzeitig geantwortet.", ErrorTexts.For(HttpErrorKind.Timeout, German));
    }

    [Theory]
    [InlineData("en", "The connection cannot change from \"Ready\" to \"Connected\".")]
    [InlineData("nl", "De verbinding kan niet van \"Gereed\" naar \"Verbonden\" gaan.")]
    [InlineData("de", "Die Verbindung kann nicht von „Bereit“ zu „Verbunden“ wechseln.")]
    public void InvalidTransition_NamesBothStatesInTheLanguage(string culture, string expected)
    {
        Assert.Equal(expected, ErrorTexts.InvalidTransition(ConnectionState.Main, ConnectionState.Connected, CultureInfo.GetCultureInfo(culture)));
    }

    [Fact]
    public void ForRefusal_EachKind_TextFitsTheKind()
    {
        var invalid = new ConnectionTransitionRefused("r", ConnectionState.Main, ConnectionState.Connected, "fsm invalid transition");
        var notSettable = invalid with { To = ConnectionState.GotConfig, Kind = ConnectionRefusalKind.NotHostSettable };
        var mismatch = invalid with { To = ConnectionState.AskProfile, Kind = ConnectionRefusalKind.DataMismatch };

        foreach (var culture in new[] { English, Dutch, German })
        {
            Assert.Equal(ErrorTexts.InvalidTransition(ConnectionState.Main, ConnectionState.Connected, culture), ErrorTexts.ForRefusal(invalid, culture));
            Assert.Contains(ErrorTexts.For(ConnectionState.GotConfig, culture), ErrorTexts.ForRefusal(notSettable, culture), StringComparison.Ordinal);
            Assert.Equal(ErrorTexts.For(ConnectionRefusalKind.DataMismatch, culture), ErrorTexts.ForRefusal(mismatch, culture));
        }
    }

    [Fact]
    public void UndefinedValueOfSupportedEnum_GenericTextNotAnException()
    {
        foreach (var culture in new[] { English, Dutch, German })
        {
            Assert.True(ErrorTexts.TryGet("Special.UnexpectedError", culture, out var generic));
            Assert.Equal(generic, ErrorTexts.For((HttpErrorKind)999, culture));
        }
    }

    [Fact]
    public void UnsupportedEnumType_Throws()
    {
        Assert.Throws<ArgumentException>(() => ErrorTexts.For(DayOfWeek.Monday, English));
    }

    private static List<string> Keys(CultureInfo culture)
    {
        var set = ErrorTexts.ResourceSetFor(culture);
        Assert.NotNull(set);
        return set.Cast<DictionaryEntry>().Select(entry => (string)entry.Key).Order(StringComparer.Ordinal).ToList();
    }
}
