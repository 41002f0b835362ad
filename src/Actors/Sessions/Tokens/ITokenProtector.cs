namespace EduVpnActors.Actors.Sessions.Tokens;

/// <summary>
/// Encrypts tokens before they reach the journal. A host may plug in its own (OS key ring, TPM,
/// DPAPI); the engine's default is <see cref="AesGcmTokenProtector"/>. Implementations must be thread-safe.
/// </summary>
public interface ITokenProtector
{
    /// <summary>Encrypts and authenticates <paramref name="plaintext"/>, bound to <paramref name="purpose"/> (e.g. the session's persistence id).</summary>
    byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose);

    /// <summary>Reverses <see cref="Protect"/>.</summary>
    /// <exception cref="TokenProtectionException">Wrong key, wrong purpose, or damaged data.</exception>
    byte[] Unprotect(ReadOnlySpan<byte> protectedData, string purpose);
}

/// <summary>Stored tokens could not be decrypted (key lost or replaced, data damaged). The message holds no secret.</summary>
public sealed class TokenProtectionException(string message, Exception? inner = null) : Exception(message, inner);
