using System.Text;
using EduVpnActors.Actors.Api;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Fuzzing;

/// <summary>
/// Server URLs as a user types them: <see cref="UrlRules.EnsureValidUrl"/> returns a canonical https URL
/// (ASCII host, idempotent) or throws its typed <see cref="ApiException"/>; user info is always refused and
/// never repeated; <see cref="UrlRules.ForDisplay"/> never throws.
/// </summary>
public sealed class UrlFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Schemes = ["", "https://", "http://", "HTTPS://", "ftp://", "://", "https:/", "1http://", "a+b.c-d://"];
    private static readonly string[] UserInfo = ["", "", "", "user@", "user:pw-SECRET@", ":pw-SECRET@", "u%40x:pw-SECRET@", "a@b:pw-SECRET@", "@"];
    private static readonly string[] Labels =
    [
        "vpn", "example", "org", "com", "VPN", "xn--80ak6aa92e", "аррӏе", "пример", "рф", "例え", "bücher", "ß", "straße", "ﬁ", "ǅ",
        "xn--", "xn--zz", "-a", "a-", "a_b", "1", "127", "0", "", "\u200b", "\u202e", "%41", "%zz", "a b", "\u0000", "ı", "İ",
        new string('a', 63), new string('a', 64), "😀", "\ud800",
    ];
    private static readonly string[] Ports = ["", "", ":8443", ":0", ":65535", ":65536", ":", ":x", ":-1", ":99999999999"];
    private static readonly string[] Paths = ["", "/", "/vpn", "//a/./b/../c", "/a@b", "/%41", "?q=1", "#f", "/é", "/a b", "/..", "\\x"];

    /// <summary>The user info of <paramref name="text"/> as URL syntax has it (before an '@' in the authority), or null.</summary>
    private static string? UserInfoOf(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var rest = scheme >= 0 && scheme > 0 && char.IsAsciiLetter(text[0])
            && text[..scheme].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') ? text[(scheme + 3)..] : text;
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        var at = authority.LastIndexOf('@');
        return at <= 0 ? (at == 0 ? "@" : null) : authority[..at];
    }

    [Fact]
    public void EnsureValidUrl_GeneratedInputs_CanonicalOrTyped_UserInfoNeverStoredNorRepeated()
    {
        var seeds = new[] { "https://vpn.example.org/", "user:pw-SECRET@vpn.example.org:8443/x", "https://аррӏе.com/", "[::1]:443/a" }
            .Select(Encoding.UTF8.GetBytes).ToArray();
        var structured = FuzzGen.Seeded(r =>
        {
            var host = r.Next(12) == 0 ? (r.Next(2) == 0 ? "[::1]" : "10.0.0.1")
                : string.Join(r.Next(15) == 0 ? "。" : ".", Enumerable.Range(0, 1 + r.Next(4)).Select(_ => Labels[r.Next(Labels.Length)]));
            var text = Schemes[r.Next(Schemes.Length)] + UserInfo[r.Next(UserInfo.Length)] + host + Ports[r.Next(Ports.Length)] + Paths[r.Next(Paths.Length)];
            return new FuzzInput(FuzzOrigin.Structured, "url", Encoding.UTF8.GetBytes(r.Next(10) == 0 ? $"  {text}\t" : text));
        });
        var inputs = FuzzGen.Mix(FuzzGen.RandomBytes(96), FuzzGen.Mutations(seeds), structured);

        var counts = FuzzRunner.Run(output, "UrlRules.EnsureValidUrl + ForDisplay", inputs, input =>
        {
            var text = input.Text;
            _ = UrlRules.ForDisplay(text);
            var userInfo = UserInfoOf(text.Trim());
            string url;
            try
            {
                url = UrlRules.EnsureValidUrl(text);
            }
            catch (ApiException e)
            {
                if (userInfo is not null)
                {
                    // Refused as what it is, and the message does not repeat it.
                    Assert.Equal(ApiErrorKind.UrlWithCredentials, e.Kind);
                    // (User info of one to three '*' is the mask itself: the mask "***@" ends in it and reveals nothing.)
                    if (!"***".EndsWith(userInfo, StringComparison.Ordinal))
                    {
                        Assert.DoesNotContain(userInfo + "@", e.Message, StringComparison.Ordinal);
                    }
                }
                throw;
            }
            Assert.Null(userInfo);
            var uri = new Uri(url);
            Assert.Equal("https", uri.Scheme);
            Assert.True(url.All(char.IsAscii) || uri.Host.All(char.IsAscii), $"host not ASCII: {url}");
            Assert.True(uri.Host.All(char.IsAscii), $"host not ASCII: {url}");
            Assert.Equal(uri.Host.ToLowerInvariant(), uri.Host);
            Assert.Equal("", uri.UserInfo);
            Assert.EndsWith("/", uri.AbsolutePath, StringComparison.Ordinal);
            // Canonical: normalising again changes nothing, and the display form is never empty.
            Assert.Equal(url, UrlRules.EnsureValidUrl(url));
            Assert.False(string.IsNullOrEmpty(UrlRules.ForDisplay(url)));
            return true;
        }, e => e is ApiException { Kind: ApiErrorKind.InvalidUrl or ApiErrorKind.UrlWithCredentials });

        Assert.True(counts.Accepted > 0);
        Assert.True(counts.Rejected > 0);
    }
}
