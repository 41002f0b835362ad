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
/// Waits for the user have their own, longer limits (<see cref="AuthorizationTimeout"/>, <see cref="QuestionTimeout"/>).
/// </param>
public sealed record ClientSettings(IReadOnlyList<VpnProtocol> Protocols, bool PreferWireGuard, ExpiryPolicy ExpiryPolicy, TimeSpan ReplyTimeout)
{
    /// <summary>The default <see cref="ReplyTimeout"/>: well above a session step's HTTP time-outs (token refresh plus a call).</summary>
    public static readonly TimeSpan DefaultReplyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="QuestionTimeout"/>.</summary>
    public static readonly TimeSpan DefaultQuestionTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a step waits for the session once the browser is open: the session's own callback time-out
    /// (<c>eduvpn.oauth.callback-timeout</c>) ends the wait first; this bounds a session answer that is lost.
    /// </summary>
    public TimeSpan AuthorizationTimeout { get; init; } = TimeSpan.FromMinutes(5) + DefaultReplyTimeout;

    /// <summary>How long a connection idle in Main (no operation, no probe) lives before it is retired (<c>eduvpn.connection.idle-timeout</c>).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a profile or location question waits for the host's answer before the operation ends (<c>eduvpn.connection.question-timeout</c>).</summary>
    public TimeSpan QuestionTimeout { get; init; } = DefaultQuestionTimeout;

    /// <summary>OpenVPN and WireGuard, no preference, the official expiry rules.</summary>
    public static readonly ClientSettings Default = new([VpnProtocol.OpenVpn, VpnProtocol.WireGuard], false, ExpiryPolicy.Official, DefaultReplyTimeout);

    /// <summary>
    /// How long a caller outside the engine (the facade) waits for the answer to a query (state, discovery, registry)
    /// before it gives up with a time-out: a last resort for a lost reply, the engine answers well within it.
    /// </summary>
    public TimeSpan QueryDeadline => ReplyTimeout * 2;

    /// <summary>
    /// The same for a whole operation: every step inside has its own deadline, so the engine answers within many
    /// steps' worth of <see cref="ReplyTimeout"/> plus the user's waits (browser, questions).
    /// </summary>
    public TimeSpan OperationDeadline => ReplyTimeout * 20 + AuthorizationTimeout * 2 + QuestionTimeout * 2;

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
        var replyTimeout = Positive(section, "reply-timeout", DefaultReplyTimeout);
        var callbackTimeout = config.GetTimeSpan("eduvpn.oauth.callback-timeout", TimeSpan.FromMinutes(5));
        return new ClientSettings(protocols, section.GetBoolean("prefer-wireguard", false), policy, replyTimeout)
        {
            AuthorizationTimeout = callbackTimeout + replyTimeout,
            QuestionTimeout = Positive(section, "question-timeout", DefaultQuestionTimeout),
            IdleTimeout = Positive(section, "idle-timeout", TimeSpan.FromMinutes(10)),
        };
    }

    private static TimeSpan Positive(Config section, string key, TimeSpan fallback)
    {
        var value = section.GetTimeSpan(key, fallback);
        return value > TimeSpan.Zero ? value : throw new ConfigurationException($"eduvpn.connection.{key} must be positive, not {value}");
    }
}
