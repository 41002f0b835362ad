using System.Globalization;

namespace EduVpnActors.Actors.Localization;

/// <summary>
/// The languages the engine's user-facing texts (<see cref="ErrorTexts"/>) are written in: the eleven that
/// eduvpn-common's host apps show (cs, da, de, en, es, fr, it, nl, pt, sl, uk). Each one but English (the
/// neutral texts) is a satellite assembly built from <c>EngineTexts.&lt;code&gt;.resx</c>.
/// </summary>
public static class EngineLanguages
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    /// <summary>The supported languages as neutral cultures, English first, then by code.</summary>
    public static IReadOnlyList<CultureInfo> Supported { get; } =
        [English, .. new[] { "cs", "da", "de", "es", "fr", "it", "nl", "pt", "sl", "uk" }.Select(CultureInfo.GetCultureInfo)];

    /// <summary>
    /// The supported language whose texts <paramref name="culture"/> gets: itself or its nearest supported
    /// parent (fr-BE → fr, pt-BR → pt), else English, the way the resource fallback chooses.
    /// </summary>
    /// <param name="culture">The host's language; <c>null</c> means <see cref="CultureInfo.CurrentUICulture"/>.</param>
    public static CultureInfo TextLanguageOf(CultureInfo? culture = null)
    {
        for (var current = culture ?? CultureInfo.CurrentUICulture; !Equals(current, CultureInfo.InvariantCulture); current = current.Parent)
        {
            if (Supported.FirstOrDefault(language => language.Name == current.Name) is { } supported)
            {
                return supported;
            }
        }
        return English;
    }
}
