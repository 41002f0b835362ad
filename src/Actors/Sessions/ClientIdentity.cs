using System.Reflection;
using Akka.Configuration;

namespace EduVpnActors.Actors.Sessions;

/// <summary>The client's identity from <c>eduvpn.client</c> and the User-Agent built from it.</summary>
public static class ClientIdentity
{
    /// <summary>The engine's name in the User-Agent.</summary>
    public const string LibraryName = "EduVpnActors";

    /// <summary>eduvpn-common caps each version at 20 characters; so does this.</summary>
    public const int MaxVersionLength = 20;

    /// <summary>The engine's version (this library's informational version, without build metadata).</summary>
    public static string LibraryVersion { get; } = Capped(
        (typeof(ClientIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(ClientIdentity).Assembly.GetName().Version?.ToString(3) ?? "0").Split('+')[0]);

    /// <summary>
    /// eduvpn-common's friendly name of an official client ID (e.g. <c>org.letsconnect-vpn.app.macos</c> →
    /// <c>Let's Connect! for macOS</c>); null for any other (self-registered) ID.
    /// </summary>
    public static string? FriendlyNameOf(string clientId)
    {
        var parts = clientId.Split('.');
        if (parts.Length != 4 || parts[0] != "org" || parts[2] != "app")
        {
            return null;
        }
        var brand = parts[1] switch
        {
            "eduvpn" => "eduVPN",
            "letsconnect-vpn" => "Let's Connect!",
            "govvpn" => "govVPN",
            _ => null,
        };
        var platform = parts[3] switch
        {
            "windows" => "Windows",
            "android" => "Android",
            "ios" => "iOS",
            "macos" => "macOS",
            "linux" => "Linux",
            _ => null,
        };
        return brand is null || platform is null ? null : $"{brand} for {platform}";
    }

    /// <summary>
    /// <c>&lt;host app name&gt;/&lt;version&gt; EduVpnActors/&lt;engine version&gt;</c>: the host app says who it is,
    /// the engine says what it is (not eduvpn-common, which it is not). The name is <c>eduvpn.client.friendly-name</c>
    /// when set, else derived from the client ID as eduvpn-common does, else the client ID itself; the version is
    /// <c>eduvpn.client.version</c>. Versions are capped at <see cref="MaxVersionLength"/> characters.
    /// </summary>
    /// <exception cref="ConfigurationException">An empty client ID, or a name or version that is no printable ASCII (a header value).</exception>
    public static string UserAgent(Config config)
    {
        var (name, version) = AppNameAndVersion(config);
        return $"{name}/{version} {LibraryName}/{LibraryVersion}";
    }

    /// <summary>
    /// The host app's name and version as User-Agents name it (the engine's HTTP client and ProxyGuard's upgrade request):
    /// <c>eduvpn.client.friendly-name</c> when set, else derived from the client ID, else the client ID itself; and
    /// <c>eduvpn.client.version</c>, capped at <see cref="MaxVersionLength"/> characters.
    /// </summary>
    /// <exception cref="ConfigurationException">An empty client ID, or a name or version that is no printable ASCII (a header value).</exception>
    public static (string Name, string Version) AppNameAndVersion(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var client = config.GetConfig("eduvpn.client");
        var id = client.GetString("id", "org.eduvpn.app.linux");
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ConfigurationException("eduvpn.client.id must not be empty.");
        }
        var friendly = client.GetString("friendly-name", "");
        if (string.IsNullOrWhiteSpace(friendly))
        {
            friendly = FriendlyNameOf(id) ?? id;
        }
        var version = client.GetString("version", "0.1.0");
        // A name with '/' would end the product token early; the version may hold one ("1.0/beta" is odd but harmless).
        Printable("eduvpn.client.friendly-name (or the client id it comes from)", friendly, allowSlash: false);
        Printable("eduvpn.client.version", version, allowSlash: true);
        return (friendly.Trim(), Capped(version.Trim()));
    }

    private static void Printable(string key, string value, bool allowSlash)
    {
        // A header value: printable ASCII only, so a name can neither break the request nor inject a header.
        if (value.Any(c => c is < ' ' or > '~') || (!allowSlash && value.Contains('/', StringComparison.Ordinal)))
        {
            throw new ConfigurationException($"{key} must be printable ASCII{(allowSlash ? "" : " without '/'")}, not '{value}'.");
        }
    }

    private static string Capped(string version) => version.Length <= MaxVersionLength ? version : version[..MaxVersionLength];
}
