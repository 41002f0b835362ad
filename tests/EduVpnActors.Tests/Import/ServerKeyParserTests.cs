using EduVpnActors.Actors.Import;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Import;

/// <summary>Vectors of eduvpn-common's internal/config/v2/v2_test.go plus Sscanf("%d,%s") details.</summary>
public sealed class ServerKeyParserTests
{
    [Theory]
    [InlineData("1,a", ServerType.InstituteAccess, "a")]
    [InlineData("2,a", ServerType.SecureInternet, "a")]
    [InlineData("3,https://vpn.example.org/", ServerType.Custom, "https://vpn.example.org/")]
    [InlineData("0,x", ServerType.Unknown, "x")]
    [InlineData("+1,a", ServerType.InstituteAccess, "a")]
    [InlineData("  1,a", ServerType.InstituteAccess, "a")]
    [InlineData("1, a", ServerType.InstituteAccess, "a")]
    [InlineData("1,a b", ServerType.InstituteAccess, "a")] // id ends at the first space
    [InlineData("1,a\tb", ServerType.InstituteAccess, "a")]
    [InlineData("1,a\nb", ServerType.InstituteAccess, "a")]
    [InlineData("01,a", ServerType.InstituteAccess, "a")]
    [InlineData("1,a,b", ServerType.InstituteAccess, "a,b")]
    [InlineData("custom_server,https://x/", ServerType.Custom, "https://x/")]
    [InlineData("institute_access,https://x/", ServerType.InstituteAccess, "https://x/")]
    [InlineData("secure_internet,org", ServerType.SecureInternet, "org")]
    public void Parse_ValidKey_GivesTypeAndId(string text, ServerType type, string id)
    {
        Assert.Equal(new ImportedServerKey(type, id), ServerKeyParser.Parse(text, "k"));
    }

    [Fact]
    public void Parse_SameIdDifferentType_DistinctKeys()
    {
        var one = ServerKeyParser.Parse("1,a", "k");
        var two = ServerKeyParser.Parse("2,a", "k");
        Assert.NotEqual(one, two);
        Assert.Equal("1,a", one.ToString());
        Assert.Equal("2,a", two.ToString());
    }

    [Theory]
    [InlineData("a,1", "expected integer")]
    [InlineData(",a", "expected integer")]
    [InlineData("", "expected integer")]
    [InlineData("custom,a", "expected integer")]
    [InlineData("1", "input does not match format")]
    [InlineData("1 ,a", "input does not match format")]
    [InlineData("1;a", "input does not match format")]
    [InlineData("1,", "unexpected EOF")]
    [InlineData("1,   ", "unexpected EOF")]
    [InlineData("1,\na", "unexpected newline")]
    [InlineData("\n1,a", "unexpected newline")]
    public void Parse_MalformedKey_InvalidServerKey(string text, string reason)
    {
        var error = Assert.Throws<StateImportException>(() => ServerKeyParser.Parse(text, "field"));
        Assert.Equal(StateImportErrorKind.InvalidServerKey, error.Kind);
        Assert.Equal("field", error.Field);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("4,a")]
    [InlineData("25,a")]
    [InlineData("-1,a")]
    [InlineData("99999999999999999999,a")]
    public void Parse_TypeOutOfRange_InvalidServerType(string text)
    {
        var error = Assert.Throws<StateImportException>(() => ServerKeyParser.Parse(text, "field"));
        Assert.Equal(StateImportErrorKind.InvalidServerType, error.Kind);
    }
}
