using NSec.Cryptography;

namespace EduVpnActors.Actors.WireGuard;

/// <summary>
/// A WireGuard private key (standard base64 of the 32 clamped bytes). It is a secret: ToString
/// hides it; read it deliberately through <see cref="ToBase64"/> only to put it into the config.
/// </summary>
public sealed class WireGuardPrivateKey
{
    private readonly string _base64;

    internal WireGuardPrivateKey(string base64) => _base64 = base64;

    /// <summary>The key as WireGuard's <c>PrivateKey</c> value.</summary>
    public string ToBase64() => _base64;

    /// <inheritdoc />
    public override string ToString() => "WireGuardPrivateKey(<redacted>)";
}

/// <summary>A fresh WireGuard key pair; only <see cref="PublicKey"/> is sent to the server.</summary>
public sealed record WireGuardKeyPair(WireGuardPrivateKey PrivateKey, string PublicKey);

/// <summary>X25519 key generation for WireGuard (one fresh pair per <c>/connect</c>).</summary>
public static class WireGuardKeys
{
    /// <summary>Generates a key pair; both keys are 44-character standard base64.</summary>
    public static WireGuardKeyPair Generate()
    {
        using var key = Key.Create(
            KeyAgreementAlgorithm.X25519,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var privateBytes = key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            // X25519 clamps on use anyway; clamping the stored bytes makes them the canonical
            // WireGuard form (and leaves the public key unchanged).
            privateBytes[0] &= 248;
            privateBytes[31] &= 127;
            privateBytes[31] |= 64;
            var publicBytes = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            return new WireGuardKeyPair(new WireGuardPrivateKey(Convert.ToBase64String(privateBytes)), Convert.ToBase64String(publicBytes));
        }
        finally
        {
            Array.Clear(privateBytes);
        }
    }
}
