using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Messages.Discovery;
using FsCheck;
using FsCheck.Fluent;
using NSec.Cryptography;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Fuzzing;

/// <summary>The minisign parser and verifier under generated signatures, documents and keys.</summary>
public sealed class MinisignFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] FileNames = ["server_list.json", "organization_list.json", "other_list.json", "", "server_list.json\0"];

    private static readonly string[] CommentPieces =
    [
        "timestamp:", "timestamp: ", "file:", "file: ", "\t", " ", "\u00a0", "\u2003", "\thashed", "server_list.json",
        "organization_list.json", "0", "1", "10", "1700000000", "18446744073709551615", "18446744073709551616",
        "99999999999999999999999", "-1", "+5", "٣", "\uD800", "é", "\0", "\r", ":", "timestamp", "file",
    ];

    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly byte[] _keyId = RandomNumberGenerator.GetBytes(8);

    [Fact]
    public void Verify_GeneratedSignaturesDocumentsAndKeys_VerifyOrThrowSignatureException()
    {
        var vectors = VectorPairs();
        var signatureSeeds = vectors.Select(v => Encoding.UTF8.GetBytes(v.Signature)).ToArray();
        var documentSeeds = vectors.Select(v => v.Document).Distinct().ToArray();
        var keys = new[] { FuzzKey(), VectorKey() }.Concat(MinisignVerifier.ProductionKeys).ToArray();
        var verifiers = new Dictionary<bool, MinisignVerifier> { [false] = new(keys, false), [true] = new(keys, true) };

        var random = FuzzGen.Seeded(r => RandomCase(r, keys));
        var mutated = FuzzGen.Seeded(r => MutatedCase(r, vectors, signatureSeeds, documentSeeds, keys));
        var structured = FuzzGen.Seeded(r => SignedCase(r, documentSeeds, keys));

        var counts = FuzzRunner.Run(output, "MinisignVerifier.Verify", FuzzGen.Mix(random, mutated, structured),
            c =>
            {
                // A case with its own key list exercises key decoding; the others reuse the verifiers.
                var verifier = c.Keys is null ? verifiers[c.RequirePrehashed] : new MinisignVerifier(c.Keys, c.RequirePrehashed);
                return verifier.Verify(c.Document, c.Signature, c.FileName, c.MinSignTime) is not null;
            },
            e => e is SignatureException,
            c => c.Origin);

        Assert.True(counts.Accepted > 0, "no generated case verified: the signed generator is broken");
    }

    [Fact]
    public void TrustedCommentParser_GeneratedComments_AgreeWithTheGrammar()
    {
        // Reached only behind two valid signatures in the test above, so it gets its own 10,000 inputs.
        var seeds = VectorPairs().Select(v => Encoding.UTF8.GetBytes(TrustedCommentOf(v.Signature))).Distinct(ByteArrayComparer).ToArray();
        var random = FuzzGen.Seeded(r => new FuzzInput(FuzzOrigin.Random, "pieces", Encoding.UTF8.GetBytes(RandomComment(r))));
        var structured = FuzzGen.Seeded(r => new FuzzInput(FuzzOrigin.Structured, "timestamp/file",
            Encoding.UTF8.GetBytes($"timestamp:{Pick(r, " ", "", "\t", "  ")}{RandomTime(r).ToString(CultureInfo.InvariantCulture)}{Pick(r, "\t", " ", "", "x", "\u00a0")}"
                + $"file:{Pick(r, "", " ", "\t")}{Pick(r, FileNames)}{Pick(r, "", "\thashed", " ", "\n")}")));

        var counts = FuzzRunner.Run(output, "TrustedCommentParser.TryParse", FuzzGen.Mix(random, FuzzGen.Mutations(seeds, 4), structured), input =>
        {
            var comment = input.Text;
            var accepted = TrustedCommentParser.TryParse(comment, out var timestamp, out var fileName);
            // An independent statement of the grammar: eduvpn-common's "timestamp:%d\tfile:%s".
            var match = TrustedCommentGrammar.Match(comment);
            var expected = match.Success && ulong.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : (ulong?)null;
            Assert.Equal(expected is not null, accepted);
            if (accepted)
            {
                Assert.Equal(expected, timestamp);
                Assert.Equal(match.Groups[2].Value, fileName);
            }
            return accepted;
        }, _ => false);

        Assert.True(counts.Accepted > 0 && counts.Rejected > 0, "the generators never reached one side of the grammar");
    }

    [Fact]
    public void TrustedKeys_Generated_VerifyOrThrowInvalidPublicKey()
    {
        // A broken configured key is decoded at construction and reported when the walk reaches it.
        var (document, signature, fileName) = VectorPairs().First(v => v.FileName == "server_list.json" && TryVerify(VectorKey(), v));
        var seeds = new[] { VectorKey(), FuzzKey() }.Concat(MinisignVerifier.ProductionKeys).Select(Encoding.ASCII.GetBytes).ToArray();
        var random = FuzzGen.Seeded(r => new FuzzInput(FuzzOrigin.Random, "base64", Encoding.ASCII.GetBytes(
            Convert.ToBase64String(RandomBlob(r)).Insert(0, Pick(r, "", "RW", " ")))));
        var structured = FuzzGen.Seeded(r =>
        {
            // A well-formed blob with the algorithm, key id or point changed.
            var blob = Convert.FromBase64String(VectorKey());
            blob[r.Next(blob.Length)] ^= (byte)(1 << r.Next(8));
            return new FuzzInput(FuzzOrigin.Structured, "one bit of the blob", Encoding.ASCII.GetBytes(Convert.ToBase64String(blob)));
        });

        var counts = FuzzRunner.Run(output, "MinisignVerifier trusted-key decoding", FuzzGen.Mix(random, FuzzGen.Mutations(seeds, 3), structured), input =>
        {
            var verifier = new MinisignVerifier([input.Text, VectorKey()], requirePrehashed: false);
            try
            {
                verifier.Verify(document, signature, fileName, 0);
                return true;
            }
            catch (SignatureException e) when (e.Kind is SignatureErrorKind.InvalidPublicKey)
            {
                Assert.StartsWith("failed to create public key", e.Message, StringComparison.Ordinal);
                return false;
            }
        }, e => e is SignatureException);

        Assert.True(counts.Accepted > 0 && counts.Rejected > 0, "the generators never reached one side of key decoding");
    }

    public void Dispose() => _key.Dispose();

    private static readonly System.Text.RegularExpressions.Regex TrustedCommentGrammar =
        new(@"^timestamp:\s*([0-9]+)\s+file:\s*(\S+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly ByteArrayEquality ByteArrayComparer = new();

    private static string TrustedCommentOf(string signature) =>
        signature.Split('\n')[2].Replace("trusted comment: ", "", StringComparison.Ordinal).TrimEnd('\r');

    private static string Pick(Random r, params string[] choices) => choices[r.Next(choices.Length)];

    private static byte[] RandomBlob(Random r)
    {
        var blob = new byte[r.Next(4) == 0 ? r.Next(60) : 42];
        r.NextBytes(blob);
        if (blob.Length == 42 && r.Next(2) == 0)
        {
            blob[0] = (byte)'E';
            blob[1] = (byte)'d';
        }
        return blob;
    }

    private static bool TryVerify(string key, (byte[] Document, string Signature, string FileName) vector)
    {
        try
        {
            new MinisignVerifier([key], false).Verify(vector.Document, vector.Signature, vector.FileName, 0);
            return true;
        }
        catch (SignatureException)
        {
            return false;
        }
    }

    private sealed class ByteArrayEquality : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }

    private static MinisignCase RandomCase(Random r, string[] keys)
    {
        var document = new byte[r.Next(64)];
        r.NextBytes(document);
        string signature;
        if (r.Next(2) == 0)
        {
            var bytes = new byte[r.Next(400)];
            r.NextBytes(bytes);
            signature = Encoding.UTF8.GetString(bytes);
        }
        else
        {
            // Four lines of the right shape with random content: reaches the decoders and the key walk.
            var blob = new byte[r.Next(3) == 0 ? r.Next(100) : 74];
            r.NextBytes(blob);
            if (blob.Length >= 2 && r.Next(2) == 0)
            {
                (blob[0], blob[1]) = ((byte)'E', r.Next(2) == 0 ? (byte)'D' : (byte)'d');
            }
            var global = new byte[r.Next(3) == 0 ? r.Next(100) : 64];
            r.NextBytes(global);
            signature = $"untrusted comment: x\n{Convert.ToBase64String(blob)}\ntrusted comment: {RandomComment(r)}\n{Convert.ToBase64String(global)}\n";
        }
        return new MinisignCase(FuzzOrigin.Random, "random", document, signature, FileNames[r.Next(FileNames.Length)],
            RandomTime(r), r.Next(2) == 0, RandomKeys(r, keys));
    }

    private static MinisignCase MutatedCase(Random r, (byte[] Document, string Signature, string FileName)[] vectors,
        byte[][] signatureSeeds, byte[][] documentSeeds, string[] keys)
    {
        var index = r.Next(vectors.Length);
        var (document, signature, fileName) = vectors[index];
        var how = $"vector {index}";
        var target = r.Next(4);
        if (target is 0 or 2)
        {
            var (bytes, steps) = FuzzGen.Mutated(Encoding.UTF8.GetBytes(signature), r, signatureSeeds, 4);
            signature = Encoding.UTF8.GetString(bytes);
            how += " signature" + steps;
        }
        if (target is 1 or 2)
        {
            var (bytes, steps) = FuzzGen.Mutated(document, r, documentSeeds, 4);
            document = bytes;
            how += " document" + steps;
        }
        if (target == 3)
        {
            fileName = FileNames[r.Next(FileNames.Length)];
        }
        return new MinisignCase(FuzzOrigin.Mutation, how, document, signature, fileName, RandomTime(r), r.Next(4) == 0, RandomKeys(r, keys));
    }

    /// <summary>Correctly signed by the fuzz key with a generated trusted comment, then maybe one field broken.</summary>
    private MinisignCase SignedCase(Random r, byte[][] documentSeeds, string[] keys)
    {
        var document = documentSeeds[r.Next(documentSeeds.Length)];
        var prehashed = r.Next(4) != 0;
        var comment = r.Next(3) == 0
            ? RandomComment(r)
            : $"timestamp:{RandomTime(r)}\tfile:{FileNames[r.Next(2)]}" + (prehashed ? "\thashed" : "");
        var message = prehashed ? NSec.Cryptography.HashAlgorithm.Blake2b_512.Hash(document) : document;
        var signature = SignatureAlgorithm.Ed25519.Sign(_key, message);
        var global = SignatureAlgorithm.Ed25519.Sign(_key, [.. signature, .. Encoding.UTF8.GetBytes(comment)]);
        byte[] algorithm = r.Next(20) == 0 ? [(byte)r.Next(256), (byte)r.Next(256)] : prehashed ? "ED"u8.ToArray() : "Ed"u8.ToArray();
        var keyId = r.Next(20) == 0 ? RandomNumberGenerator.GetBytes(8) : _keyId;
        var prefix = r.Next(20) == 0 ? "trusted comment:" : "trusted comment: ";
        var text = "untrusted comment: fuzz\n" + Convert.ToBase64String([.. algorithm, .. keyId, .. signature]) + "\n"
            + prefix + comment + (r.Next(10) == 0 ? "\r" : "") + "\n" + Convert.ToBase64String(global) + (r.Next(2) == 0 ? "\n" : "");
        return new MinisignCase(FuzzOrigin.Structured, "signed", document, text, FileNames[r.Next(2)], RandomTime(r) / 2, r.Next(4) == 0,
            RandomKeys(r, keys));
    }

    private static string RandomComment(Random r) =>
        string.Concat(Enumerable.Range(0, r.Next(8)).Select(_ => CommentPieces[r.Next(CommentPieces.Length)]));

    private static ulong RandomTime(Random r) => r.Next(4) switch
    {
        0 => 0,
        1 => (ulong)r.NextInt64(),
        2 => ulong.MaxValue - (ulong)r.Next(3),
        _ => (ulong)r.Next(0, 2_000_000_000),
    };

    /// <summary>Usually null (the shared verifiers); sometimes a list with a mutated or garbage key in it.</summary>
    private static string[]? RandomKeys(Random r, string[] keys)
    {
        if (r.Next(10) != 0)
        {
            return null;
        }
        var list = keys.ToList();
        var broken = r.Next(3) switch
        {
            0 => "",
            1 => "RW" + new string('A', r.Next(80)),
            _ => Encoding.UTF8.GetString(FuzzGen.Mutated(Encoding.ASCII.GetBytes(keys[r.Next(keys.Length)]), r, [], 3).Bytes),
        };
        list.Insert(r.Next(list.Count + 1), broken);
        return [.. list];
    }

    private string FuzzKey() =>
        Convert.ToBase64String([(byte)'E', (byte)'d', .. _keyId, .. _key.PublicKey.Export(KeyBlobFormat.RawPublicKey)]);

    private static string VectorKey() =>
        File.ReadAllLines(TestPaths.Shared("data", "minisign", "public.key"))[1].Trim();

    /// <summary>The conformance vectors and the real snapshot's server list, each with its signature.</summary>
    private static (byte[] Document, string Signature, string FileName)[] VectorPairs()
    {
        var minisign = TestPaths.Shared("data", "minisign");
        var pairs = Directory.GetFiles(minisign, "*.minisig")
            .Select(sig =>
            {
                var documentName = Path.GetFileName(sig).Split(".json", 2)[0] + ".json";
                return (File.ReadAllBytes(Path.Combine(minisign, documentName)), File.ReadAllText(sig), documentName);
            })
            .ToList();
        var discovery = TestPaths.Shared("data", "discovery");
        pairs.Add((File.ReadAllBytes(Path.Combine(discovery, "server_list.json")),
            File.ReadAllText(Path.Combine(discovery, "server_list.json.minisig")), "server_list.json"));
        return [.. pairs.OrderBy(p => p.Item2, StringComparer.Ordinal)];
    }

    private sealed record MinisignCase(
        FuzzOrigin Origin, string How, byte[] Document, string Signature, string FileName, ulong MinSignTime, bool RequirePrehashed, string[]? Keys)
    {
        public override string ToString() =>
            $"{Origin} ({How}), file '{FileName}', min {MinSignTime.ToString(CultureInfo.InvariantCulture)}, prehashed {RequirePrehashed}, "
            + $"keys {(Keys is null ? "default" : string.Join("|", Keys))}, document base64 {Convert.ToBase64String(Document.AsSpan(0, Math.Min(Document.Length, 512)))}, "
            + $"signature {System.Text.Json.JsonSerializer.Serialize(Signature)}";
    }
}
