using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Client;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Client;

/// <summary>The profile a configuration is asked for (<see cref="HostChoices.ProfileFor"/>), without actors.</summary>
public sealed class HostChoicesProfileTests
{
    private static readonly ServerId Server = new(ServerType.Custom, "https://vpn.example.org/");

    private static Profile P(string id) => new(id, LocalizedText.English("Profile " + id), true, [VpnProtocol.WireGuard], [], []);

    private static ServerRecord Record(string? profileId, bool live) =>
        new(Server, Server.Identifier, LocalizedText.English("Example"), null, null, null, profileId, new Dictionary<string, string>(),
            DateTimeOffset.UnixEpoch, null, live ? DateTimeOffset.UnixEpoch : null, live ? DateTimeOffset.UnixEpoch.AddDays(1) : null);

    [Fact]
    public void NoChoiceGiven_FollowsEduVpnCommon_TheRememberedOneOrAsk()
    {
        Assert.Equal(new ProfileStep.Use(P("b")), HostChoices.ProfileFor([P("a"), P("b")], Record("b", live: true), null));
        var ask = Assert.IsType<ProfileStep.Ask>(HostChoices.ProfileFor([P("a"), P("b")], Record("gone", live: false), null));
        Assert.Equal(["a", "b"], ask.Profiles.Select(p => p.Id));
    }

    [Fact]
    public void ChoiceGiven_OverTheRememberedOne_ReleasesALiveConfigurationFirst()
    {
        Assert.Equal(new ProfileStep.ReleaseFirst(P("a")), HostChoices.ProfileFor([P("a"), P("b")], Record("b", live: true), "a"));
        Assert.Equal(new ProfileStep.Use(P("a")), HostChoices.ProfileFor([P("a"), P("b")], Record("b", live: false), "a"));
        Assert.Equal(new ProfileStep.Use(P("b")), HostChoices.ProfileFor([P("a"), P("b")], Record("b", live: true), "b"));
    }

    [Fact]
    public void ChoiceNotOffered_IsRefused_ListingTheOfferedOnes()
    {
        var refused = Assert.IsType<ProfileStep.Refused>(HostChoices.ProfileFor([P("a"), P("b")], Record(null, live: false), "admins"));

        Assert.Equal(ClientErrorKind.InvalidChoice, refused.Error.Kind);
        Assert.Equal(["a", "b"], refused.Error.Choices!.Select(c => c.Id));
    }

    [Fact]
    public void NoProfileOffered_IsNoProfiles_EvenWithAChoice()
    {
        var e = Assert.Throws<ApiException>(() => HostChoices.ProfileFor([], Record(null, live: false), "a"));

        Assert.Equal(ApiErrorKind.NoProfiles, e.Kind);
    }
}
