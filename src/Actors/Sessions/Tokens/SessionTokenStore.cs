using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions.Tokens;

/// <summary>
/// The journal rules of one session's tokens: its events carry them encrypted, bound to the session's
/// persistence id, and each event replaces every one before it. No actor: the session persists what this makes.
/// </summary>
/// <param name="protector">Encrypts and decrypts the token documents.</param>
/// <param name="purpose">The session's persistence id: a blob moved to another session does not decrypt.</param>
internal sealed class SessionTokenStore(ITokenProtector protector, string purpose)
{
    /// <summary>The event that stores <paramref name="tokens"/> encrypted.</summary>
    /// <exception cref="Exception">The protector's own failure (see <see cref="SessionFailures.IsProtectionFailure"/>): nothing may be stored then.</exception>
    public SessionTokensStored Stored(OAuthTokens tokens, DateTimeOffset now) =>
        new(protector.Protect(tokens.ToBytes(), purpose), now.ToUnixTimeMilliseconds());

    /// <summary>The event that drops the tokens.</summary>
    public static SessionTokensDropped Dropped(DateTimeOffset now) => new(now.ToUnixTimeMilliseconds());

    /// <summary>
    /// The tokens of a stored event, or null with <paramref name="unreadable"/> saying why (key lost or
    /// replaced, data damaged): the session then needs a new authorization instead of failing to recover.
    /// </summary>
    public OAuthTokens? Open(SessionTokensStored stored, out string? unreadable)
    {
        try
        {
            unreadable = null;
            return OAuthTokens.FromBytes(protector.Unprotect(stored.ProtectedTokens, purpose));
        }
        catch (Exception e) when (e is TokenProtectionException or System.Text.Json.JsonException)
        {
            unreadable = e.Message;
            return null;
        }
    }

    /// <summary>The last sequence number made obsolete once event <paramref name="lastSequenceNr"/> is written, or null when none is.</summary>
    public static long? ObsoleteUpTo(long lastSequenceNr) => lastSequenceNr > 1 ? lastSequenceNr - 1 : null;
}
