using System.Text;
using EduVpnActors.Actors.Import;

namespace EduVpnActors.Tests.Import;

public sealed class StateReaderErrorTests
{
    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"v2\":{\"server_list\":{")] // truncated
    [InlineData("{\"v2\":{},}")] // trailing comma: Go rejects it too
    [InlineData("{\"v2\":{}} // comment")]
    public void Read_NotJson_NotJsonError(string text)
    {
        Assert.Equal(StateImportErrorKind.NotJson, StateFiles.ReadFails(text).Kind);
    }

    [Fact]
    public void Read_TruncatedRealFile_NotJsonError()
    {
        var full = StateFiles.FullV2;
        for (var length = 1; length < full.Length - 1; length += 97)
        {
            var error = StateFiles.ReadFails(full[..length]);
            Assert.Equal(StateImportErrorKind.NotJson, error.Kind);
        }
    }

    [Fact]
    public void Read_InvalidUtf8_NotJsonError()
    {
        var error = Assert.Throws<StateImportException>(() =>
            EduVpnCommonStateReader.Read([(byte)'{', (byte)'"', 0xff, (byte)'"', (byte)':', (byte)'1', (byte)'}']));
        Assert.Equal(StateImportErrorKind.NotJson, error.Kind);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"v3\":{}}")]
    [InlineData("{\"v2\":null,\"v1\":null}")]
    [InlineData("[]")]
    [InlineData("\"v2\"")]
    [InlineData("null")]
    public void Read_NeitherV1NorV2_UnknownFormat(string text)
    {
        Assert.Equal(StateImportErrorKind.UnknownFormat, StateFiles.ReadFails(text).Kind);
    }

    [Fact]
    public void Read_TooLarge_TooLargeWithoutParsing()
    {
        var huge = new byte[EduVpnCommonStateReader.MaxStateBytes + 1];
        Array.Fill(huge, (byte)' ');
        Assert.Equal(StateImportErrorKind.TooLarge, Assert.Throws<StateImportException>(() => EduVpnCommonStateReader.Read(huge)).Kind);
    }

    [Fact]
    public void Read_LargeButUnderCap_Accepted()
    {
        var padding = new string(' ', EduVpnCommonStateReader.MaxStateBytes - 20);
        var state = StateFiles.Read("{\"v2\":{}}" + padding);
        Assert.Empty(state.Servers);
    }

    [Theory]
    [InlineData("{\"v2\":{\"server_list\":{\"a,1\":{}}}}", "expected integer")]
    [InlineData("{\"v2\":{\"server_list\":{\"3\":{}}}}", "does not match")]
    [InlineData("{\"v2\":{\"server_list\":{\"3,\":{}}}}", "unexpected EOF")]
    [InlineData("{\"v2\":{\"last_chosen_id\":\"x,y\"}}", "expected integer")]
    public void Read_BadKey_InvalidServerKey(string text, string reason)
    {
        var error = StateFiles.ReadFails(text);
        Assert.Equal(StateImportErrorKind.InvalidServerKey, error.Kind);
        Assert.Contains(reason, error.Message);
        Assert.StartsWith("$.v2.", error.Field);
    }

    [Theory]
    [InlineData("{\"v2\":{\"server_list\":{\"4,a\":{}}}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"25,a\":{}}}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"servers\":{\"v\":1,\"server_list\":[{\"server_type\":\"a\"}]}}}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"servers\":{\"v\":1,\"server_list\":[{\"server_type\":25}]}}}}")]
    public void Read_BadType_InvalidServerType(string text)
    {
        Assert.Equal(StateImportErrorKind.InvalidServerType, StateFiles.ReadFails(text).Kind);
    }

    [Fact]
    public void Read_DiscoveryServerTypeAsNumberOrLegacyString_Accepted()
    {
        var state = StateFiles.Read("""
            {"v2":{"discovery":{"servers":{"v":1,"server_list":[{"server_type":1},{"server_type":"custom_server"}]}}}}
            """);
        Assert.Equal(1UL, state.Discovery!.Servers!.Version);
    }

    [Theory]
    [InlineData("last_authorize_time", "\"2024-03-01\"")]
    [InlineData("last_authorize_time", "\"yesterday\"")]
    [InlineData("expire_time", "\"2024-03-01T12:00:00\"")]
    [InlineData("expire_time", "1709294400")]
    public void Read_BadTime_InvalidTimeNamingField(string field, string value)
    {
        var error = StateFiles.ReadFails("{\"v2\":{\"server_list\":{\"3,https://a/\":{\"" + field + "\":" + value + "}}}}");
        Assert.Equal(StateImportErrorKind.InvalidTime, error.Kind);
        Assert.Equal($"$.v2.server_list[\"3,https://a/\"].{field}", error.Field);
        Assert.DoesNotContain(value.Trim('"'), error.Message);
    }

    [Theory]
    [InlineData("start_time")]
    [InlineData("start_time_oauth")]
    [InlineData("expire_time")]
    public void Read_BadV1Time_InvalidTime(string field)
    {
        var error = StateFiles.ReadFails("{\"v1\":{\"servers\":{\"custom_servers\":{\"map\":{\"https://a/\":{\"base\":{\"" + field + "\":\"never\"}}}}}}}");
        Assert.Equal(StateImportErrorKind.InvalidTime, error.Kind);
        Assert.EndsWith(field, error.Field);
    }

    [Fact]
    public void Read_BadDiscoveryTime_InvalidTime()
    {
        var error = StateFiles.ReadFails("""{"v2":{"discovery":{"organizations":{"v":1,"organization_list":[],"go_timestamp":"x"}}}}""");
        Assert.Equal(StateImportErrorKind.InvalidTime, error.Kind);
        Assert.Equal("$.v2.discovery.organizations.go_timestamp", error.Field);
    }

    [Theory]
    [InlineData("{\"v2\":[]}")]
    [InlineData("{\"v2\":{\"server_list\":[]}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"3,a\":\"x\"}}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"3,a\":{\"profiles\":{\"current\":5}}}}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"3,a\":{\"profiles\":{\"map\":{\"p\":{\"default_gateway\":\"yes\"}}}}}}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"3,a\":{\"profiles\":{\"map\":{\"p\":{\"display_name\":7}}}}}}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"3,a\":{\"profiles\":{\"map\":[]}}}}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"3,a\":{\"country_code\":1}}}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"3,a\":{\"location_profiles\":{\"nl\":1}}}}}")]
    [InlineData("{\"v2\":{\"last_chosen_id\":3}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"servers\":{\"v\":-1,\"server_list\":[]}}}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"servers\":{\"v\":\"1\",\"server_list\":[]}}}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"servers\":{\"v\":1,\"server_list\":{}}}}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"servers\":{\"v\":1,\"server_list\":[1]}}}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"servers\":{\"v\":1,\"server_list\":[{\"base_url\":1}]}}}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"servers\":{\"v\":1,\"server_list\":[{\"support_contact\":[1]}]}}}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"organizations\":{\"v\":1,\"organization_list\":[{\"secure_internet_home\":[]}]}}}}")]
    [InlineData("{\"v2\":{\"discovery\":{\"organizations\":{\"v\":1,\"organization_list\":[{\"display_name\":[\"x\"]}]}}}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"2,a\":{},\"2,b\":{}}}}")] // at most one Secure Internet server
    [InlineData("{\"v1\":{\"servers\":{\"is_secure_internet\":\"2\"}}}")]
    [InlineData("{\"v1\":{\"servers\":{\"is_secure_internet\":1.5}}}")]
    [InlineData("{\"v1\":{\"servers\":{\"is_secure_internet\":300}}}")]
    [InlineData("{\"v1\":{\"servers\":{\"custom_servers\":{\"map\":{\"https://a/\":{\"base\":{\"profiles\":{\"info\":{\"profile_list\":{}}}}}}}}}}")]
    [InlineData("{\"v1\":{\"servers\":{\"custom_servers\":{\"map\":{\"https://a/\":{\"base\":{\"profiles\":{\"info\":{\"profile_list\":[{\"profile_id\":1}]}}}}}}}}}")]
    [InlineData("{\"v1\":{\"servers\":{\"custom_servers\":{\"map\":{\"https://a/\":[]}}}}}")]
    [InlineData("{\"v1\":{\"servers\":{\"custom_servers\":{\"current_url\":false}}}}")]
    [InlineData("{\"v1\":{\"servers\":{\"secure_internet_home\":{\"base_map\":{\"nl\":\"x\"},\"home_organization_id\":\"o\",\"current_location\":\"nl\"}}}}")]
    [InlineData("{\"v1\":{\"servers\":{\"secure_internet_home\":{\"home_organization_id\":7}}}}")]
    [InlineData("{\"v1\":{\"servers\":{\"secure_internet_home\":{\"display_name\":[]}}}}")]
    public void Read_WrongJsonType_InvalidField(string text)
    {
        var error = StateFiles.ReadFails(text);
        Assert.Equal(StateImportErrorKind.InvalidField, error.Kind);
        Assert.NotNull(error.Field);
    }

    [Fact]
    public void Read_ErrorNeverEchoesSecretValues()
    {
        var error = StateFiles.ReadFails("""
            {"v2":{"server_list":{"3,https://a/":{"access_token":"SECRET-TOKEN","country_code":{"refresh_token":"SECRET-REFRESH"}}}}}
            """);
        Assert.Equal(StateImportErrorKind.InvalidField, error.Kind);
        Assert.DoesNotContain("SECRET", error.Message);
        Assert.DoesNotContain("SECRET", error.ToString());
    }

    [Fact]
    public void Read_MalformedAfterValidServers_NoPartialState()
    {
        // A good server first, then a broken one: the whole read fails, nothing is returned.
        ImportedState? state = null;
        var error = Assert.Throws<StateImportException>(() =>
            state = StateFiles.Read("""{"v2":{"server_list":{"3,https://good/":{"profiles":{"current":"p"}},"3,https://bad/":{"expire_time":"x"}}}}"""));
        Assert.Equal(StateImportErrorKind.InvalidTime, error.Kind);
        Assert.Null(state);
    }

    [Fact]
    public void Read_MalformedDiscoveryAfterServers_NoPartialState()
    {
        var text = StateFiles.FullV2.Replace("\"v\":1700000002", "\"v\":\"broken\"", StringComparison.Ordinal);
        Assert.Equal(StateImportErrorKind.InvalidField, StateFiles.ReadFails(text).Kind);
    }

    [Fact]
    public void Read_EveryFieldOfFullV2WithWrongType_Fails()
    {
        // Replace each string value in the full file by a number, one at a time: every change
        // must be rejected (no field of §10.2 is silently accepted with a wrong type), except
        // in entries of discovery lists beyond what §3.2 names.
        var full = StateFiles.FullV2;
        var index = 0;
        var checkedFields = 0;
        while ((index = full.IndexOf("\":\"", index, StringComparison.Ordinal)) >= 0)
        {
            var valueStart = index + 2;
            var valueEnd = full.IndexOf('"', valueStart + 1);
            var broken = full[..valueStart] + "12" + full[(valueEnd + 1)..];
            var error = Assert.Throws<StateImportException>(() => StateFiles.Read(broken));
            Assert.True(error.Kind is StateImportErrorKind.InvalidField or StateImportErrorKind.InvalidTime
                or StateImportErrorKind.InvalidServerType or StateImportErrorKind.InvalidServerKey, error.Message);
            index = valueEnd;
            checkedFields++;
        }
        Assert.True(checkedFields > 30);
    }
}
