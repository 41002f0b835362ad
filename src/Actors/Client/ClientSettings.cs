using Akka.Configuration;
using EduVpnActors.Actors.Servers.Logic;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Actors.Client;

/// <summary>How the client flow asks for configurations (HOCON <c>eduvpn.connection</c>).</summary>
/// <param name="Protocols">The protocols the host can run.</param>
/// <param name="PreferWireGuard">Offer only WireGuard when a profile has both.</param>
/// <param name="ExpiryPolicy">Which renew/expiry rules apply.</param>
/// <param name="ReplyTimeout">
/// How long one step of an operation waits for another engine actor (registry, discovery, session).
/// Waits for the user (browser, questions) are not bounded by it.
/// </param>
public sealed record ClientSettings(IReadOnlyList<VpnProtocol> Protocols, bool PreferWireGuard, ExpiryPolicy ExpiryPolicy, TimeSpan ReplyTimeout)
{
    /// <summary>The default <see cref="ReplyTimeout"/>: well above a session step's HTTP time-outs (token refresh plus a call).</summary>
    public static readonly TimeSpan DefaultReplyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>OpenVPN and WireGuard, no preference, the official expiry rules.</summary>
    public static readonly ClientSettings Default = new([VpnProtocol.OpenVpn, VpnProtocol.WireGuard], false, ExpiryPolicy.Official, DefaultReplyTimeout);

    /// <summary>Reads <c>eduvpn.connection</c>.</summary>
    /// <exception cref="ConfigurationException">An unknown protocol or policy name, or a reply time-out that is not positive.</exception>
    public static ClientSettings FromConfig(Config config)
    {
        var section = config.GetConfig("eduvpn.connection");
        if (section is null || section.IsEmpty)
        {
            return Default;
        }
        var protocols = section.GetStringList("protocols").Select(name => name.Trim().ToLowerInvariant() switch
        {
            "openvpn" => VpnProtocol.OpenVpn,
            "wireguard" => VpnProtocol.WireGuard,
            _ => throw new ConfigurationException($"eduvpn.connection.protocols: unknown protocol '{name}' (use openvpn, wireguard)"),
        }).Distinct().ToArray();
        var policy = section.GetString("expiry-policy", "official").Trim().ToLowerInvariant() switch
        {
            "official" => ExpiryPolicy.Official,
            "eduvpn-common" => ExpiryPolicy.EduVpnCommon,
            var other => throw new ConfigurationException($"eduvpn.connection.expiry-policy: unknown policy '{other}' (use official, eduvpn-common)"),
        };
        var replyTimeout = section.GetTimeSpan("reply-timeout", DefaultReplyTimeout);
        if (replyTimeout <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"eduvpn.connection.reply-timeout must be positive, not {replyTimeout}");
        }
        return new ClientSettings(protocols, section.GetBoolean("prefer-wireguard", false), policy, replyTimeout);
    }
}
