using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Servers.Logic;

public sealed class ServerIdTests
{
    [Fact]
    public void ToString_IsTypeNumberCommaIdentifier() =>
        Assert.Equal("3,https://example.com/", new ServerId(ServerType.Custom, "https://example.com/").ToString());

    [Theory]
    [InlineData("1,a", ServerType.InstituteAccess, "a")]
    [InlineData("2,a", ServerType.SecureInternet, "a")]
    [InlineData("3,https://example.com/", ServerType.Custom, "https://example.com/")]
    [InlineData("3,https://example.com/ trailing", ServerType.Custom, "https://example.com/")]
    [InlineData(" 1, a", ServerType.InstituteAccess, "a")]
    public void Parse_ValidKey_GivesTypeAndIdUpToWhitespace(string key, ServerType type, string id) =>
        Assert.Equal(new ServerId(type, id), ServerId.Parse(key));

    [Fact]
    public void Parse_LetterBeforeComma_FailsWithExpectedInteger()
    {
        var e = Assert.Throws<FormatException>(() => ServerId.Parse("a,1"));
        Assert.Contains("expected integer", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1,")]
    [InlineData("1;a")]
    [InlineData("9,a")]
    [InlineData(",a")]
    public void TryParse_Malformed_ReturnsFalse(string key) => Assert.False(ServerId.TryParse(key, out _));

    [Fact]
    public void Parse_SameIdDifferentType_GivesDistinctKeys() =>
        Assert.NotEqual(ServerId.Parse("1,a"), ServerId.Parse("2,a"));

    [Fact]
    public void RoundTrip_ToStringThenParse_IsIdentity()
    {
        var id = new ServerId(ServerType.SecureInternet, "https://idp.example.org/");
        Assert.Equal(id, ServerId.Parse(id.ToString()));
    }
}
