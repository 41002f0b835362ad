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
    [InlineData("https://alice:secret-pw@vpn.example.org/")]
    [InlineData("https://alice@vpn.example.org/")]
    [InlineData("alice:secret-pw@vpn.example.org")]
    [InlineData("https://:secret-pw@vpn.example.org:8443/portal")]
    [InlineData("https://alice@b:secret-pw@vpn.example.org/")]
    [InlineData("https://alice:secret-pw@/")]
    public void EnsureValidUrl_WithUserInfo_IsRefused_WithoutRepeatingIt(string input)
    {
        var e = Assert.Throws<ApiException>(() => UrlRules.EnsureValidUrl(input));

        Assert.Equal(ApiErrorKind.UrlWithCredentials, e.Kind);
        Assert.DoesNotContain("secret-pw", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", e.Message, StringComparison.Ordinal);
        Assert.Contains("***@", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://user:pw@vpn.example.org/a?b#c", "https://***@vpn.example.org/a?b#c")]
    [InlineData("1http://u:pw@host/x", "1http://***@host/x")]
    [InlineData("http:/u:pw@host", "http:/***@host")]
    [InlineData("u:pw@host", "***@host")]
    [InlineData("no url at all", "no url at all")]
    public void WithoutUserInfo_HidesOnlyTheUserInfo(string input, string expected) =>
        Assert.Equal(expected, UrlRules.WithoutUserInfo(input));

    [Theory]
    [InlineData("https://аррӏе.com/", "https://xn--80ak6aa92e.com/")]
    [InlineData("https://xn--80ak6aa92e.com/", "https://xn--80ak6aa92e.com/")]
    [InlineData("https://XN--80AK6AA92E.COM/", "https://xn--80ak6aa92e.com/")]
    [InlineData("https://АРРӀЕ.com:8443/vpn", "https://xn--80ak6aa92e.com:8443/vpn/")]
    [InlineData("https://Bücher.example/", "https://xn--bcher-kva.example/")]
    [InlineData("https://VPN.Example.ORG/Portal/", "https://vpn.example.org/Portal/")]
    [InlineData("[::1]:8443", "https://[::1]:8443/")]
    public void EnsureValidUrl_HostIsLowerCaseAscii_InternationalNamesAsPunycode(string input, string expected) =>
        Assert.Equal(expected, UrlRules.EnsureValidUrl(input));

    [Fact]
    public void EnsureValidUrl_UnicodeAndPunycodeSpelling_AreOneServer() =>
        Assert.Equal(UrlRules.EnsureValidUrl("https://аррӏе.com/"), UrlRules.EnsureValidUrl("xn--80ak6aa92e.com"));

    [Theory]
    [InlineData("https://a..b/")]
    [InlineData("https://xn--zz.example/")]
    [InlineData("https://" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + ".example/")]
    public void EnsureValidUrl_HostThatIsNoValidName_IsInvalidUrl(string input) =>
        Assert.Equal(ApiErrorKind.InvalidUrl, Assert.Throws<ApiException>(() => UrlRules.EnsureValidUrl(input)).Kind);

    [Theory]
    // Cyrillic letters under a Latin top-level domain: a look-alike of apple.com, shown with its punycode.
    [InlineData("https://xn--80ak6aa92e.com/", "https://xn--80ak6aa92e.com/ (аррӏе.com: mixed scripts Cyrillic + Latin)")]
    // One script throughout: the Unicode form alone.
    [InlineData("https://xn--bcher-kva.example/", "https://bücher.example/")]
    [InlineData("https://xn--e1afmkfd.xn--p1ai:8443/vpn/", "https://пример.рф:8443/vpn/")]
    // Japanese writing with a Latin top-level domain belongs together.
    [InlineData("https://xn--r8jz45g.jp/", "https://例え.jp/")]
    // Latin and Greek mixed within a label.
    [InlineData("https://xn--pple-43d.com/", "https://xn--pple-43d.com/ (аpple.com: mixed scripts Cyrillic + Latin)")]
    [InlineData("https://vpn.example.org/", "https://vpn.example.org/")]
    [InlineData("not a url", "not a url")]
    [InlineData("https://xn--zz.example/", "https://xn--zz.example/")]
    public void ForDisplay_RevealsMixedScripts(string url, string expected) =>
        Assert.Equal(expected, UrlRules.ForDisplay(url));

    [Theory]
    [InlineData("apple", new string[] { "Latin" }, false)]
    [InlineData("аррӏе.com", new[] { "Cyrillic", "Latin" }, true)]
    [InlineData("пример.рф", new[] { "Cyrillic" }, false)]
    [InlineData("例え.jp", new[] { "Han", "Hiragana", "Latin" }, false)]
    [InlineData("한국.kr", new[] { "Hangul", "Latin" }, false)]
    [InlineData("한국.例え", new[] { "Han", "Hangul", "Hiragana" }, true)]
    [InlineData("αpple.com", new[] { "Greek", "Latin" }, true)]
    [InlineData("123-456", new string[0], false)]
    public void HostScripts_NameTheScripts_AndTellTheMixes(string host, string[] scripts, bool mixed)
    {
        Assert.Equal(scripts, HostScripts.Of(host));
        Assert.Equal(mixed, HostScripts.AreMixed(HostScripts.Of(host)));
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
