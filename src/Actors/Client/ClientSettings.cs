using Akka.Configuration;
using EduVpnActors.Actors.Servers.Logic;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Actors.Client;

/// <summary>How the client flow asks for configurations (HOCON <c>eduvpn.connection</c>).</summary>
public sealed record ClientSettings(IReadOnlyList<VpnProtocol> Protocols, bool PreferWireGuard, ExpiryPolicy ExpiryPolicy)
{
    /// <summary>OpenVPN and WireGuard, no preference, the official expiry rules.</summary>
    public static readonly ClientSettings Default = new([VpnProtocol.OpenVpn, VpnProtocol.WireGuard], false, ExpiryPolicy.Official);

    /// <summary>Reads <c>eduvpn.connection</c>.</summary>
    /// <exception cref="ConfigurationException">An unknown protocol or policy name.</exception>
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
        return new ClientSettings(protocols, section.GetBoolean("prefer-wireguard", false), policy);
    }
}
