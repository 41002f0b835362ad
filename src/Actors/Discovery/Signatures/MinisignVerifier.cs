using System.Buffers.Binary;
using System.Text;
using EduVpnActors.Messages.Discovery;
using NSec.Cryptography;

namespace EduVpnActors.Actors.Discovery.Signatures;

/// <summary>
/// Verifies minisign signatures of the discovery documents exactly as eduvpn-common does: the
/// rules are checked in a fixed order and the first failing rule decides the error.
/// </summary>
public sealed class MinisignVerifier
{
    /// <summary>The trusted eduVPN discovery keys (the <c>RWQ68Y5/…</c> key is revoked and absent).</summary>
    public static readonly IReadOnlyList<string> ProductionKeys =
    [
        "RWRtBSX1alxyGX+Xn3LuZnWUT0w//B6EmTJvgaAxBMYzlQeI+jdrO6KF",
        "RWQKqtqvd0R7rUDp0rWzbtYPA3towPWcLDCl7eY9pBMMI/ohCmrS0WiM",
    ];

    private const string TrustedCommentPrefix = "trusted comment: ";
    private const int SignatureBlobLength = 74;
    private const int Ed25519SignatureLength = 64;
    private const int PublicKeyBlobLength = 42;

    private static readonly string[] DiscoveryFileNames = ["server_list.json", "organization_list.json"];

    private readonly TrustedKey[] _keys;
    private readonly bool _requirePrehashed;

    /// <param name="trustedKeys">Keys in minisign base64 form (<c>RW…</c>), tried in this order.</param>
    /// <param name="requirePrehashed">Reject legacy <c>Ed</c> signatures (minisign issue #104).</param>
    public MinisignVerifier(IReadOnlyList<string> trustedKeys, bool requirePrehashed)
    {
        ArgumentNullException.ThrowIfNull(trustedKeys);
        // Keys are decoded now, but a bad key is only reported when the walk over the keys reaches
        // it, as upstream does: a bad key after the matching one does not stop verification.
        _keys = trustedKeys.Select(TrustedKey.Decode).ToArray();
        _requirePrehashed = requirePrehashed;
    }

    /// <summary>Verifies <paramref name="document"/> against <paramref name="signatureText"/>.</summary>
    /// <param name="document">The exact downloaded bytes.</param>
    /// <param name="signatureText">The <c>.minisig</c> file's text.</param>
    /// <param name="expectedFileName"><c>server_list.json</c> or <c>organization_list.json</c>.</param>
    /// <param name="minSignTime">The <c>v</c> of the copy already held (0 if none): older signatures are rollbacks.</param>
    /// <exception cref="SignatureException">The first rule that fails.</exception>
    public VerifiedSignature Verify(ReadOnlySpan<byte> document, string signatureText, string expectedFileName, ulong minSignTime)
    {
        ArgumentNullException.ThrowIfNull(signatureText);
        ArgumentNullException.ThrowIfNull(expectedFileName);

        if (!DiscoveryFileNames.Contains(expectedFileName, StringComparer.Ordinal))
        {
            throw new SignatureException(SignatureErrorKind.InvalidFilename,
                $"invalid filename '{expectedFileName}' (expected 'server_list.json' or 'organization_list.json')");
        }

        var signature = ParsedSignature.Parse(signatureText)
            ?? throw new SignatureException(SignatureErrorKind.InvalidSignatureFormat,
                "invalid signature format: expected a four-line minisign signature");

        if (_requirePrehashed && !signature.IsPrehashed)
        {
            throw new SignatureException(SignatureErrorKind.InvalidAlgorithm,
                $"invalid signature algorithm '{signature.AlgorithmText}' (a prehashed 'ED' signature is required)");
        }

        foreach (var key in _keys)
        {
            if (key.Ed25519Key is null)
            {
                throw new SignatureException(SignatureErrorKind.InvalidPublicKey,
                    $"failed to create public key '{key.Text}': {key.Problem}");
            }
            if (!key.KeyId.AsSpan().SequenceEqual(signature.KeyId))
            {
                continue;
            }
            return VerifyWithKey(key, signature, document, expectedFileName, minSignTime);
        }

        throw new SignatureException(SignatureErrorKind.UnknownKey,
            $"signature for filename '{expectedFileName}' was created with an unknown key (key ID {DisplayKeyId(signature.KeyId)})");
    }

    private static VerifiedSignature VerifyWithKey(
        TrustedKey key, ParsedSignature signature, ReadOnlySpan<byte> document, string expectedFileName, ulong minSignTime)
    {
        if (!signature.IsLegacy && !signature.IsPrehashed)
        {
            throw InvalidSignature($"unsupported signature algorithm '{signature.AlgorithmText}'");
        }
        if (!signature.TrustedComment.StartsWith(TrustedCommentPrefix, StringComparison.Ordinal))
        {
            throw InvalidSignature("the trusted comment line does not start with 'trusted comment: '");
        }

        var ed25519 = SignatureAlgorithm.Ed25519;
        var signed = signature.IsPrehashed ? HashAlgorithm.Blake2b_512.Hash(document) : document;
        if (!ed25519.Verify(key.Ed25519Key!, signed, signature.Signature))
        {
            throw InvalidSignature("the file signature does not verify");
        }

        var comment = signature.TrustedComment[TrustedCommentPrefix.Length..];
        var commentBytes = Encoding.UTF8.GetBytes(comment);
        var global = new byte[Ed25519SignatureLength + commentBytes.Length];
        signature.Signature.CopyTo(global, 0);
        commentBytes.CopyTo(global, Ed25519SignatureLength);
        if (!ed25519.Verify(key.Ed25519Key!, global, signature.GlobalSignature))
        {
            throw InvalidSignature("the signature over the trusted comment does not verify");
        }

        if (!TrustedCommentParser.TryParse(comment, out var timestamp, out var fileName))
        {
            throw new SignatureException(SignatureErrorKind.InvalidTrustedComment,
                $"invalid trusted comment '{comment}' (expected 'timestamp:<n> file:<name>')");
        }
        if (!string.Equals(fileName, expectedFileName, StringComparison.Ordinal))
        {
            throw new SignatureException(SignatureErrorKind.WrongFilename,
                $"wrong filename '{fileName}' (expected '{expectedFileName}')");
        }
        if (timestamp < minSignTime)
        {
            throw new SignatureException(SignatureErrorKind.SignTimeTooOld,
                $"sign time {timestamp} is before the time of the copy already held ({minSignTime}): possible rollback");
        }

        return new VerifiedSignature(timestamp, fileName, DisplayKeyId(key.KeyId), signature.IsPrehashed);
    }

    private static SignatureException InvalidSignature(string detail) =>
        new(SignatureErrorKind.InvalidSignature, $"invalid signature: {detail}");

    /// <summary>minisign shows key IDs as a little-endian 64-bit number in upper-case hex.</summary>
    private static string DisplayKeyId(ReadOnlySpan<byte> keyId) =>
        BinaryPrimitives.ReadUInt64LittleEndian(keyId).ToString("X16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Decodes base64 the way Go's <c>encoding/base64</c> does: CR and LF are skipped, anything else
    /// must be strict padded base64 of exactly <paramref name="length"/> bytes.
    /// </summary>
    internal static byte[]? DecodeBase64(string text, int length)
    {
        var cleaned = text.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        // .NET also skips spaces and tabs; Go does not, so reject them here.
        if (cleaned.AsSpan().IndexOfAny(' ', '\t') >= 0)
        {
            return null;
        }
        var buffer = new byte[(cleaned.Length / 4 * 3) + 3];
        return Convert.TryFromBase64String(cleaned, buffer, out var written) && written == length
            ? buffer[..written]
            : null;
    }

    /// <summary>A configured key: decoded, or the reason it could not be.</summary>
    private sealed class TrustedKey
    {
        private TrustedKey(string text, byte[] keyId, PublicKey? key, string problem)
        {
            Text = text;
            KeyId = keyId;
            Ed25519Key = key;
            Problem = problem;
        }

        public string Text { get; }
        public byte[] KeyId { get; }
        public PublicKey? Ed25519Key { get; }
        public string Problem { get; }

        public static TrustedKey Decode(string text)
        {
            var blob = text is null ? null : DecodeBase64(text.Trim(), PublicKeyBlobLength);
            if (blob is null)
            {
                return new TrustedKey(text ?? "", [], null, $"not base64 of {PublicKeyBlobLength} bytes");
            }
            if (blob[0] != (byte)'E' || blob[1] != (byte)'d')
            {
                return new TrustedKey(text!, [], null, "not an Ed25519 minisign key");
            }
            return PublicKey.TryImport(SignatureAlgorithm.Ed25519, blob.AsSpan(10, 32), KeyBlobFormat.RawPublicKey, out var key)
                ? new TrustedKey(text!, blob[2..10], key, "")
                : new TrustedKey(text!, [], null, "not a valid Ed25519 public key");
        }
    }

    /// <summary>The four lines of a <c>.minisig</c> file, decoded.</summary>
    private sealed record ParsedSignature(
        byte[] Algorithm, byte[] KeyId, byte[] Signature, string TrustedComment, byte[] GlobalSignature)
    {
        public bool IsLegacy => Algorithm[0] == (byte)'E' && Algorithm[1] == (byte)'d';
        public bool IsPrehashed => Algorithm[0] == (byte)'E' && Algorithm[1] == (byte)'D';
        public string AlgorithmText => Encoding.Latin1.GetString(Algorithm);

        public static ParsedSignature? Parse(string text)
        {
            // Like go-minisign: split into at most four parts; the last part is everything after the
            // third newline, so a trailing newline (or CR) is tolerated by the base64 decoder.
            var lines = text.Split('\n', 4);
            if (lines.Length < 4)
            {
                return null;
            }
            var blob = DecodeBase64(lines[1], SignatureBlobLength);
            var global = DecodeBase64(lines[3], Ed25519SignatureLength);
            if (blob is null || global is null)
            {
                return null;
            }
            return new ParsedSignature(blob[..2], blob[2..10], blob[10..], lines[2].TrimEnd('\r'), global);
        }
    }
}
