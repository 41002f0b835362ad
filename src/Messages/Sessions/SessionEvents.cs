namespace EduVpnActors.Messages.Sessions;

/// <summary>
/// A session's new tokens were stored. <paramref name="ProtectedTokens"/> is the encrypted token
/// document (never the tokens themselves); each event replaces everything before it.
/// </summary>
[PersistedAs("session-tokens-stored.v1")]
public sealed record SessionTokensStored(byte[] ProtectedTokens, long StoredAtMs) : IPersistedMessage
{
    /// <inheritdoc />
    public override string ToString() => $"SessionTokensStored {{ ProtectedTokens = <{ProtectedTokens.Length} bytes>, StoredAtMs = {StoredAtMs} }}";
}

/// <summary>The session's tokens were dropped (forgotten, revoked, or refused by the server).</summary>
[PersistedAs("session-tokens-dropped.v1")]
public sealed record SessionTokensDropped(long DroppedAtMs) : IPersistedMessage;
