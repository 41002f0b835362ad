namespace EduVpnActors.Actors.Discovery.Signatures;

/// <summary>What a valid discovery signature vouches for.</summary>
/// <param name="Timestamp">The trusted comment's <c>timestamp</c> (Unix seconds).</param>
/// <param name="FileName">The trusted comment's <c>file</c>.</param>
/// <param name="KeyId">The signing key's ID as minisign displays it (16 upper-case hex digits).</param>
/// <param name="Prehashed">Whether the signature is over BLAKE2b-512 of the file (<c>ED</c>) rather than the raw file (<c>Ed</c>).</param>
public sealed record VerifiedSignature(ulong Timestamp, string FileName, string KeyId, bool Prehashed);
