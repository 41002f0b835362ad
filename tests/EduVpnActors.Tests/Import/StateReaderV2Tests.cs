using System.Text;
using System.Text.Json;
using EduVpnActors.Actors.Import;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Import;

public sealed class StateReaderV2Tests
{
    private static readonly ImportedServerKey Custom = new(ServerType.Custom, "https://custom.example.org/");
    private static readonly ImportedServerKey Institute = new(ServerType.InstituteAccess, "https://institute.example.org/");
    private static readonly ImportedServerKey Secure = new(ServerType.SecureInternet, "https://idp.example.org/");

    [Fact]
    public void Read_FullV2_AllServersOrderedByTypeThenId()
    {
        var state = StateFiles.Read(StateFiles.FullV2);

        Assert.Equal(2, state.FormatVersion);
        Assert.Equal([Institute, Secure, Custom], state.Servers.Select(s => s.Key));
        Assert.Equal(Custom, state.CurrentServer);
    }

    [Fact]
    public void Read_FullV2_CustomServerFields()
    {
        var server = StateFiles.Read(StateFiles.FullV2).Servers.Single(s => s.Key == Custom);

        Assert.Equal("internet", server.CurrentProfile);
        Assert.Equal(["internet", "office"], server.Profiles.Keys);
        Assert.Equal("Internet", server.Profiles["internet"].DisplayName.Values["en"]);
        Assert.Equal("Internet (NL)", server.Profiles["internet"].DisplayName.Values["nl"]);
        Assert.True(server.Profiles["internet"].DefaultGateway);
        Assert.Equal(LocalizedText.English("Office"), server.Profiles["office"].DisplayName);
        Assert.False(server.Profiles["office"].DefaultGateway);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 12, 34, 56, TimeSpan.Zero).AddTicks(1_234_567), server.LastAuthorizeTime);
        Assert.Equal(new DateTimeOffset(2024, 3, 8, 12, 34, 56, TimeSpan.FromHours(1)).AddTicks(1_234_567), server.ExpireTime);
        Assert.Equal(TimeSpan.FromHours(1), server.ExpireTime!.Value.Offset);
        Assert.Null(server.CountryCode);
        Assert.Empty(server.LocationProfiles);
    }

    [Fact]
    public void Read_FullV2_InstituteServerWithZeroTimesAndNoProfiles()
    {
        var server = StateFiles.Read(StateFiles.FullV2).Servers.Single(s => s.Key == Institute);

        Assert.Null(server.CurrentProfile);
        Assert.Empty(server.Profiles);
        Assert.Null(server.LastAuthorizeTime);
        Assert.Null(server.ExpireTime);
        Assert.Null(server.CountryCode);
    }

    [Fact]
    public void Read_FullV2_SecureServerCountryAndLocationProfiles()
    {
        var server = StateFiles.Read(StateFiles.FullV2).Servers.Single(s => s.Key == Secure);

        Assert.Equal("nl", server.CountryCode);
        Assert.Equal("all", server.CurrentProfile);
        Assert.Equal(new Dictionary<string, string> { ["de"] = "", ["nl"] = "all" }, server.LocationProfiles);
        Assert.Equal(new DateTimeOffset(2024, 2, 1, 8, 0, 0, TimeSpan.Zero), server.LastAuthorizeTime);
        Assert.Equal(new DateTimeOffset(2024, 2, 8, 8, 0, 0, 500, TimeSpan.Zero), server.ExpireTime);
    }

    [Fact]
    public void Read_FullV2_DiscoveryCachesKeptVerbatim()
    {
        var discovery = StateFiles.Read(StateFiles.FullV2).Discovery!;

        var servers = discovery.Servers!;
        Assert.Equal(1700000002UL, servers.Version);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 11, 0, 0, TimeSpan.Zero), servers.Timestamp);
        Assert.Null(servers.UpdateHeader);
        var organizations = discovery.Organizations!;
        Assert.Equal(1700000001UL, organizations.Version);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), organizations.Timestamp); // 1 ns truncated
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 9, 0, 0, TimeSpan.Zero), organizations.UpdateHeader);

        // The lists are the original entries under {"v":…,"<name>_list":[…]}, equal as JSON.
        using var original = JsonDocument.Parse(StateFiles.FullV2);
        var originalDiscovery = original.RootElement.GetProperty("v2").GetProperty("discovery");
        AssertListDocument(servers.Json.AsSpan(), 1700000002UL, "server_list", originalDiscovery.GetProperty("servers").GetProperty("server_list"));
        AssertListDocument(organizations.Json.AsSpan(), 1700000001UL, "organization_list", originalDiscovery.GetProperty("organizations").GetProperty("organization_list"));
        Assert.Contains("Institute ★", Encoding.UTF8.GetString(servers.Json.AsSpan()));
    }

    private static void AssertListDocument(ReadOnlySpan<byte> json, ulong version, string listName, JsonElement expectedList)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        Assert.Equal(["v", listName], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(version, root.GetProperty("v").GetUInt64());
        Assert.True(JsonElement.DeepEquals(expectedList, root.GetProperty(listName)));
    }

    [Fact]
    public void Read_BothV2AndV1_V2Wins()
    {
        var v1Inner = StateFiles.V1(isSecureInternet: 0)["{\"v1\":".Length..^1];
        var both = $"{{\"v1\":{v1Inner},\"v2\":{{\"server_list\":{{\"3,https://only-v2.example.org/\":{{}}}}}}}}";

        var state = StateFiles.Read(both);

        Assert.Equal(2, state.FormatVersion);
        Assert.Equal([new ImportedServerKey(ServerType.Custom, "https://only-v2.example.org/")], state.Servers.Select(s => s.Key));
        Assert.Null(state.Discovery);
    }

    [Fact]
    public void Read_V2Null_FallsBackToV1()
    {
        var v1Inner = StateFiles.V1(isSecureInternet: 0)["{\"v1\":".Length..^1];
        var state = StateFiles.Read($"{{\"v2\":null,\"v1\":{v1Inner}}}");
        Assert.Equal(1, state.FormatVersion);
    }

    [Fact]
    public void Read_EmptyV2_EmptyState()
    {
        var state = StateFiles.Read("""{"v2":{}}""");
        Assert.Empty(state.Servers);
        Assert.Null(state.CurrentServer);
        Assert.Null(state.Discovery);
    }

    [Fact]
    public void Read_GoZeroDiscovery_NoCaches()
    {
        // What eduvpn-common writes before it ever fetched discovery.
        var state = StateFiles.Read("""
            {"v2":{"discovery":{"organizations":{"v":0,"organization_list":null,"go_timestamp":"0001-01-01T00:00:00Z","go_update_header":"0001-01-01T00:00:00Z"},
                                "servers":{"v":0,"server_list":[],"go_timestamp":"0001-01-01T00:00:00Z","go_update_header":"0001-01-01T00:00:00Z"}}}}
            """);
        Assert.Null(state.Discovery);
    }

    [Fact]
    public void Read_LastChosenNotStored_NoCurrentServer()
    {
        var state = StateFiles.Read("""{"v2":{"server_list":{"3,https://a/":{}},"last_chosen_id":"3,https://b/"}}""");
        Assert.Null(state.CurrentServer);
        Assert.Single(state.Servers);
    }

    [Fact]
    public void Read_SameIdTwoTypes_TwoServers()
    {
        var state = StateFiles.Read("""{"v2":{"server_list":{"1,a":{},"2,a":{}},"last_chosen_id":"2,a"}}""");
        Assert.Equal([new ImportedServerKey(ServerType.InstituteAccess, "a"), new ImportedServerKey(ServerType.SecureInternet, "a")],
            state.Servers.Select(s => s.Key));
        Assert.Equal(new ImportedServerKey(ServerType.SecureInternet, "a"), state.CurrentServer);
    }

    [Fact]
    public void Read_KeysSpelledTwice_LastEntryWins()
    {
        var state = StateFiles.Read("""{"v2":{"server_list":{"3,a":{"profiles":{"current":"first"}}," 3,a":{"profiles":{"current":"second"}}}}}""");
        Assert.Equal("second", Assert.Single(state.Servers).CurrentProfile);
    }

    [Fact]
    public void Read_LegacyStringTypeInKey_Accepted()
    {
        var state = StateFiles.Read("""{"v2":{"server_list":{"custom_server,https://a/":{}}}}""");
        Assert.Equal(new ImportedServerKey(ServerType.Custom, "https://a/"), Assert.Single(state.Servers).Key);
    }

    [Fact]
    public void Read_UnknownAndTokenLikeFields_Ignored()
    {
        var state = StateFiles.Read("""
            {"v2":{"server_list":{"3,https://a/":{"access_token":"SECRET-A","tokens":{"refresh_token":"SECRET-R"},"profiles":{"current":"p","extra":1}}},"future":true},"v3":{}}
            """);
        var server = Assert.Single(state.Servers);
        Assert.Equal("p", server.CurrentProfile);
        Assert.DoesNotContain("SECRET", string.Join("\n", ImportPlan.Describe(state)));
    }

    [Fact]
    public void Read_ProfileDisplayNameAsBareString_English()
    {
        var state = StateFiles.Read("""{"v2":{"server_list":{"3,a":{"profiles":{"map":{"p":{"display_name":"Plain"}}}}}}}""");
        var profile = Assert.Single(state.Servers).Profiles["p"];
        Assert.Equal(LocalizedText.English("Plain"), profile.DisplayName);
        Assert.False(profile.DefaultGateway);
    }
}
