using System.Text;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Import;

namespace EduVpnActors.Tests.Fuzzing;

/// <summary>
/// The inputs the fuzzers found that escaped as untyped exceptions, kept as plain regression tests.
/// An escaped lone surrogate (<c>"\uD800"</c>) is valid JSON, but System.Text.Json throws
/// InvalidOperationException when it is read as a string or when a key lookup meets such a name.
/// </summary>
public sealed class FuzzFindingsTests
{
    [Theory]
    [InlineData("""{"v":1,"server_list":[{"base_url":"\uD800","server_type":"institute_access"}]}""")]
    [InlineData("""{"v":1,"server_list":[],"\uDC00":{}}""")]
    [InlineData("""{"v":1,"server_list":[{"base_url":"https://a/","server_type":"institute_access","display_name":{"\uD800":"x"}}]}""")]
    public void ServerList_LoneSurrogate_IsADiscoveryFormatException(string json)
    {
        var error = Assert.Throws<DiscoveryFormatException>(() => DiscoveryDocuments.ParseServerList(Encoding.UTF8.GetBytes(json)));
        Assert.Equal("server_list.json", error.FileName);
    }

    [Theory]
    [InlineData("""{"v":1,"organization_list":[{"org_id":"x","secure_internet_home":"y","display_name":{"en":"\uD800\u0041"}}]}""")]
    [InlineData("""{"v":1,"organization_list":[],"\uDC00":{}}""")]
    public void OrganizationList_LoneSurrogate_IsADiscoveryFormatException(string json)
    {
        var error = Assert.Throws<DiscoveryFormatException>(() => DiscoveryDocuments.ParseOrganizationList(Encoding.UTF8.GetBytes(json)));
        Assert.Equal("organization_list.json", error.FileName);
    }

    [Theory]
    [InlineData("""{"api":{"http://eduvpn.org/api#3":{"api_endpoint":"https://a/api","authorization_endpoint":"1,\uD800","token_endpoint":"https://a/t"}}}""")]
    [InlineData("""{"\uD800":1,"api":{}}""")]
    public void WellKnown_LoneSurrogate_IsWellKnownInvalid(string json)
    {
        var error = Assert.Throws<ApiException>(() => WellKnownDocument.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(ApiErrorKind.WellKnownInvalid, error.Kind);
    }

    [Theory]
    [InlineData("""{"info":{"profile_list":[{"profile_id":"\uDC00x"}]}}""")]
    [InlineData("""{"info":{"profile_list":[{"profile_id":"p","display_name":{"en":"\uD800"}}]}}""")]
    public void Info_LoneSurrogate_IsInfoInvalid(string json)
    {
        var error = Assert.Throws<ApiException>(() => InfoDocument.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(ApiErrorKind.InfoInvalid, error.Kind);
    }

    [Theory]
    [InlineData("""{"v2":{"last_chosen_id":"\uD800"}}""")]
    [InlineData("""{"\uDC00":1,"v2":{}}""")]
    public void State_LoneSurrogate_IsNotJson(string json)
    {
        var error = Assert.Throws<StateImportException>(() => EduVpnCommonStateReader.Read(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(StateImportErrorKind.NotJson, error.Kind);
    }

    [Theory]
    [InlineData("2024-03-01T12:00:00+23:59", "2024-02-29T12:01:00Z")]
    [InlineData("2024-03-01T12:00:00-15:00", "2024-03-02T03:00:00Z")]
    public void GoTime_OffsetBeyondFourteenHours_IsTheSameInstantInUtc(string text, string utc)
    {
        // Go accepts offsets up to ±23:59; DateTimeOffset threw ArgumentOutOfRangeException for them.
        Assert.True(GoTime.TryParse(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(TimeSpan.Zero, value!.Value.Offset);
    }
}
