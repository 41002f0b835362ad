using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace EduVpnActors.Tests.Discovery;

/// <summary>
/// Signs documents in minisign's format with a key made for the test, so tests can publish newer,
/// older or forged discovery lists that a verifier configured with <see cref="PublicKey"/> judges.
/// </summary>
internal sealed class TestMinisignSigner : IDisposable
{
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly byte[] _keyId = RandomNumberGenerator.GetBytes(8);

    /// <summary>The public key in minisign's base64 form (<c>RW…</c>).</summary>
    public string PublicKey => Convert.ToBase64String([(byte)'E', (byte)'d', .. _keyId, .. _key.PublicKey.Export(KeyBlobFormat.RawPublicKey)]);

    /// <summary>A prehashed (<c>ED</c>) signature file with the given trusted timestamp and file name.</summary>
    public string Sign(byte[] document, ulong timestamp, string fileName, bool prehashed = true)
    {
        var message = prehashed ? NSec.Cryptography.HashAlgorithm.Blake2b_512.Hash(document) : document;
        var signature = SignatureAlgorithm.Ed25519.Sign(_key, message);
        var trustedComment = $"timestamp:{timestamp}\tfile:{fileName}" + (prehashed ? "\thashed" : "");
        var global = SignatureAlgorithm.Ed25519.Sign(_key, [.. signature, .. Encoding.UTF8.GetBytes(trustedComment)]);
        byte[] algorithm = prehashed ? [(byte)'E', (byte)'D'] : [(byte)'E', (byte)'d'];
        return "untrusted comment: signature from a test key\n"
            + Convert.ToBase64String([.. algorithm, .. _keyId, .. signature]) + "\n"
            + "trusted comment: " + trustedComment + "\n"
            + Convert.ToBase64String(global) + "\n";
    }

    public void Dispose() => _key.Dispose();
}
