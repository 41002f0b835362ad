using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// A configuration the portal issued but the host never got (it does not parse) is released at once with
/// <c>/disconnect</c> (best effort, client rule 34), so it does not count against the user until it expires;
/// one the host got is not.
/// </summary>
public sealed class UnusedConfigurationReleaseTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ClientFlowLab _lab = null!;

    public async Task InitializeAsync()
    {
        _lab = await ClientFlowLab.StartAsync(new PortalOptions { Profiles = [PortalProfile.Default] });
        await _lab.Engine.AddServerAsync(ServerType.InstituteAccess, _lab.InstituteUrl).WaitAsync(Wait);
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task UnusableConfiguration_TypedError_AndThePortalsConfigurationIsReleased()
    {
        var served = 0;
        _lab.Portal.Intercept = async context =>
        {
            if (context.Request.Path.Value != PortalTestServer.ConnectPath)
            {
                return false;
            }
            Interlocked.Increment(ref served);
            context.Response.Headers.Expires = DateTimeOffset.UtcNow.AddDays(1).ToString("r");
            context.Response.ContentType = PortalTestServer.WireGuardContentType;
            await context.Response.WriteAsync("\u0000\u0001 definitely not a config");
            return true;
        };

        var error = await Assert.ThrowsAsync<EduVpnException>(() => _lab.Engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait));

        Assert.Equal(ClientErrorKind.InvalidConfiguration, error.Kind);
        Assert.Equal(1, served);
        await Eventually.HoldsAsync(() => _lab.Portal.RequestsTo(PortalTestServer.DisconnectPath).Count == 1, Wait,
            "the issued but unusable configuration was never released");
    }

    [Fact]
    public async Task UsableConfiguration_IsKept()
    {
        var got = await _lab.Engine.GetConfigAsync(_lab.Institute).WaitAsync(Wait);
        // Anything else the engine would send goes out right after the answer: a status query is a later round trip.
        await _lab.Engine.ListServersAsync().WaitAsync(Wait);

        Assert.Equal("default", got.ProfileId);
        Assert.Empty(_lab.Portal.RequestsTo(PortalTestServer.DisconnectPath));
    }
}
