using EduVpnActors.Actors.Facade;

namespace EduVpnActors.Tests.Client;

/// <summary>A fresh <see cref="ClientFlowLab"/> (signed discovery, portal double, engine on SQLite) for every test of the class.</summary>
public abstract class ClientFlowTestBase : IAsyncLifetime
{
    /// <summary>How long a test waits for one step of the flow.</summary>
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private protected ClientFlowLab Lab { get; private set; } = null!;

    private protected EduVpnEngine Engine => Lab.Engine;

    public async Task InitializeAsync() => Lab = await ClientFlowLab.StartAsync();

    public async Task DisposeAsync() => await Lab.DisposeAsync();
}
