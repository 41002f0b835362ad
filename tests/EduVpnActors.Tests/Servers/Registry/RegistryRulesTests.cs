using System.Text.Json;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Actors.Servers.Registry;
using EduVpnActors.Messages;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Servers.Registry;

/// <summary>The registry's rules without an actor: decisions, events and the state they lead to.</summary>
public sealed class RegistryRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly ServerId Custom = new(ServerType.Custom, "https://vpn.example.org/");
    private static readonly ServerId Institute = new(ServerType.InstituteAccess, "https://institute.example.org/");
    private static readonly ServerId Secure = new(ServerType.SecureInternet, "https://idp.example.org/");

    [Fact]
    public void Add_CustomWithoutScheme_StoredHttpsNormalised()
    {
        var (state, decision) = Run(ServerRegistryState.Empty,
            new AddServerRecord("r", new ServerId(ServerType.Custom, "vpn.example.org//a/.."), "http://vpn.example.org", LocalizedText.English("VPN"), null));

        var added = Assert.IsType<ServerRecordAdded>(decision.Reply);
        Assert.False(added.AlreadyKnown);
        Assert.Equal(Custom, added.Server.Id);
        Assert.Equal("https://vpn.example.org/", added.Server.BaseUrl);
        Assert.Equal(Now, added.Server.AddedAt);
        Assert.Equal(added.Server, state.Find(Custom));
        Assert.IsType<ServerAdded>(Assert.Single(decision.Events));
    }

    [Theory]
    [InlineData("%notvalid%")]
    [InlineData("")]
    [InlineData("https://")]
    public void Add_InvalidBaseUrl_RefusedInvalidRequestWithoutEvents(string url)
    {
        var decision = RegistryRules.Decide(new AddServerRecord("r", new ServerId(ServerType.Custom, url), url, LocalizedText.Empty, null), ServerRegistryState.Empty, Now);

        AssertRefused(decision, RegistryErrorKind.InvalidRequest);
    }

    [Fact]
    public void Add_IdentifierIsNotTheBaseUrl_Refused()
    {
        var decision = RegistryRules.Decide(
            new AddServerRecord("r", Custom, "https://other.example.org/", LocalizedText.Empty, null), ServerRegistryState.Empty, Now);

        AssertRefused(decision, RegistryErrorKind.InvalidRequest);
    }

    [Fact]
    public void Add_UnknownType_Refused()
    {
        var decision = RegistryRules.Decide(
            new AddServerRecord("r", new ServerId(ServerType.Unknown, "x"), "https://x/", LocalizedText.Empty, null), ServerRegistryState.Empty, Now);

        AssertRefused(decision, RegistryErrorKind.InvalidRequest);
    }

    [Fact]
    public void Add_SameServerAgain_AlreadyKnownKeepsItsChoices()
    {
        var state = WithSecure();
        state = Run(state, new RecordLocationChoice("l", Secure, "nl", "https://nl.example.org/")).State;
        state = Run(state, new RecordProfileChoice("p", Secure, "internet")).State;

        var (after, decision) = Run(state, AddSecure("again"));

        var added = Assert.IsType<ServerRecordAdded>(decision.Reply);
        Assert.True(added.AlreadyKnown);
        Assert.Empty(decision.Events);
        Assert.Equal("internet", added.Server.ProfileId);
        Assert.Same(state, after);
    }

    [Fact]
    public void Add_SecondSecureInternetServer_RefusedSecureInternetAlreadyAdded()
    {
        var state = WithSecure();

        var decision = RegistryRules.Decide(
            new AddServerRecord("r", new ServerId(ServerType.SecureInternet, "https://other-idp.example.org/"), "https://de.example.org/", LocalizedText.Empty, null),
            state, Now);

        AssertRefused(decision, RegistryErrorKind.SecureInternetAlreadyAdded);
    }

    [Fact]
    public void Add_SecureInternet_OrganizationIsTheIdentifier()
    {
        var state = WithSecure();

        var server = state.Find(Secure)!;
        Assert.Equal(Secure.Identifier, server.OrganizationId);
        Assert.Equal("https://home.example.org/", server.BaseUrl);
        Assert.Null(server.LocationCountryCode);
    }

    [Fact]
    public void Remove_SecureInternet_ThenAnotherCanBeAdded()
    {
        var state = Run(WithSecure(), new RemoveServerRecord("x", Secure)).State;

        var decision = RegistryRules.Decide(
            new AddServerRecord("r", new ServerId(ServerType.SecureInternet, "https://other-idp.example.org/"), "https://de.example.org/", LocalizedText.Empty, null),
            state, Now);

        Assert.False(decision.Refused);
    }

    [Fact]
    public void Remove_CurrentServer_ClearsCurrent()
    {
        var state = Run(WithCustom(), new SelectCurrentServer("s", Custom)).State;
        Assert.Equal(Custom, state.Current);

        var (after, decision) = Run(state, new RemoveServerRecord("x", new ServerId(ServerType.Custom, "http://vpn.example.org")));

        Assert.True(Assert.IsType<ServerRecordRemoved>(decision.Reply).Existed);
        Assert.Null(after.Current);
        Assert.Empty(after.Servers);
    }

    [Fact]
    public void Remove_OtherServer_KeepsCurrent()
    {
        var state = Run(WithCustom(), AddInstitute()).State;
        state = Run(state, new SelectCurrentServer("s", Custom)).State;

        var after = Run(state, new RemoveServerRecord("x", Institute)).State;

        Assert.Equal(Custom, after.Current);
    }

    [Fact]
    public void Remove_UnknownServer_RepliesNotExistedWithoutEvents()
    {
        var decision = RegistryRules.Decide(new RemoveServerRecord("x", Custom), ServerRegistryState.Empty, Now);

        Assert.False(Assert.IsType<ServerRecordRemoved>(decision.Reply).Existed);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Select_UnknownServer_RefusedUnknownServer()
    {
        AssertRefused(RegistryRules.Decide(new SelectCurrentServer("s", Custom), ServerRegistryState.Empty, Now), RegistryErrorKind.UnknownServer);
    }

    [Fact]
    public void Select_NoneThenSameAgain_SecondStoresNothing()
    {
        var state = Run(WithCustom(), new SelectCurrentServer("s", Custom)).State;
        var (cleared, first) = Run(state, new SelectCurrentServer("n", null));
        var second = RegistryRules.Decide(new SelectCurrentServer("n2", null), cleared, Now);

        Assert.Single(first.Events);
        Assert.Null(cleared.Current);
        Assert.Empty(second.Events);
        Assert.Null(Assert.IsType<RegistryUpdated>(second.Reply).Current);
    }

    [Theory]
    [InlineData(nameof(RecordProfileChoice))]
    [InlineData(nameof(RecordLocationChoice))]
    [InlineData(nameof(RecordAuthorization))]
    [InlineData(nameof(RecordConfigObtained))]
    [InlineData(nameof(RecordConfigReleased))]
    public void Change_UnknownServer_RefusedUnknownServer(string kind)
    {
        IRegistryRequest command = kind switch
        {
            nameof(RecordProfileChoice) => new RecordProfileChoice("c", Secure, "p"),
            nameof(RecordLocationChoice) => new RecordLocationChoice("c", Secure, "nl", "https://nl.example.org/"),
            nameof(RecordAuthorization) => new RecordAuthorization("c", Secure, Now),
            nameof(RecordConfigObtained) => new RecordConfigObtained("c", Secure, Now, Now.AddDays(1)),
            _ => new RecordConfigReleased("c", Secure),
        };

        var decision = RegistryRules.Decide(command, WithCustom(), Now);

        AssertRefused(decision, RegistryErrorKind.UnknownServer);
        Assert.Equal("c", ((RegistryRequestFailed)decision.Reply).RequestId);
    }

    [Fact]
    public void Profile_SecureInternet_RememberedPerLocationAndRestoredOnSwitch()
    {
        var state = WithSecure();
        state = Run(state, new RecordLocationChoice("1", Secure, "nl", "https://nl.example.org")).State;
        state = Run(state, new RecordProfileChoice("2", Secure, "nl-internet")).State;
        state = Run(state, new RecordLocationChoice("3", Secure, "de", "https://de.example.org/")).State;

        var atDe = state.Find(Secure)!;
        Assert.Null(atDe.ProfileId);
        Assert.Equal("https://de.example.org/", atDe.LocationBaseUrl);
        Assert.Equal("https://de.example.org/", atDe.ApiBaseUrl);

        state = Run(state, new RecordProfileChoice("4", Secure, "de-internet")).State;
        var (back, decision) = Run(state, new RecordLocationChoice("5", Secure, "nl", "https://nl.example.org/"));

        var server = back.Find(Secure)!;
        Assert.Equal("nl", server.LocationCountryCode);
        Assert.Equal("nl-internet", server.ProfileId);
        Assert.Equal(new Dictionary<string, string> { ["de"] = "de-internet", ["nl"] = "nl-internet" }, server.ProfilesByLocation);
        Assert.Equal(server, Assert.IsType<RegistryUpdated>(decision.Reply).Server);
    }

    [Fact]
    public void Profile_Custom_SetsProfileWithoutLocations()
    {
        var state = Run(WithCustom(), new RecordProfileChoice("p", Custom, "office")).State;

        Assert.Equal("office", state.Find(Custom)!.ProfileId);
        Assert.Empty(state.Find(Custom)!.ProfilesByLocation);
    }

    [Fact]
    public void Profile_Empty_Refused()
    {
        AssertRefused(RegistryRules.Decide(new RecordProfileChoice("p", Custom, " "), WithCustom(), Now), RegistryErrorKind.InvalidRequest);
    }

    [Fact]
    public void Location_OnCustomServer_Refused()
    {
        AssertRefused(RegistryRules.Decide(new RecordLocationChoice("l", Custom, "nl", "https://nl.example.org/"), WithCustom(), Now), RegistryErrorKind.InvalidRequest);
    }

    [Theory]
    [InlineData("", "https://nl.example.org/")]
    [InlineData("n l", "https://nl.example.org/")]
    [InlineData("nl", "%zz")]
    public void Location_InvalidValues_Refused(string country, string url)
    {
        AssertRefused(RegistryRules.Decide(new RecordLocationChoice("l", Secure, country, url), WithSecure(), Now), RegistryErrorKind.InvalidRequest);
    }

    [Fact]
    public void ConfigObtainedThenReleased_TimesSetThenCleared()
    {
        var state = Run(WithCustom(), new RecordAuthorization("a", Custom, Now.AddMinutes(-5))).State;
        state = Run(state, new RecordConfigObtained("c", Custom, Now, Now.AddDays(7))).State;
        Assert.Equal(Now, state.Find(Custom)!.ConfigStartedAt);
        Assert.Equal(Now.AddDays(7), state.Find(Custom)!.ConfigExpiresAt);

        var (released, decision) = Run(state, new RecordConfigReleased("r", Custom));

        var server = released.Find(Custom)!;
        Assert.Null(server.ConfigStartedAt);
        Assert.Null(server.ConfigExpiresAt);
        Assert.Equal(Now.AddMinutes(-5), server.LastAuthorizedAt);
        Assert.Single(decision.Events);
        Assert.Empty(RegistryRules.Decide(new RecordConfigReleased("again", Custom), released, Now).Events);
    }

    [Fact]
    public void ConfigObtained_ExpiresBeforeStart_Refused()
    {
        AssertRefused(RegistryRules.Decide(new RecordConfigObtained("c", Custom, Now, Now.AddSeconds(-1)), WithCustom(), Now), RegistryErrorKind.InvalidRequest);
    }

    [Fact]
    public void Times_StoredToTheMillisecond_SameAsAfterRecovery()
    {
        var precise = Now.AddTicks(1234567);

        var (state, decision) = Run(WithCustom(), new RecordAuthorization("a", Custom, precise));

        Assert.Equal(Now.AddMilliseconds(123), state.Find(Custom)!.LastAuthorizedAt);
        Assert.Equal(state.Find(Custom), Assert.IsType<RegistryUpdated>(decision.Reply).Server);
    }

    [Fact]
    public void RepeatedChoice_StoresNothingTheSecondTime()
    {
        var state = Run(WithCustom(), new RecordProfileChoice("p", Custom, "office")).State;

        Assert.Empty(RegistryRules.Decide(new RecordProfileChoice("p2", Custom, "office"), state, Now).Events);
    }

    [Fact]
    public void GetServerRecords_OrderedByTypeThenIdentifier()
    {
        var state = Run(Run(WithCustom(), AddInstitute()).State, AddSecure("s")).State;

        var records = Assert.IsType<ServerRecords>(RegistryRules.Decide(new GetServerRecords("q"), state, Now).Reply);

        Assert.Equal([Institute, Secure, Custom], records.Servers.Select(s => s.Id));
    }

    [Fact]
    public void EveryEventAndSnapshot_RoundTripsThroughTheEngineJson()
    {
        var events = new List<IServerRegistryEvent>();
        var state = ServerRegistryState.Empty;
        foreach (var command in new IRegistryRequest[]
        {
            AddSecure("1"), AddCustomCommand(), new RecordLocationChoice("2", Secure, "nl", "https://nl.example.org/"),
            new RecordProfileChoice("3", Secure, "internet"), new RecordAuthorization("4", Secure, Now),
            new RecordConfigObtained("5", Secure, Now, Now.AddHours(8)), new SelectCurrentServer("6", Secure),
            new RecordConfigReleased("7", Secure), new RemoveServerRecord("8", Custom),
        })
        {
            var decision = RegistryRules.Decide(command, state, Now);
            Assert.False(decision.Refused, decision.Reply.ToString());
            events.AddRange(decision.Events);
            state = state.ApplyAll(decision.Events);
        }

        var replayed = ServerRegistryState.Empty.ApplyAll(events.Select(RoundTrip).Cast<IServerRegistryEvent>());
        var fromSnapshot = ServerRegistryState.FromSnapshot((ServerRegistrySnapshot)RoundTrip(state.ToSnapshot()));

        Assert.Equal(9, events.Count);
        Assert.Equal(state.Ordered, replayed.Ordered);
        Assert.Equal(state.Current, replayed.Current);
        Assert.Equal(state.Ordered, fromSnapshot.Ordered);
        Assert.Equal(Secure, fromSnapshot.Current);
        var empty = ServerRegistryState.FromSnapshot((ServerRegistrySnapshot)RoundTrip(ServerRegistryState.Empty.ToSnapshot()));
        Assert.Empty(empty.Servers);
        Assert.Null(empty.Current);
        var cleared = (CurrentServerSelected)RoundTrip(new CurrentServerSelected(null, null, 1));
        Assert.Equal((null, null, 1L), (cleared.Type, cleared.Identifier, cleared.SelectedAtMs));
    }

    [Fact]
    public void ServerAdded_StoredJson_IsPlainCamelCaseWithoutTypeNames()
    {
        var e = new ServerAdded(ServerType.SecureInternet, "org", "https://home.example.org/",
            new Dictionary<string, string> { ["en"] = "Org" }, "org", 1700000000123);

        var json = JsonSerializer.Serialize(e, EngineSerializer.JsonOptions);

        Assert.Equal("server-added.v1", PersistedTypeRegistry.ManifestOf(typeof(ServerAdded)));
        Assert.Equal("""{"type":"secureInternet","identifier":"org","baseUrl":"https://home.example.org/","displayName":{"en":"Org"},"organizationId":"org","addedAtMs":1700000000123}""", json);
    }

    private static IPersistedMessage RoundTrip(IPersistedMessage message)
    {
        var manifest = PersistedTypeRegistry.ManifestOf(message.GetType());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), EngineSerializer.JsonOptions);
        Assert.True(PersistedTypeRegistry.TryResolve(manifest, out var type));
        return (IPersistedMessage)JsonSerializer.Deserialize(bytes, type, EngineSerializer.JsonOptions)!;
    }

    internal static (ServerRegistryState State, RegistryDecision Decision) Run(ServerRegistryState state, IRegistryRequest command)
    {
        var decision = RegistryRules.Decide(command, state, Now);
        return (state.ApplyAll(decision.Events), decision);
    }

    private static void AssertRefused(RegistryDecision decision, RegistryErrorKind kind)
    {
        Assert.True(decision.Refused);
        Assert.Equal(kind, Assert.IsType<RegistryRequestFailed>(decision.Reply).Kind);
        Assert.Empty(decision.Events);
    }

    private static AddServerRecord AddCustomCommand() =>
        new("c", Custom, "https://vpn.example.org/", LocalizedText.English("vpn.example.org"), null);

    private static AddServerRecord AddInstitute() =>
        new("i", Institute, "https://institute.example.org/", LocalizedText.English("Institute"), null);

    private static AddServerRecord AddSecure(string requestId) =>
        new(requestId, Secure, "https://home.example.org", LocalizedText.English("Example IdP"), null);

    private static ServerRegistryState WithCustom() => Run(ServerRegistryState.Empty, AddCustomCommand()).State;

    private static ServerRegistryState WithSecure() => Run(ServerRegistryState.Empty, AddSecure("s")).State;
}
