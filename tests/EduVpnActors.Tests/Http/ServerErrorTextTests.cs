using System.Text;
using EduVpnActors.Actors.Http;

namespace EduVpnActors.Tests.Http;

public sealed class ServerErrorTextTests
{
    [Theory]
    [InlineData("{\"error\":\"no API configuration downloads allowed\"}", "application/json", "no API configuration downloads allowed")]
    [InlineData("{\"error\":\"key \\\"displayName\\\" not of type string\"}", "application/json", "key \"displayName\" not of type string")]
    [InlineData("{\"error\":\"invalid_token\",\"error_description\":\"\\\"access_token\\\" expired\"}", "application/json", "invalid_token: \"access_token\" expired")]
    [InlineData("{\"error_description\":\"only a description\"}", null, "only a description")]
    [InlineData("{\"error\":\"  padded  \"}", null, "padded")]
    [InlineData("Service Unavailable\n", "text/plain", "Service Unavailable")]
    [InlineData("{\"error\":\"\\u001b[2J escapes stay data\"}", null, "\u001b[2J escapes stay data")]
    public void From_ReadsTheServersOwnWords(string body, string? contentType, string expected) =>
        Assert.Equal(expected, ServerErrorText.From(Encoding.UTF8.GetBytes(body), contentType));

    [Theory]
    [InlineData("<html><body><h1>ERROR: invalid_client</h1></body></html>", "text/html")]
    [InlineData("{\"error\":42}", "application/json")]
    [InlineData("{\"error\":\"\"}", "application/json")]
    [InlineData("[\"error\"]", "application/json")]
    [InlineData("not json", "application/json")]
    [InlineData("", "text/plain")]
    [InlineData("{\"error\":", null)]
    public void From_NothingUsable_IsNull(string body, string? contentType) =>
        Assert.Null(ServerErrorText.From(Encoding.UTF8.GetBytes(body), contentType));

    [Fact]
    public void From_EchoedSecrets_AreHidden() =>
        Assert.Equal("token *** is not valid here, nor ***",
            ServerErrorText.From(Encoding.UTF8.GetBytes("{\"error\":\"token at-123 is not valid here, nor rt-456\"}"), "application/json", "at-123", null, "", "rt-456"));

    [Fact]
    public void From_LongText_IsCappedWithAnEllipsis_WithoutSplittingAPair()
    {
        var text = new string('x', ServerErrorText.MaxLength - 1) + "😀" + new string('y', 1000);

        var shown = ServerErrorText.From(Encoding.UTF8.GetBytes($"{{\"error\":\"{text}\"}}"), "application/json")!;

        Assert.Equal(new string('x', ServerErrorText.MaxLength - 1) + "…", shown);
        Assert.True(ServerErrorText.From(Encoding.UTF8.GetBytes(new string('z', 100_000)), "text/plain")!.Length <= ServerErrorText.MaxLength + 1);
    }
}
