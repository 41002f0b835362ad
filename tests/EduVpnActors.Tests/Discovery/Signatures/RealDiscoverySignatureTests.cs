using System.Text;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Tests.Discovery.Signatures;

/// <summary>The real signed discovery snapshot (behaviour reference §13.3), signed with legacy <c>Ed</c>.</summary>
public sealed class RealDiscoverySignatureTests
{
    private const ulong SnapshotSignTime = 1671802053;

    [Theory]
    [InlineData("server_list.json")]
    [InlineData("organization_list.json")]
    public void RealSnapshot_ProductionMode_IsValidWithProductionKey(string file)
    {
        var verifier = new MinisignVerifier(MinisignVerifier.ProductionKeys, requirePrehashed: false);

        var result = verifier.Verify(Read(file), ReadText(file + ".minisig"), file, 0);

        Assert.Equal(new VerifiedSignature(SnapshotSignTime, file, "19725C6AF525056D", Prehashed: false), result);
    }

    [Theory]
    [InlineData("server_list.json")]
    [InlineData("organization_list.json")]
    public void RealSnapshot_PrehashRequired_IsInvalidAlgorithm(string file)
    {
        var verifier = new MinisignVerifier(MinisignVerifier.ProductionKeys, requirePrehashed: true);

        var error = Assert.Throws<SignatureException>(() => verifier.Verify(Read(file), ReadText(file + ".minisig"), file, 0));

        Assert.Equal(SignatureErrorKind.InvalidAlgorithm, error.Kind);
    }

    [Theory]
    [InlineData("server_list.json", SnapshotSignTime, null)]
    [InlineData("server_list.json", SnapshotSignTime + 1, SignatureErrorKind.SignTimeTooOld)]
    [InlineData("organization_list.json", SnapshotSignTime, null)]
    [InlineData("organization_list.json", SnapshotSignTime + 1, SignatureErrorKind.SignTimeTooOld)]
    public void RealSnapshot_MinSignTime_RejectsOnlyOlderSignatures(string file, ulong minSignTime, SignatureErrorKind? expected)
    {
        var verifier = new MinisignVerifier(MinisignVerifier.ProductionKeys, requirePrehashed: false);

        var error = Record.Exception(() => verifier.Verify(Read(file), ReadText(file + ".minisig"), file, minSignTime));

        Assert.Equal(expected, (error as SignatureException)?.Kind);
        if (expected is null)
        {
            Assert.Null(error);
        }
    }

    [Fact]
    public void RealSnapshot_OnlySecondProductionKey_IsUnknownKey()
    {
        var verifier = new MinisignVerifier([MinisignVerifier.ProductionKeys[1]], requirePrehashed: false);

        var error = Assert.Throws<SignatureException>(() =>
            verifier.Verify(Read("server_list.json"), ReadText("server_list.json.minisig"), "server_list.json", 0));

        Assert.Equal(SignatureErrorKind.UnknownKey, error.Kind);
    }

    [Fact]
    public void ForgedPureSignature_OverRealServerList_IsInvalidSignature()
    {
        // forged_pure is made with the vector key, so trust that key: the relabelled signature
        // must not verify over the real document in production mode.
        var verifier = new MinisignVerifier([MinisignVectorTests.VectorKey()], requirePrehashed: false);
        var forged = Encoding.UTF8.GetString(File.ReadAllBytes(
            TestPaths.Shared("data", "minisign", "server_list.json.forged_pure.minisig")));

        var error = Assert.Throws<SignatureException>(() =>
            verifier.Verify(Read("server_list.json"), forged, "server_list.json", 0));

        Assert.Equal(SignatureErrorKind.InvalidSignature, error.Kind);
    }

    [Fact]
    public void ProductionKeys_AreTheTwoTrustedDiscoveryKeys()
    {
        Assert.Equal(
            ["RWRtBSX1alxyGX+Xn3LuZnWUT0w//B6EmTJvgaAxBMYzlQeI+jdrO6KF", "RWQKqtqvd0R7rUDp0rWzbtYPA3towPWcLDCl7eY9pBMMI/ohCmrS0WiM"],
            MinisignVerifier.ProductionKeys);
    }

    private static byte[] Read(string name) => File.ReadAllBytes(TestPaths.Shared("data", "discovery", name));

    private static string ReadText(string name) => Encoding.UTF8.GetString(Read(name));
}
