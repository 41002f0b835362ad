using System.Text.Json;
using EduVpnActors.Actors.Import;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Import;

public sealed class StateReaderV1Tests
{
    private static readonly ImportedServerKey Custom = new(ServerType.Custom, "https://custom.example.org/");
    private static readonly ImportedServerKey Custom2 = new(ServerType.Custom, "https://custom2.example.org/");
    private static readonly ImportedServerKey Institute = new(ServerType.InstituteAccess, "https://institute.example.org/");
    private static readonly ImportedServerKey Secure = new(ServerType.SecureInternet, "https://idp.example.org/");

    [Fact]
    public void Read_FullV1_ConvertsEveryList()
    {
        var state = StateFiles.Read(StateFiles.V1(isSecureInternet: 0));

        Assert.Equal(1, state.FormatVersion);
        Assert.Equal([Institute, Secure, Custom, Custom2], state.Servers.Select(s => s.Key));
    }

    [Theory]
    [InlineData(0, ServerType.Custom)]
    [InlineData(1, ServerType.InstituteAccess)]
    [InlineData(2, ServerType.SecureInternet)]
    public void Read_IsSecureInternet_SelectsCurrentWithV1Numbering(int isSecureInternet, ServerType expected)
    {
        var state = StateFiles.Read(StateFiles.V1(isSecureInternet));

        Assert.Equal(expected, state.CurrentServer!.Type);
        Assert.Equal(expected switch
        {
            ServerType.Custom => Custom,
            ServerType.InstituteAccess => Institute,
            _ => Secure,
        }, state.CurrentServer);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void Read_IsSecureInternetUnknown_NoCurrent(int isSecureInternet)
    {
        Assert.Null(StateFiles.Read(StateFiles.V1(isSecureInternet)).CurrentServer);
    }

    [Fact]
    public void Read_CustomBase_ProfilesTimesFromBase()
    {
        var server = StateFiles.Read(StateFiles.V1(0)).Servers.Single(s => s.Key == Custom);

        Assert.Equal("office", server.CurrentProfile);
        Assert.Equal(["internet", "office"], server.Profiles.Keys);
        Assert.Equal(new ImportedProfile(LocalizedText.English("Internet"), true), server.Profiles["internet"]);
        Assert.Equal(new ImportedProfile(LocalizedText.English("Office"), false), server.Profiles["office"]);
        // start_time_oauth is zero: start_time is used.
        Assert.Equal(new DateTimeOffset(2023, 5, 1, 10, 0, 0, TimeSpan.Zero), server.LastAuthorizeTime);
        Assert.Equal(new DateTimeOffset(2023, 5, 1, 20, 0, 0, 250, TimeSpan.Zero), server.ExpireTime);
        Assert.Null(server.CountryCode);
        Assert.Empty(server.LocationProfiles);
    }

    [Fact]
    public void Read_InstituteBase_OAuthStartTimeWins()
    {
        var server = StateFiles.Read(StateFiles.V1(1)).Servers.Single(s => s.Key == Institute);

        Assert.Equal("staff", server.CurrentProfile);
        Assert.Equal(new ImportedProfile(LocalizedText.English("Staff"), true), Assert.Single(server.Profiles).Value);
        Assert.Equal(new DateTimeOffset(2023, 6, 1, 9, 59, 0, 123, TimeSpan.FromHours(2)), server.LastAuthorizeTime);
        Assert.Equal(new DateTimeOffset(2023, 6, 2, 10, 0, 0, TimeSpan.Zero), server.ExpireTime);
    }

    [Fact]
    public void Read_AllZeroBase_NullTimesNoProfile()
    {
        var server = StateFiles.Read(StateFiles.V1(0)).Servers.Single(s => s.Key == Custom2);

        Assert.Null(server.CurrentProfile);
        Assert.Empty(server.Profiles);
        Assert.Null(server.LastAuthorizeTime);
        Assert.Null(server.ExpireTime);
    }

    [Fact]
    public void Read_SecureHome_CurrentLocationBase()
    {
        var server = StateFiles.Read(StateFiles.V1(2)).Servers.Single(s => s.Key == Secure);

        Assert.Equal("nl", server.CountryCode);
        Assert.Equal("all", server.CurrentProfile);
        Assert.Equal(new ImportedProfile(LocalizedText.English("All"), true), server.Profiles["all"]);
        Assert.Equal(new DateTimeOffset(2023, 7, 1, 9, 0, 0, TimeSpan.Zero), server.LastAuthorizeTime);
        Assert.Equal(new DateTimeOffset(2023, 7, 8, 10, 0, 0, TimeSpan.Zero), server.ExpireTime);
        Assert.Empty(server.LocationProfiles);
    }

    [Fact]
    public void Read_SecureOtherLocation_ThatBaseUsed()
    {
        var server = StateFiles.Read(StateFiles.V1(2, currentLocation: "de")).Servers.Single(s => s.Key == Secure);

        Assert.Equal("de", server.CountryCode);
        Assert.Null(server.CurrentProfile);
        Assert.Empty(server.Profiles);
        Assert.Equal(new DateTimeOffset(2023, 7, 2, 10, 0, 0, TimeSpan.Zero), server.LastAuthorizeTime);
        Assert.Null(server.ExpireTime);
    }

    [Fact]
    public void Read_SecureWithoutHomeOrganization_Dropped()
    {
        var state = StateFiles.Read(StateFiles.V1(2, homeOrganizationId: ""));

        Assert.DoesNotContain(state.Servers, s => s.Key.Type == ServerType.SecureInternet);
        Assert.Null(state.CurrentServer);
        Assert.Equal(3, state.Servers.Count);
    }

    [Fact]
    public void Read_SecureLocationMissingFromBaseMap_Dropped()
    {
        var state = StateFiles.Read(StateFiles.V1(2, currentLocation: "fr"));

        Assert.DoesNotContain(state.Servers, s => s.Key.Type == ServerType.SecureInternet);
        Assert.Null(state.CurrentServer);
    }

    [Fact]
    public void Read_SecureLocationBaseNull_Dropped()
    {
        var state = StateFiles.Read("""
            {"v1":{"servers":{"secure_internet_home":{"base_map":{"nl":null},"home_organization_id":"org","current_location":"nl"},"is_secure_internet":2}}}
            """);
        Assert.Empty(state.Servers);
        Assert.Null(state.CurrentServer);
    }

    [Fact]
    public void Read_CurrentUrlNotInMap_NoCurrent()
    {
        var state = StateFiles.Read("""
            {"v1":{"servers":{"custom_servers":{"map":{"https://a/":{"base":{}}},"current_url":"https://gone/"},"is_secure_internet":0}}}
            """);
        Assert.Equal(new ImportedServerKey(ServerType.Custom, "https://a/"), Assert.Single(state.Servers).Key);
        Assert.Null(state.CurrentServer);
    }

    [Fact]
    public void Read_SameUrlCustomAndInstitute_CustomCheckedFirstOnlyWhenSelected()
    {
        const string Template = """
            {"v1":{"servers":{
              "custom_servers":{"map":{"https://same/":{"base":{}}},"current_url":"https://same/"},
              "institute_servers":{"map":{"https://same/":{"base":{}}},"current_url":"https://same/"},
              "is_secure_internet":KIND}}}
            """;
        var asCustom = StateFiles.Read(Template.Replace("KIND", "0"));
        var asInstitute = StateFiles.Read(Template.Replace("KIND", "1"));

        Assert.Equal(2, asCustom.Servers.Count);
        Assert.Equal(new ImportedServerKey(ServerType.Custom, "https://same/"), asCustom.CurrentServer);
        Assert.Equal(new ImportedServerKey(ServerType.InstituteAccess, "https://same/"), asInstitute.CurrentServer);
    }

    [Fact]
    public void Read_V1Discovery_CopiedVerbatim()
    {
        var discovery = StateFiles.Read(StateFiles.V1(0)).Discovery!;

        Assert.Equal(22UL, discovery.Servers!.Version);
        Assert.Equal(new DateTimeOffset(2023, 1, 1, 0, 0, 1, TimeSpan.Zero), discovery.Servers.Timestamp);
        Assert.Equal(new DateTimeOffset(2022, 12, 31, 0, 0, 0, TimeSpan.Zero), discovery.Servers.UpdateHeader);
        Assert.Equal(11UL, discovery.Organizations!.Version);
        Assert.Null(discovery.Organizations.UpdateHeader);
        using var organizations = JsonDocument.Parse(discovery.Organizations.Json.AsMemory());
        Assert.Equal("https://idp.example.org/",
            organizations.RootElement.GetProperty("organization_list")[0].GetProperty("org_id").GetString());
    }

    [Fact]
    public void Read_DuplicateProfileIds_LastWins()
    {
        var state = StateFiles.Read("""
            {"v1":{"servers":{"custom_servers":{"map":{"https://a/":{"base":{"profiles":{"info":{"profile_list":[
              {"profile_id":"p","display_name":"First","default_gateway":false},
              {"profile_id":"p","display_name":"Second","default_gateway":true}]}}}}}}}}}
            """);
        var profile = Assert.Single(Assert.Single(state.Servers).Profiles);
        Assert.Equal(new ImportedProfile(LocalizedText.English("Second"), true), profile.Value);
    }
}
