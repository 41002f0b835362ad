using EduVpnActors.Actors.Api;

namespace EduVpnActors.Tests.Api;

public sealed class UrlRulesTests
{
    [Theory]
    [InlineData("example.com/")]
    [InlineData("http://example.com/")]
    [InlineData("https://example.com/")]
    [InlineData("https://example.com")]
    [InlineData("https://example.com/////")]
    [InlineData("https://example.com/..")]
    public void EnsureValidUrl_OfficialVectors_GiveHttpsRootWithSlash(string input) =>
        Assert.Equal("https://example.com/", UrlRules.EnsureValidUrl(input));

    [Theory]
    [InlineData("example.com:8443", "https://example.com:8443/")]
    [InlineData("example.com:8443/vpn", "https://example.com:8443/vpn/")]
    [InlineData("127.0.0.1:1234", "https://127.0.0.1:1234/")]
    [InlineData("  https://vpn.example.org/a/./b/../c  ", "https://vpn.example.org/a/c/")]
    [InlineData("https://vpn.example.org//portal", "https://vpn.example.org/portal/")]
    [InlineData("ftp://vpn.example.org/", "https://vpn.example.org/")]
    public void EnsureValidUrl_HostPortAndPaths_AreNormalised(string input, string expected) =>
        Assert.Equal(expected, UrlRules.EnsureValidUrl(input));

    [Theory]
    [InlineData("%notvalid%")]
    [InlineData("")]
    [InlineData("https://")]
    [InlineData("https:///path")]
    [InlineData("exa mple.com")]
    public void EnsureValidUrl_Invalid_FailsTyped(string input)
    {
        var e = Assert.Throws<ApiException>(() => UrlRules.EnsureValidUrl(input));
        Assert.Equal(ApiErrorKind.InvalidUrl, e.Kind);
    }

    [Theory]
    [InlineData("test")]
    [InlineData("/test")]
    [InlineData("../test")]
    [InlineData("../test/")]
    [InlineData("test/")]
    public void JoinUrlPath_OfficialVectors_GiveTestWithoutSlash(string path) =>
        Assert.Equal("https://example.com/test", UrlRules.JoinUrlPath("https://example.com", path));

    [Fact]
    public void JoinUrlPath_RelativeToDirectory_Resolves() =>
        Assert.Equal("https://example.com/a/b/c", UrlRules.JoinUrlPath("https://example.com/a/b/", "c/"));

    [Theory]
    [InlineData("https://vpn.example.org/", "https://vpn.example.org/.well-known/vpn-user-portal")]
    [InlineData("https://vpn.example.org/some/path/", "https://vpn.example.org/.well-known/vpn-user-portal")]
    [InlineData("https://vpn.example.org:8443/x", "https://vpn.example.org:8443/.well-known/vpn-user-portal")]
    public void WellKnownUrl_ReplacesThePath(string baseUrl, string expected) =>
        Assert.Equal(expected, UrlRules.WellKnownUrl(baseUrl).ToString());

    [Theory]
    [InlineData("", "")]
    [InlineData("AZaz09-_.~", "AZaz09-_.~")]
    [InlineData("a b", "a+b")]
    [InlineData("!*()'", "%21%2A%28%29%27")]
    [InlineData("/:?&=#", "%2F%3A%3F%26%3D%23")]
    [InlineData("é", "%C3%A9")]
    public void GoQueryEscape_MatchesGo(string input, string expected) =>
        Assert.Equal(expected, UrlRules.GoQueryEscape(input));

    [Fact]
    public void WayfReplace_OfficialVector_EscapesBoth() =>
        Assert.Equal(
            "127.0.0.1%3A8000%2F%26%25%243%23kM_-++++++++++++idp-test.nl.org%2F",
            Wayf.Replace("@RETURN_TO@@ORG_ID@", "127.0.0.1:8000/&%$3#kM_-" + new string(' ', 12), "idp-test.nl.org/"));

    [Theory]
    [InlineData("@ORG_ID@")]
    [InlineData("@RETURN_TO@")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("@RETURN_TO@ORG_ID@")]
    public void WayfReplace_TemplateWithoutBothPlaceholders_ReturnsAuthUrl(string? template)
    {
        const string authUrl = "https://idp.example.org/authorize?x=1";
        Assert.Equal(authUrl, Wayf.Replace(template, authUrl, "org"));
    }

    [Fact]
    public void WayfReplace_RealTemplate_ReplacesOnlyFirstOccurrences() =>
        Assert.Equal(
            "https://wayf.example/?return=https%3A%2F%2Fa%2F%3Fb%3Dc&entityID=https%3A%2F%2Fidp&again=@ORG_ID@",
            Wayf.Replace("https://wayf.example/?return=@RETURN_TO@&entityID=@ORG_ID@&again=@ORG_ID@", "https://a/?b=c", "https://idp"));
}
