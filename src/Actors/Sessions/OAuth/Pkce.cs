using System.Security.Cryptography;
using System.Text;

namespace EduVpnActors.Actors.Sessions.OAuth;

/// <summary>PKCE S256 (RFC 7636) and the random values of an authorization request.</summary>
public static class Pkce
{
    /// <summary>base64url without padding of 32 random bytes (43 characters): a verifier or a <c>state</c>.</summary>
    public static string NewRandomValue() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The S256 challenge: base64url-no-padding(SHA-256(ASCII(verifier))).</summary>
    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>Base64url without padding (RFC 7636 appendix A).</summary>
    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
