using Akka.Configuration;

namespace EduVpnActors.Actors.Sessions;

/// <summary>The client's identity from <c>eduvpn.client</c> and eduvpn-common's User-Agent built from it.</summary>
public static class ClientIdentity
{
    /// <summary>The eduvpn-common library version the User-Agent names (behaviour reference §1.4).</summary>
    public const string CommonVersion = "2.1.0";

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
    /// <c>&lt;friendly name&gt;/&lt;version&gt; eduvpn-common/&lt;lib version&gt;</c>. The friendly name is
    /// <c>eduvpn.client.friendly-name</c> when set, else derived from the client ID, else the client ID itself.
    /// </summary>
    public static string UserAgent(Config config)
    {
        var (name, version) = AppNameAndVersion(config);
        return $"{name}/{version} eduvpn-common/{CommonVersion}";
    }

    /// <summary>
    /// The host app's name and version as User-Agents name it: <c>eduvpn.client.friendly-name</c> when set,
    /// else derived from the client ID, else the client ID itself; and <c>eduvpn.client.version</c>.
    /// </summary>
    public static (string Name, string Version) AppNameAndVersion(Config config)
    {
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
        return (friendly, client.GetString("version", "0.1.0"));
    }
}
