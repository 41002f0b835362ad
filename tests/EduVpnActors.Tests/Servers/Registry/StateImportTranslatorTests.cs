using System.Text;
using EduVpnActors.Actors.Servers.Registry;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Import;

namespace EduVpnActors.Tests.Servers.Registry;

/// <summary>Importing eduvpn-common state into the registry, without an actor (hand-written v1 and v2 files).</summary>
public sealed class StateImportTranslatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly ServerId Custom = new(ServerType.Custom, "https://custom.example.org/");
    private static readonly ServerId Custom2 = new(ServerType.Custom, "https://custom2.example.org/");
    private static readonly ServerId Institute = new(ServerType.InstituteAccess, "https://institute.example.org/");
    private static readonly ServerId Secure = new(ServerType.SecureInternet, "https://idp.example.org/");

    [Fact]
    public void FullV2_EveryServerWithItsChoicesAndTimes()
    {
        var (state, reply) = Import(StateFiles.FullV2);

        Assert.True(reply.Applied);
        Assert.Equal(2, reply.FormatVersion);
        Assert.Equal(3, reply.ServersAdded);
        Assert.Equal(0, reply.ServersAlreadyKnown);
        Assert.Equal([Institute, Secure, Custom], state.Ordered.Select(s => s.Id));
        Assert.Equal(Custom, state.Current);

        var custom = state.Find(Custom)!;
        Assert.Equal("https://custom.example.org/", custom.BaseUrl);
        Assert.Equal(LocalizedText.English("custom.example.org"), custom.DisplayName);
        Assert.Equal("internet", custom.ProfileId);
        Assert.Empty(custom.ProfilesByLocation);
        Assert.Equal(Now, custom.AddedAt);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 12, 34, 56, 123, TimeSpan.Zero), custom.LastAuthorizedAt);
        Assert.Equal(custom.LastAuthorizedAt, custom.ConfigStartedAt);
        Assert.Equal(new DateTimeOffset(2024, 3, 8, 11, 34, 56, 123, TimeSpan.Zero), custom.ConfigExpiresAt);

        var institute = state.Find(Institute)!;
        Assert.Equal(LocalizedText.English("Institute ★"), institute.DisplayName);
        Assert.Null(institute.ProfileId);
        Assert.Null(institute.LastAuthorizedAt);
        Assert.Null(institute.ConfigStartedAt);
        Assert.Null(institute.ConfigExpiresAt);
        Assert.Null(institute.LocationCountryCode);

        var secure = state.Find(Secure)!;
        Assert.Equal("https://idp.example.org/", secure.OrganizationId);
        Assert.Equal("https://nl.example.org/", secure.BaseUrl);
        Assert.Equal("Voorbeeld", secure.DisplayName.Values["nl"]);
        Assert.Equal("nl", secure.LocationCountryCode);
        Assert.Equal("https://nl.example.org/", secure.LocationBaseUrl);
        Assert.Equal("all", secure.ProfileId);
        // The "de": "" of eduvpn-common's lagging map is no choice.
        Assert.Equal(new Dictionary<string, string> { ["nl"] = "all" }, secure.ProfilesByLocation);
        Assert.Equal(new DateTimeOffset(2024, 2, 8, 8, 0, 0, 500, TimeSpan.Zero), secure.ConfigExpiresAt);

        Assert.Contains(reply.Plan, l => l.StartsWith("add custom https://custom.example.org/", StringComparison.Ordinal));
        Assert.Contains("current server: set to 3,https://custom.example.org/", reply.Plan);
        Assert.Contains(reply.Plan, l => l.StartsWith("discovery cache: not imported", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, ServerType.Custom)]
    [InlineData(1, ServerType.InstituteAccess)]
    [InlineData(2, ServerType.SecureInternet)]
    public void V1_ConvertedWithTheV1CurrentNumbering(int isSecureInternet, ServerType current)
    {
        var (state, reply) = Import(StateFiles.V1(isSecureInternet));

        Assert.Equal(1, reply.FormatVersion);
        Assert.Equal(4, reply.ServersAdded);
        Assert.Equal([Institute, Secure, Custom, Custom2], state.Ordered.Select(s => s.Id));
        Assert.Equal(current, state.Current?.Type);

        var custom = state.Find(Custom)!;
        Assert.Equal("office", custom.ProfileId);
        // start_time_oauth is zero, so start_time counts.
        Assert.Equal(new DateTimeOffset(2023, 5, 1, 10, 0, 0, TimeSpan.Zero), custom.LastAuthorizedAt);
        Assert.Equal(new DateTimeOffset(2023, 5, 1, 20, 0, 0, 250, TimeSpan.Zero), custom.ConfigExpiresAt);

        var institute = state.Find(Institute)!;
        Assert.Equal("staff", institute.ProfileId);
        Assert.Equal(new DateTimeOffset(2023, 6, 1, 7, 59, 0, 123, TimeSpan.Zero), institute.LastAuthorizedAt);

        var secure = state.Find(Secure)!;
        Assert.Equal("nl", secure.LocationCountryCode);
        Assert.Equal("https://nl.example.org/", secure.LocationBaseUrl);
        Assert.Equal("https://nl.example.org/", secure.BaseUrl);
        Assert.Equal("all", secure.ProfileId);
        Assert.Equal(new Dictionary<string, string> { ["nl"] = "all" }, secure.ProfilesByLocation);
        Assert.Equal(new DateTimeOffset(2023, 7, 1, 9, 0, 0, TimeSpan.Zero), secure.LastAuthorizedAt);

        var empty = state.Find(Custom2)!;
        Assert.Null(empty.ProfileId);
        Assert.Null(empty.LastAuthorizedAt);
        Assert.Null(empty.ConfigExpiresAt);
    }

    [Fact]
    public void V1_OtherLocationWithoutDiscoveryEntry_LocationUrlUnknownAndSaid()
    {
        var (state, reply) = Import(StateFiles.V1(2, currentLocation: "de"));

        var secure = state.Find(Secure)!;
        Assert.Equal("de", secure.LocationCountryCode);
        Assert.Null(secure.LocationBaseUrl);
        Assert.Null(secure.ProfileId);
        Assert.Empty(secure.ProfilesByLocation);
        Assert.Contains(reply.Plan, l => l.Contains("location de not in the file's discovery cache", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "nl")]
    [InlineData("https://idp.example.org/", "fr")]
    public void V1_SecureWithoutOrganizationOrBase_NotImportedAndNotCurrent(string organization, string location)
    {
        var (state, reply) = Import(StateFiles.V1(2, organization, location));

        Assert.Equal(3, reply.ServersAdded);
        Assert.Null(state.SecureInternet);
        Assert.Null(state.Current);
    }

    [Fact]
    public void V2_WithoutDiscovery_SecureHomeUnknownNamesFromIdentifiers()
    {
        const string json = """
            {"v2":{"server_list":{
              "2,org-without-discovery":{"profiles":{"current":""},"last_authorize_time":"0001-01-01T00:00:00Z","expire_time":"0001-01-01T00:00:00Z","country_code":"nl"},
              "1,https://institute.example.org/":{"profiles":{"current":"x"},"last_authorize_time":"0001-01-01T00:00:00Z","expire_time":"0001-01-01T00:00:00Z"}},
             "last_chosen_id":"2,org-without-discovery"}}
            """;

        var (state, reply) = Import(json);

        var secure = state.Find(new ServerId(ServerType.SecureInternet, "org-without-discovery"))!;
        Assert.Equal("", secure.BaseUrl);
        Assert.Equal(LocalizedText.English("org-without-discovery"), secure.DisplayName);
        Assert.Null(secure.LocationBaseUrl);
        Assert.Equal(LocalizedText.English("https://institute.example.org/"), state.Find(Institute)!.DisplayName);
        Assert.Equal(secure.Id, state.Current);
        Assert.Contains(reply.Plan, l => l.Contains("home server not in the file's discovery cache", StringComparison.Ordinal));
        Assert.DoesNotContain(reply.Plan, l => l.StartsWith("discovery cache: not imported", StringComparison.Ordinal));
    }

    [Fact]
    public void V2_UnnormalisedAndUnusableKeys_NormalisedOrSkipped()
    {
        const string json = """
            {"v2":{"server_list":{
              "3,http://custom.example.org":{"profiles":{"current":"a"}},
              "3,https://custom.example.org/":{"profiles":{"current":"b"}},
              "3,%zz":{"profiles":{"current":""}},
              "0,https://unknown.example.org/":{"profiles":{"current":""}}},
             "last_chosen_id":"3,http://custom.example.org"}}
            """;

        var (state, reply) = Import(json);

        var custom = Assert.Single(state.Ordered);
        Assert.Equal(Custom, custom.Id);
        Assert.Equal(1, reply.ServersAdded);
        Assert.Equal(1, reply.ServersAlreadyKnown);
        Assert.Equal(Custom, state.Current);
        Assert.Equal(2, reply.Plan.Count(l => l.StartsWith("skip ", StringComparison.Ordinal)));
    }

    [Fact]
    public void V1AndV2BothPresent_V2Imported()
    {
        // The full v1 document with a v2 object in front of it.
        var both = "{\"v2\":{\"server_list\":{\"3,https://only-v2.example.org/\":{\"profiles\":{\"current\":\"\"}}}}," + StateFiles.V1(0).Trim()[1..];

        var (state, reply) = Import(both);

        Assert.Equal(2, reply.FormatVersion);
        Assert.Equal("https://only-v2.example.org/", Assert.Single(state.Ordered).Id.Identifier);
    }

    [Fact]
    public void V2NullWithV1_V1Imported()
    {
        var json = "{\"v2\":null," + StateFiles.V1(0).Trim()[1..];

        var (state, reply) = Import(json);

        Assert.Equal(1, reply.FormatVersion);
        Assert.Equal(4, state.Servers.Count);
    }

    [Fact]
    public void V2LastChosenNotStored_NoCurrentServer()
    {
        const string json = """
            {"v2":{"server_list":{"3,https://a.example.org/":{"profiles":{"current":""}},"1,https://gone.example.org/":null},
             "last_chosen_id":"1,https://gone.example.org/"}}
            """;

        var (state, reply) = Import(json);

        Assert.Equal(1, reply.ServersAdded);
        Assert.Null(state.Current);
        Assert.DoesNotContain(reply.Plan, l => l.StartsWith("current server: set", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_Twice_SecondAddsNothing()
    {
        var (state, _) = Import(StateFiles.FullV2);

        var second = RegistryRules.Decide(new ImportEduVpnCommonState("again", Encoding.UTF8.GetBytes(StateFiles.FullV2), Apply: true), state, Now.AddDays(1));

        var reply = Assert.IsType<StateImported>(second.Reply);
        Assert.Empty(second.Events);
        Assert.Equal(0, reply.ServersAdded);
        Assert.Equal(3, reply.ServersAlreadyKnown);
        Assert.Contains("current server: 3,https://custom.example.org/ already", reply.Plan);
    }

    [Fact]
    public void Import_RegistryHasOtherSecureInternetAndCurrent_SecureSkippedCurrentKept()
    {
        var state = RegistryRulesTests.Run(ServerRegistryState.Empty, new AddServerRecord("a",
            new ServerId(ServerType.SecureInternet, "https://mine.example.org/"), "https://home.example.org/", LocalizedText.Empty, null)).State;
        state = RegistryRulesTests.Run(state, new SelectCurrentServer("s", new ServerId(ServerType.SecureInternet, "https://mine.example.org/"))).State;

        var (after, reply) = Import(StateFiles.FullV2, state);

        Assert.Equal(2, reply.ServersAdded);
        Assert.Null(after.Find(Secure));
        Assert.Equal("https://mine.example.org/", after.Current?.Identifier);
        Assert.Contains(reply.Plan, l => l.StartsWith("skip secure internet https://idp.example.org/", StringComparison.Ordinal));
        Assert.Contains(reply.Plan, l => l.StartsWith("current server: keep 2,https://mine.example.org/", StringComparison.Ordinal));
    }

    [Fact]
    public void DryRun_SamePlanNoEvents()
    {
        var bytes = Encoding.UTF8.GetBytes(StateFiles.FullV2);

        var dry = RegistryRules.Decide(new ImportEduVpnCommonState("d", bytes, Apply: false), ServerRegistryState.Empty, Now);
        var applied = RegistryRules.Decide(new ImportEduVpnCommonState("a", bytes, Apply: true), ServerRegistryState.Empty, Now);

        Assert.Empty(dry.Events);
        var dryReply = Assert.IsType<StateImported>(dry.Reply);
        Assert.False(dryReply.Applied);
        Assert.Equal(3, dryReply.ServersAdded);
        Assert.Equal(Assert.IsType<StateImported>(applied.Reply).Plan, dryReply.Plan);
        Assert.Equal(4, applied.Events.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"v2\":")]
    [InlineData("[]")]
    [InlineData("{\"v3\":{}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"a,1\":{}}}}")]
    [InlineData("{\"v2\":{\"server_list\":{\"3,https://x/\":{\"last_authorize_time\":\"yesterday\"}}}}")]
    public void Malformed_RefusedImportFailedNoEvents(string json)
    {
        var decision = RegistryRules.Decide(new ImportEduVpnCommonState("m", Encoding.UTF8.GetBytes(json), Apply: true), ServerRegistryState.Empty, Now);

        Assert.Empty(decision.Events);
        var failed = Assert.IsType<RegistryRequestFailed>(decision.Reply);
        Assert.Equal(RegistryErrorKind.ImportFailed, failed.Kind);
        Assert.Equal("m", failed.RequestId);
    }

    private static (ServerRegistryState State, StateImported Reply) Import(string json, ServerRegistryState? state = null)
    {
        var (after, decision) = RegistryRulesTests.Run(state ?? ServerRegistryState.Empty,
            new ImportEduVpnCommonState("i", Encoding.UTF8.GetBytes(json), Apply: true));
        return (after, Assert.IsType<StateImported>(decision.Reply));
    }
}
