using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.TestServer;
using static EduVpnActors.Messages.Connection.ConnectionState;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// A profile or location chosen with the request (<c>connect --profile</c>/<c>--location</c>) against the portal double:
/// it wins over the remembered one, is remembered, releases a live configuration of the old choice first, and a choice
/// the server does not offer is a typed error that lists the real choices, without a question or a hang.
/// </summary>
public sealed class ClientChoiceTests : ClientFlowTestBase
{
    [Fact]
    public async Task ChosenProfile_WinsOverTheRememberedOne_IsRememberedAndTheLiveConfigReleasedFirst()
    {
        await Engine.AddServerAsync(Messages.Servers.ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        var first = await Engine.GetConfigAsync(Lab.Institute, profileId: "wg-only").WaitAsync(Wait);
        Assert.Equal(("wg-only", VpnProtocol.WireGuard), (first.ProfileId, first.Configuration.Protocol));
        Assert.Empty(Lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));

        // Asked for another one: no question, the old configuration is released before the new one is fetched.
        var second = await Engine.GetConfigAsync(Lab.Institute, profileId: "ovpn-only").WaitAsync(Wait);

        Assert.Equal(("ovpn-only", VpnProtocol.OpenVpn), (second.ProfileId, second.Configuration.Protocol));
        Assert.Single(Lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));
        var listed = Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait));
        Assert.Equal("ovpn-only", listed.Record.ProfileId);
        Assert.DoesNotContain(AskProfile, Lab.StatesOf(Lab.Institute));
        // The remembered choice is used from now on.
        Assert.Equal("ovpn-only", (await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait)).ProfileId);
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("admins")]
    public async Task ProfileNotOfferedToThisUser_InvalidChoiceNamingTheOffered_NothingRemembered(string wanted)
    {
        await Engine.AddServerAsync(Messages.Servers.ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(Lab.Institute, profileId: wanted).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.InvalidChoice, error.Kind);
        Assert.Contains(wanted, error.Message);
        Assert.Equal(["default", "wg-only", "ovpn-only"], error.Error.Choices!.Select(c => c.Id));
        Assert.Equal("WireGuard Only", error.Error.Choices![1].DisplayName!.Values["en"]);
        Assert.Empty(Lab.Portal.RequestsTo(PortalTestServer.ConnectPath));
        Assert.Null(Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait)).Record.ProfileId);
        Assert.Equal(Main, (await Engine.GetConnectionStateAsync(Lab.Institute).WaitAsync(Wait)).State);
    }

    [Fact]
    public async Task ChosenLocation_ConfigFromThatLocation_UnknownOneListsTheLocations()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(Messages.Servers.ServerType.SecureInternet, ClientFlowLab.OrganizationId).WaitAsync(Wait);

        var config = await Engine.GetConfigAsync(Lab.SecureInternet, countryCode: "DE").WaitAsync(Wait);

        Assert.Equal("default", config.ProfileId);
        var record = Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait)).Record;
        Assert.Equal(("de", Lab.SecondLocationUrl), (record.LocationCountryCode, record.LocationBaseUrl));
        Assert.DoesNotContain(AskLocation, Lab.StatesOf(Lab.SecureInternet));

        var unknown = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(Lab.SecureInternet, countryCode: "xx").WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.InvalidChoice, unknown.Kind);
        Assert.Equal(["nl", "de"], unknown.Error.Choices!.Select(c => c.Id));
        Assert.Equal("de", Assert.Single(await Engine.ListServersAsync().WaitAsync(Wait)).Record.LocationCountryCode);
    }

    [Fact]
    public async Task LocationForAnInstituteServer_InvalidChoice()
    {
        await Engine.AddServerAsync(Messages.Servers.ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(Lab.Institute, countryCode: "nl").WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.InvalidChoice, error.Kind);
        Assert.Empty(error.Error.Choices!);
    }
}
