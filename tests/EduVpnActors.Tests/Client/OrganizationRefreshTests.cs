using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Servers;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// Client rule 14 and eduvpn-common §3.5 end to end: the organization list is fetched again when a
/// Secure Internet server authorizes again, and once when an organization is not in the held list;
/// a plain token check or a second miss never fetches (or loops).
/// </summary>
public sealed class OrganizationRefreshTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ClientFlowLab _lab = null!;

    private EduVpnEngine Engine => _lab.Engine;

    public async Task InitializeAsync()
    {
        _lab = await ClientFlowLab.StartAsync();
        _lab.Portal.SetProfiles(PortalProfile.Default);
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task SecureInternet_ConfigWithWorkingTokens_NoFetch_RenewFetchesTheListOnce()
    {
        await Engine.AddServerAsync(ServerType.SecureInternet, ClientFlowLab.OrganizationId).WaitAsync(Wait);
        var afterAdd = _lab.OrganizationListRequests;
        Assert.Equal(1, afterAdd);

        await Engine.GetConfigAsync(_lab.SecureInternet).WaitAsync(Wait);
        Assert.Equal(afterAdd, _lab.OrganizationListRequests);

        await Engine.RenewSessionAsync(_lab.SecureInternet).WaitAsync(Wait);
        Assert.Equal(afterAdd + 1, _lab.OrganizationListRequests);
        Assert.Equal(2, _lab.Logins);
    }

    [Fact]
    public async Task SecureInternet_RevokedAuthorization_TheConfigAuthorizesAgainWithAFreshList()
    {
        await Engine.AddServerAsync(ServerType.SecureInternet, ClientFlowLab.OrganizationId).WaitAsync(Wait);
        var afterAdd = _lab.OrganizationListRequests;

        // The server forgets the authorization: /info answers 401, the refresh invalid_grant, the user logs in again.
        _lab.Portal.RevokeAll();
        var config = await Engine.GetConfigAsync(_lab.SecureInternet).WaitAsync(Wait);

        Assert.Equal("default", config.ProfileId);
        Assert.Equal(2, _lab.Logins);
        Assert.Equal(afterAdd + 1, _lab.OrganizationListRequests);
    }

    [Fact]
    public async Task OrganizationNotInTheHeldList_OneFreshListFindsIt()
    {
        await Engine.SearchOrganizationsAsync("").WaitAsync(Wait);
        Assert.Equal(1, _lab.OrganizationListRequests);
        const string newcomer = "https://newcomer.lab.example.org";
        _lab.PublishOrganizations(newcomer);

        var added = await Engine.AddServerAsync(ServerType.SecureInternet, newcomer, interactive: false).WaitAsync(Wait);

        Assert.Equal(newcomer, added.OrganizationId);
        Assert.Equal(2, _lab.OrganizationListRequests);
    }

    [Fact]
    public async Task ForcedRefreshFailed_TheNextOperationWaitsOutDiscoverysPause()
    {
        await Engine.SearchOrganizationsAsync("").WaitAsync(Wait);
        _lab.Discovery.SetFailure("organization_list.json", new DiscoveryFailure(Status: 503));
        const string nowhere = "https://nowhere.example.org";

        var first = await Assert.ThrowsAsync<EduVpnException>(() => Engine.AddServerAsync(ServerType.SecureInternet, nowhere, interactive: false).WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.NotInDiscovery, first.Kind);
        Assert.Equal(2, _lab.OrganizationListRequests);

        // Within the minute after a failed fetch the engine's own forced refresh does not ask again.
        var second = await Assert.ThrowsAsync<EduVpnException>(() => Engine.AddServerAsync(ServerType.SecureInternet, nowhere, interactive: false).WaitAsync(Wait));
        Assert.Equal(ClientErrorKind.NotInDiscovery, second.Kind);
        Assert.Equal(2, _lab.OrganizationListRequests);
    }

    [Fact]
    public async Task OrganizationNowhere_OneFreshListThenNotInDiscovery_NoLoop()
    {
        var error = await Assert.ThrowsAsync<EduVpnException>(() =>
            Engine.AddServerAsync(ServerType.SecureInternet, "https://nowhere.example.org", interactive: false).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.NotInDiscovery, error.Kind);
        // The first fetch (none was held) and one forced refresh.
        Assert.Equal(2, _lab.OrganizationListRequests);
    }
}
