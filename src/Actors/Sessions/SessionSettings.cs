using Akka.Configuration;

namespace EduVpnActors.Actors.Sessions;

/// <summary>
/// The OAuth client identity (<c>eduvpn.client</c>) and the session rules (<c>eduvpn.oauth</c>). The
/// redirect URI is <c>http://{LoopbackHost}:{port}{CallbackPath}</c>: always a loopback IP literal over
/// plain http (RFC 8252 §7.3, §8.3), so a self-registered client spells its registered URI with these three.
/// </summary>
/// <param name="ClientId">The OAuth <c>client_id</c> (an official one, or a self-registered one).</param>
/// <param name="LoopbackHost"><c>127.0.0.1</c> or <c>[::1]</c>: where the callback listener binds.</param>
/// <param name="CallbackPort">0 = an ephemeral port; a fixed port for a client registered with one.</param>
/// <param name="CallbackPath">The path of the redirect URI (<c>/callback</c> for the official clients).</param>
/// <param name="CallbackTimeout">How long an authorization waits for the browser.</param>
/// <param name="ExpiryMargin">An access token counts as expired this long before its <c>expires_in</c> ends (clock skew).</param>
public sealed record SessionSettings(
    string ClientId,
    string LoopbackHost,
    int CallbackPort,
    string CallbackPath,
    TimeSpan CallbackTimeout,
    TimeSpan ExpiryMargin)
{
    /// <summary>The defaults of <c>hocon/engine.conf</c>.</summary>
    public static SessionSettings Default { get; } = new("org.eduvpn.app.linux", "127.0.0.1", 0, "/callback", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));

    /// <summary>Reads <c>eduvpn.oauth</c> and the client identity.</summary>
    public static SessionSettings FromConfig(Config config)
    {
        var client = config.GetConfig("eduvpn.client");
        var oauth = config.GetConfig("eduvpn.oauth");
        var host = oauth.GetString("loopback-host", "127.0.0.1").Trim();
        if (host is not ("127.0.0.1" or "[::1]" or "::1"))
        {
            throw new ConfigurationException($"eduvpn.oauth.loopback-host must be 127.0.0.1 or [::1], not '{host}'.");
        }
        var path = oauth.GetString("callback-path", "/callback");
        // The path must survive URI normalisation unchanged: the server compares the redirect URI byte for
        // byte, and the listener compares the browser's request path with it.
        if (!path.StartsWith('/') || path.Contains('?') || path.Contains('#')
            || !Uri.TryCreate("http://127.0.0.1:1024" + path, UriKind.Absolute, out var normalised) || normalised.AbsolutePath != path)
        {
            throw new ConfigurationException($"eduvpn.oauth.callback-path must be an absolute, normalised URI path (no spaces, dot segments, query or fragment), not '{path}'.");
        }
        var port = oauth.GetInt("callback-port", 0);
        if (port is < 0 or > 65535 || (port is > 0 and < 1024))
        {
            throw new ConfigurationException($"eduvpn.oauth.callback-port must be 0 (ephemeral) or 1024–65535, not {port}.");
        }
        var clientId = client.GetString("id", "");
        if (string.IsNullOrWhiteSpace(clientId))
        {
            throw new ConfigurationException("eduvpn.client.id must not be empty.");
        }
        return new SessionSettings(
            clientId,
            host == "::1" ? "[::1]" : host,
            port,
            path,
            oauth.GetTimeSpan("callback-timeout", TimeSpan.FromMinutes(5)),
            oauth.GetTimeSpan("expiry-margin", TimeSpan.FromSeconds(30)));
    }
}
