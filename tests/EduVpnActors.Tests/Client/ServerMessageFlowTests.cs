using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Client;

/// <summary>The server's own error text reaches the host: <see cref="EduVpnException.ServerMessage"/> (client rule 32).</summary>
public sealed class ServerMessageFlowTests : ClientFlowTestBase
{
    [Fact]
    public async Task Connect_PortalRefusesApiDownloads_TheExceptionCarriesWhatItSaid()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Lab.Portal.UpdateOptions(o => o with { MaxActiveApiConfigurations = 0 });

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.Session, error.Kind);
        Assert.Equal(SessionErrorKind.Forbidden, error.Error.Session?.Kind);
        Assert.Equal("no API configuration downloads allowed", error.ServerMessage);
        // The user's sentence stays the engine's own, translated; the server's words come beside it.
        Assert.DoesNotContain("no API configuration", error.LocalizedMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_ServerError_TheExceptionCarriesWhatItSaid_AndNothingWhenItSaysNothing()
    {
        Lab.Portal.SetProfiles(PortalProfile.Default);
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        Lab.Portal.FailNext(PortalTestServer.ConnectPath, 500, error: "unable to connect to the database");

        var error = await Assert.ThrowsAsync<EduVpnException>(() => Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait));

        Assert.Equal(SessionErrorKind.ServerError, error.Error.Session?.Kind);
        Assert.Equal("unable to connect to the database", error.ServerMessage);
        var fine = await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);
        Assert.Equal("default", fine.ProfileId);
    }
}
