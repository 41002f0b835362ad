using System.Security.Cryptography;
using System.Text;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;

namespace EduVpnActors.Actors.Sessions.Tokens;

/// <summary>
/// AES-256-GCM with a random key kept in its own 0600 file next to (never inside) the database, so a
/// copied or leaked database alone reveals no token. The purpose is the associated data: a blob
/// moved to another session does not decrypt. Format: version 1 | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class AesGcmTokenProtector : ITokenProtector
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;

    private readonly byte[] _key;

    /// <summary>Uses <paramref name="key"/> (32 bytes) as it is.</summary>
    public AesGcmTokenProtector(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"The token key must be {KeySize} bytes.", nameof(key));
        }
        _key = key.ToArray();
    }

    /// <summary>Loads the key file, creating it (32 random bytes, mode 0600) when it does not exist.</summary>
    /// <exception cref="StorageException"><see cref="StorageProblemKind.TokenKeyDamaged"/>: the file exists but is not a key (it is left as it is).</exception>
    public static AesGcmTokenProtector FromKeyFile(string path)
    {
        if (!File.Exists(path))
        {
            // The key lives in the engine's own directory, which is always owner-only.
            DataDirectory.Ensure(Path.GetDirectoryName(Path.GetFullPath(path))!);
            DataDirectory.WritePrivateFile(path, RandomNumberGenerator.GetBytes(KeySize));
        }
        var key = File.ReadAllBytes(path);
        ThrowIfWrongLength(path, key.Length);
        return new AesGcmTokenProtector(key);
    }

    /// <summary>Checks an existing key file without reading or creating a key (a missing file is fine: it is created on first use).</summary>
    /// <exception cref="StorageException"><see cref="StorageProblemKind.TokenKeyDamaged"/>: the file exists but is not a key.</exception>
    public static void ThrowIfDamaged(string path)
    {
        var file = new FileInfo(path);
        if (file.Exists)
        {
            ThrowIfWrongLength(path, file.Length);
        }
    }

    private static void ThrowIfWrongLength(string path, long length)
    {
        if (length != KeySize)
        {
            // Never replaced silently: a host may want to restore the real key from a backup first.
            throw new StorageException(StorageProblemKind.TokenKeyDamaged,
                $"The token key file '{path}' is damaged ({length} bytes, a key has {KeySize}). Move it aside to start with a new key; "
                + "the stored sign-ins cannot be read with it, so each server is authorized again.", path);
        }
    }

    /// <summary>
    /// The engine's default: the key file <c>eduvpn.oauth.token-key-file-name</c> in <c>eduvpn.data-directory</c>
    /// (or <see cref="DataDirectory.Default"/> when that is empty).
    /// </summary>
    /// <exception cref="StorageException"><see cref="StorageProblemKind.TokenKeyDamaged"/>: the key file is not a key.</exception>
    public static AesGcmTokenProtector FromConfig(Akka.Configuration.Config config)
    {
        var directory = config.GetString("eduvpn.data-directory", "");
        var fileName = EngineFiles.RequirePlainFileName("eduvpn.oauth.token-key-file-name", config.GetString("eduvpn.oauth.token-key-file-name", "session-tokens.key"));
        var dir = DataDirectory.Ensure(string.IsNullOrWhiteSpace(directory) ? DataDirectory.Default() : directory);
        return FromKeyFile(Path.Combine(dir, fileName));
    }

    /// <inheritdoc/>
    public byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose)
    {
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(purpose));
        return output;
    }

    /// <inheritdoc/>
    public byte[] Unprotect(ReadOnlySpan<byte> protectedData, string purpose)
    {
        if (protectedData.Length < 1 + NonceSize + TagSize || protectedData[0] != Version)
        {
            throw new TokenProtectionException("The stored tokens are not in a known format.");
        }
        var plaintext = new byte[protectedData.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(protectedData.Slice(1, NonceSize), protectedData[(1 + NonceSize + TagSize)..],
                protectedData.Slice(1 + NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(purpose));
        }
        catch (CryptographicException e)
        {
            throw new TokenProtectionException("The stored tokens could not be decrypted (other key, other session, or damaged).", e);
        }
        return plaintext;
    }
}
