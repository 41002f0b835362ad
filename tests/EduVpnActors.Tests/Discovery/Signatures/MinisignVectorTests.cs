using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Tests.Discovery.Signatures;

/// <summary>
/// The signature conformance table of eduvpn-common (behaviour reference §13.2), run in both the
/// upstream test mode (prehash required) and production mode (legacy signatures accepted).
/// </summary>
public sealed class MinisignVectorTests
{
    /// <summary>The second trusted key of upstream's "multiple allowed keys" vectors (not wrong_public.key).</summary>
    private const string UnrelatedKey = "RWSf0PYToIUJmDlsz21YOXvgQzHj9NSdyJUqEY5ZdfS9GepeXt3+JJRZ";

    private const string ServerList = "server_list.json";
    private const string OrgList = "organization_list.json";
    private const string OtherList = "other_list.json";

    private static readonly SignatureErrorKind? Valid = null;

    public static TheoryData<string, string, string, string, ulong, string, SignatureErrorKind?, SignatureErrorKind?> Vectors => new()
    {
        // id, signature file, data file, expected name, minTime, keys, verdict with prehash required, production verdict
        { "01 pure", "server_list.json.pure.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.InvalidAlgorithm, Valid },
        { "02 valid", "server_list.json.minisig", ServerList, ServerList, 10, "pk", Valid, Valid },
        { "03 tc_nohashed", "server_list.json.tc_nohashed.minisig", ServerList, ServerList, 10, "pk", Valid, Valid },
        { "04 tc_latertime", "server_list.json.tc_latertime.minisig", ServerList, ServerList, 10, "pk", Valid, Valid },
        { "05 tc_orglist", "server_list.json.tc_orglist.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.WrongFilename, SignatureErrorKind.WrongFilename },
        { "06 org sig on org data, server name", "organization_list.json.minisig", OrgList, ServerList, 10, "pk", SignatureErrorKind.WrongFilename, SignatureErrorKind.WrongFilename },
        { "07 tc_otherfile", "server_list.json.tc_otherfile.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.WrongFilename, SignatureErrorKind.WrongFilename },
        { "08 tc_nofile", "server_list.json.tc_nofile.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.InvalidTrustedComment, SignatureErrorKind.InvalidTrustedComment },
        { "09 tc_notime", "server_list.json.tc_notime.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.InvalidTrustedComment, SignatureErrorKind.InvalidTrustedComment },
        { "10 tc_emptytime", "server_list.json.tc_emptytime.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.InvalidTrustedComment, SignatureErrorKind.InvalidTrustedComment },
        { "11 tc_emptyfile", "server_list.json.tc_emptyfile.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.WrongFilename, SignatureErrorKind.WrongFilename },
        { "12 tc_random", "server_list.json.tc_random.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.InvalidTrustedComment, SignatureErrorKind.InvalidTrustedComment },
        { "13 large_time", "server_list.json.large_time.minisig", ServerList, ServerList, 4300000000, "pk", Valid, Valid },
        { "14 minTime 5", "server_list.json.minisig", ServerList, ServerList, 5, "pk", Valid, Valid },
        { "15 minTime 11", "server_list.json.minisig", ServerList, ServerList, 11, "pk", SignatureErrorKind.SignTimeTooOld, SignatureErrorKind.SignTimeTooOld },
        { "16 org valid", "organization_list.json.minisig", OrgList, OrgList, 10, "pk", Valid, Valid },
        { "17 org tc_servlist", "organization_list.json.tc_servlist.minisig", OrgList, OrgList, 10, "pk", SignatureErrorKind.WrongFilename, SignatureErrorKind.WrongFilename },
        { "18 server sig, org name", "server_list.json.minisig", ServerList, OrgList, 10, "pk", SignatureErrorKind.WrongFilename, SignatureErrorKind.WrongFilename },
        { "19 other name", "other_list.json.minisig", OtherList, OtherList, 10, "pk", SignatureErrorKind.InvalidFilename, SignatureErrorKind.InvalidFilename },
        { "20 other sig, server name", "other_list.json.minisig", OtherList, ServerList, 10, "pk", SignatureErrorKind.WrongFilename, SignatureErrorKind.WrongFilename },
        { "21 random text", "random.txt", ServerList, ServerList, 10, "pk", SignatureErrorKind.InvalidSignatureFormat, SignatureErrorKind.InvalidSignatureFormat },
        { "22 empty", "empty", ServerList, ServerList, 10, "pk", SignatureErrorKind.InvalidSignatureFormat, SignatureErrorKind.InvalidSignatureFormat },
        { "23 wrong key", "server_list.json.wrong_key.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.UnknownKey, SignatureErrorKind.UnknownKey },
        { "24 forged pure over hash", "server_list.json.forged_pure.minisig", "server_list.json.blake2b", ServerList, 10, "pk", SignatureErrorKind.InvalidAlgorithm, Valid },
        { "25 forged key id", "server_list.json.forged_keyid.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.InvalidSignature, SignatureErrorKind.InvalidSignature },
        { "26 no keys", "server_list.json.minisig", ServerList, ServerList, 10, "", SignatureErrorKind.UnknownKey, SignatureErrorKind.UnknownKey },
        { "27 keys pk, other", "server_list.json.minisig", ServerList, ServerList, 10, "pk,other", Valid, Valid },
        { "28 keys other, pk", "server_list.json.minisig", ServerList, ServerList, 10, "other,pk", Valid, Valid },
        { "29 invalid key", "server_list.json.minisig", ServerList, ServerList, 10, "AAA", SignatureErrorKind.InvalidPublicKey, SignatureErrorKind.InvalidPublicKey },
        { "30 tc_earliertime minTime 10", "server_list.json.tc_earliertime.minisig", ServerList, ServerList, 10, "pk", SignatureErrorKind.SignTimeTooOld, SignatureErrorKind.SignTimeTooOld },
        { "31 tc_earliertime minTime 9", "server_list.json.tc_earliertime.minisig", ServerList, ServerList, 9, "pk", Valid, Valid },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_PrehashRequired_GivesTableVerdict(
        string id, string signatureFile, string dataFile, string expectedName, ulong minTime, string keys,
        SignatureErrorKind? forcedVerdict, SignatureErrorKind? productionVerdict)
    {
        _ = productionVerdict;
        AssertVerdict(id, signatureFile, dataFile, expectedName, minTime, keys, requirePrehashed: true, forcedVerdict);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_ProductionMode_GivesTableVerdict(
        string id, string signatureFile, string dataFile, string expectedName, ulong minTime, string keys,
        SignatureErrorKind? forcedVerdict, SignatureErrorKind? productionVerdict)
    {
        _ = forcedVerdict;
        AssertVerdict(id, signatureFile, dataFile, expectedName, minTime, keys, requirePrehashed: false, productionVerdict);
    }

    [Fact]
    public void ValidSignature_Verified_ReportsTrustedCommentAndKey()
    {
        var verifier = new MinisignVerifier([VectorKey()], requirePrehashed: true);

        var result = verifier.Verify(Read(ServerList), ReadText("server_list.json.tc_latertime.minisig"), ServerList, 10);

        Assert.Equal(new VerifiedSignature(20, ServerList, "DF07F868DFAB9B4C", Prehashed: true), result);
    }

    [Fact]
    public void LegacySignature_Verified_IsNotPrehashed()
    {
        var verifier = new MinisignVerifier([VectorKey()], requirePrehashed: false);

        var result = verifier.Verify(Read(ServerList), ReadText("server_list.json.pure.minisig"), ServerList, 0);

        Assert.False(result.Prehashed);
        Assert.Equal(10UL, result.Timestamp);
    }

    [Fact]
    public void ValidSignature_OneDocumentByteChanged_IsInvalidSignature()
    {
        var verifier = new MinisignVerifier([VectorKey()], requirePrehashed: false);
        var document = Read(ServerList);
        document[^2] ^= 0x01;

        var error = Assert.Throws<SignatureException>(() =>
            verifier.Verify(document, ReadText("server_list.json.minisig"), ServerList, 0));

        Assert.Equal(SignatureErrorKind.InvalidSignature, error.Kind);
    }

    [Fact]
    public void ValidSignature_TrustedCommentEdited_IsInvalidSignature()
    {
        var verifier = new MinisignVerifier([VectorKey()], requirePrehashed: false);
        var edited = ReadText("server_list.json.minisig").Replace("timestamp:10", "timestamp:99", StringComparison.Ordinal);

        var error = Assert.Throws<SignatureException>(() => verifier.Verify(Read(ServerList), edited, ServerList, 0));

        Assert.Equal(SignatureErrorKind.InvalidSignature, error.Kind);
    }

    [Fact]
    public void SignatureWithCrLfLineEnds_Verified_IsValid()
    {
        var verifier = new MinisignVerifier([VectorKey()], requirePrehashed: false);
        var crlf = ReadText("server_list.json.minisig").Replace("\n", "\r\n", StringComparison.Ordinal);

        var result = verifier.Verify(Read(ServerList), crlf, ServerList, 0);

        Assert.Equal(ServerList, result.FileName);
    }

    [Fact]
    public void WrongFilename_Message_NamesBothFiles()
    {
        var verifier = new MinisignVerifier([VectorKey()], requirePrehashed: false);

        var error = Assert.Throws<SignatureException>(() =>
            verifier.Verify(Read(ServerList), ReadText("server_list.json.tc_otherfile.minisig"), ServerList, 0));

        Assert.Equal("wrong filename 'otherfile' (expected 'server_list.json')", error.Message);
    }

    private static void AssertVerdict(
        string id, string signatureFile, string dataFile, string expectedName, ulong minTime, string keys,
        bool requirePrehashed, SignatureErrorKind? expected)
    {
        var verifier = new MinisignVerifier(Keys(keys), requirePrehashed);
        var document = Read(dataFile);
        var signature = ReadText(signatureFile);

        if (expected is null)
        {
            var result = verifier.Verify(document, signature, expectedName, minTime);
            Assert.Equal(expectedName, result.FileName);
            Assert.True(result.Timestamp >= minTime, id);
        }
        else
        {
            var error = Assert.Throws<SignatureException>(() => verifier.Verify(document, signature, expectedName, minTime));
            Assert.True(expected == error.Kind, $"{id}: expected {expected}, got {error.Kind} ({error.Message})");
        }
    }

    private static string[] Keys(string spec) =>
        spec.Length == 0
            ? []
            : [.. spec.Split(',').Select(k => k switch
            {
                "pk" => VectorKey(),
                "other" => UnrelatedKey,
                _ => k,
            })];

    /// <summary>The key is the second line of public.key.</summary>
    internal static string VectorKey() => File.ReadAllLines(TestPaths.Shared("data", "minisign", "public.key"))[1];

    private static byte[] Read(string name) => File.ReadAllBytes(TestPaths.Shared("data", "minisign", name));

    private static string ReadText(string name) => System.Text.Encoding.UTF8.GetString(Read(name));
}
