using EduVpnActors.Actors.Api;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Api;

public sealed class ProfileChoiceTests
{
    private static Profile P(string id) => new(id, LocalizedText.English(id), true, [VpnProtocol.WireGuard], [], []);

    [Fact]
    public void Choose_NoProfiles_FailsNoProfiles()
    {
        var e = Assert.Throws<ApiException>(() => ProfileChoice.Choose([], "x"));
        Assert.Equal(ApiErrorKind.NoProfiles, e.Kind);
        Assert.Equal("the server has no available profiles for your account", e.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("other")]
    public void Choose_OneProfile_UsesItWithoutAsking(string? stored) =>
        Assert.Equal(new ProfileDecision.Use(P("only")), ProfileChoice.Choose([P("only")], stored));

    [Fact]
    public void Choose_SeveralWithValidStored_UsesStored() =>
        Assert.Equal(new ProfileDecision.Use(P("b")), ProfileChoice.Choose([P("a"), P("b")], "b"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("gone")]
    [InlineData("B")]
    public void Choose_SeveralWithoutValidStored_Asks(string? stored)
    {
        var decision = Assert.IsType<ProfileDecision.Ask>(ProfileChoice.Choose([P("a"), P("b")], stored));
        Assert.Equal(["a", "b"], decision.Profiles.Select(p => p.Id));
    }

    [Fact]
    public void Accept_KnownAnswer_GivesProfile() => Assert.Equal(P("b"), ProfileChoice.Accept([P("a"), P("b")], "b"));

    [Fact]
    public void Accept_UnknownAnswer_FailsInvalidProfile()
    {
        var e = Assert.Throws<ApiException>(() => ProfileChoice.Accept([P("a"), P("b")], "c"));
        Assert.Equal(ApiErrorKind.InvalidProfile, e.Kind);
    }
}
