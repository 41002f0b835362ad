using System.Collections.Frozen;
using System.Globalization;
using System.Resources;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Errors;
using EduVpnActors.Messages.Failover;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

[assembly: NeutralResourcesLanguage("en")]

namespace EduVpnActors.Actors.Localization;

/// <summary>
/// User-facing texts for the engine's error categories and connection states, in the language the
/// host chooses (one of <see cref="EngineLanguages.Supported"/>; any other culture falls back along its
/// parents, e.g. nl-BE to Dutch, and finally to English). The texts live in <c>EngineTexts*.resx</c>
/// under the key <c>EnumType.Value</c>.
/// </summary>
public static class ErrorTexts
{
    private const string InvalidTransitionKey = "Special.InvalidTransition";
    private const string HostMayNotSetKey = "Special.HostMayNotSet";
    private const string UnexpectedErrorKey = "Special.UnexpectedError";

    private static readonly ResourceManager Resources =
        new("EduVpnActors.Actors.Localization.EngineTexts", typeof(ErrorTexts).Assembly);

    private static readonly FrozenSet<Type> Supported = new[]
    {
        typeof(ConnectionState),
        typeof(ClientErrorKind),
        typeof(ConnectionRefusalKind),
        typeof(SessionErrorKind),
        typeof(RegistryErrorKind),
        typeof(ApiErrorKind),
        typeof(SignatureErrorKind),
        typeof(DiscoveryWarningKind),
        typeof(HttpErrorKind),
        typeof(TransportFailureKind),
        typeof(ProbeErrorKind),
        typeof(StorageProblemKind),
        typeof(ProxyGuardErrorKind),
        typeof(Configuration.EngineFileKind),
        typeof(HostChoiceText),
    }.ToFrozenSet();

    /// <summary>The enum types that have a text for every value.</summary>
    public static IReadOnlyCollection<Type> SupportedEnums => Supported;

    /// <summary>
    /// The text for <paramref name="kind"/>: a display name for a <see cref="ConnectionState"/>, a
    /// sentence for an error category. An undefined value of a supported enum gets a generic
    /// "unexpected error" text rather than an exception, because callers build error messages with it.
    /// </summary>
    /// <param name="kind">A value of one of <see cref="SupportedEnums"/>.</param>
    /// <param name="culture">The host's language; <c>null</c> means <see cref="CultureInfo.CurrentUICulture"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="kind"/>'s type is not supported.</exception>
    public static string For(Enum kind, CultureInfo? culture = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var type = kind.GetType();
        if (!Supported.Contains(type))
        {
            throw new ArgumentException($"no texts for the enum type '{type.FullName}'", nameof(kind));
        }
        return TryGet(KeyOf(kind), culture, out var text) ? text : Get(UnexpectedErrorKey, culture);
    }

    /// <summary>The text for an illegal transition, naming both states by their display names.</summary>
    public static string InvalidTransition(ConnectionState from, ConnectionState to, CultureInfo? culture = null) =>
        Format(culture, Get(InvalidTransitionKey, culture), For(from, culture), For(to, culture));

    /// <summary>The text for a refused transition, according to its <see cref="ConnectionTransitionRefused.Kind"/>.</summary>
    public static string ForRefusal(ConnectionTransitionRefused refused, CultureInfo? culture = null)
    {
        ArgumentNullException.ThrowIfNull(refused);
        return refused.Kind switch
        {
            ConnectionRefusalKind.InvalidTransition => InvalidTransition(refused.From, refused.To, culture),
            ConnectionRefusalKind.NotHostSettable => Format(culture, Get(HostMayNotSetKey, culture), For(refused.To, culture)),
            _ => For(refused.Kind, culture),
        };
    }

    /// <summary>The resource key of an enum value (internal for the completeness tests).</summary>
    internal static string KeyOf(Enum kind) => $"{kind.GetType().Name}.{kind}";

    /// <summary>
    /// Looks <paramref name="key"/> up with the resource fallback (culture, its parents, English).
    /// Internal so tests can tell a missing text from the generic one.
    /// </summary>
    internal static bool TryGet(string key, CultureInfo? culture, out string text)
    {
        var found = Resources.GetString(key, culture ?? CultureInfo.CurrentUICulture);
        text = found ?? string.Empty;
        return !string.IsNullOrWhiteSpace(found);
    }

    /// <summary>The raw resource set of exactly one culture, without fallback (for the completeness tests).</summary>
    internal static ResourceSet? ResourceSetFor(CultureInfo culture) =>
        Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false);

    private static string Get(string key, CultureInfo? culture) =>
        TryGet(key, culture, out var text) ? text : throw new MissingManifestResourceException($"missing engine text '{key}'");

    private static string Format(CultureInfo? culture, string format, params object[] args) =>
        string.Format(culture ?? CultureInfo.CurrentUICulture, format, args);
}
