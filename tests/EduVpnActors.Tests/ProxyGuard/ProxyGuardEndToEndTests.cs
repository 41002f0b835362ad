using Akka.Actor;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.Messages.Servers;
using EduVpnActors.TestServer;
using EduVpnActors.Tests.Client;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>
/// Through the engine: the portal double offers WireGuard over TCP with its <c>ProxyEndpoint</c> on the
/// ProxyGuard double; the configuration's proxy settings (peer, listen port, source port) start a proxy
/// in the engine's own actor system, configured from the engine's HOCON, and WireGuard-sized datagrams
/// go through it to the echo and back.
/// </summary>
public sealed class ProxyGuardEndToEndTests : ClientFlowTestBase
{
    [Fact]
    public async Task WireGuardOverTcpConfiguration_ProxyOnItsPortsCarriesDatagrams_StopFreesBothPorts()
    {
        await using var proxyGuard = await ProxyGuardTestServer.StartAsync();
        Lab.Portal.SetProfiles(PortalProfile.WireGuardTcp with { ProxyEndpoint = proxyGuard.Url.ToString() });
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        var got = await Engine.GetConfigAsync(Lab.Institute, preferTcp: true).WaitAsync(Wait);
        Assert.Equal(VpnProtocol.WireGuardProxy, got.Configuration.Protocol);
        var settings = Assert.IsType<ProxySettings>(got.Configuration.Proxy);
        Assert.Equal(proxyGuard.Url.ToString(), settings.Peer);

        var system = Engine.Runtime.System;
        var config = system.Settings.Config;
        var proxy = system.ActorOf(ProxyGuardActor.Props(ProxyGuardSettings.FromConfig(config), ProxyGuardOptions.FromConfig(config)), "proxyguard-e2e");
        using var wireGuard = new FakeWireGuard();
        var ready = Assert.IsType<ProxyGuardReady>(await proxy.Ask<object>(
            new SetUpProxyGuard("set-up", settings.Peer, settings.ListenPort, settings.SourcePort), Wait));
        Assert.Contains($"Endpoint = 127.0.0.1:{ready.ListenPort}", got.Configuration.Config, StringComparison.Ordinal);
        Assert.IsType<ProxyGuardTunnelStarted>(await proxy.Ask<object>(new StartProxyGuardTunnel("tunnel", wireGuard.Port), Wait));

        for (var i = 0; i < 100; i++)
        {
            var datagram = ProxyGuardTesting.Datagram(i, i % 10 == 0 ? 148 : 1420);
            wireGuard.Send(ready.ListenPort, datagram);
            Assert.Equal(datagram, await wireGuard.ReceiveAsync(Wait));
        }

        var request = Assert.Single(proxyGuard.Requests);
        Assert.Contains($"\r\nUser-Agent: eduVPN for Linux/0.1.0 EduVpnActors/{ProxyGuardUserAgent.LibraryVersion}\r\n", request.Head, StringComparison.Ordinal);
        Assert.Equal(settings.SourcePort, request.Remote!.Port);
        Assert.IsType<ProxyGuardStopped>(await proxy.Ask<object>(new StopProxyGuard("stop"), Wait));
        Assert.True(ProxyGuardTesting.UdpPortFree(settings.ListenPort));
        Assert.True(ProxyGuardTesting.TcpPortFree(settings.SourcePort));
    }

    [Fact]
    public async Task FacadeOwnsTheProxyThroughTheConnection_CarriesDatagrams_StoppedWhenTheTunnelIsDown()
    {
        await using var proxyGuard = await ProxyGuardTestServer.StartAsync();
        Lab.Portal.SetProfiles(PortalProfile.WireGuardTcp with { ProxyEndpoint = proxyGuard.Url.ToString() });
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        var got = await Engine.GetConfigAsync(Lab.Institute, preferTcp: true).WaitAsync(Wait);
        var settings = Assert.IsType<ProxySettings>(got.Configuration.Proxy);
        var phases = new System.Collections.Concurrent.ConcurrentQueue<ProxyGuardPhase>();
        Engine.ProxyGuardStateChanged += (_, change) => phases.Enqueue(change.State.Phase);
        using var wireGuard = new FakeWireGuard();

        // eduvpn-common's order: set up (peer IPs to route around the tunnel), WireGuard up, then the tunnel.
        var ready = await Engine.SetUpProxyGuardAsync(Lab.Institute).WaitAsync(Wait);
        Assert.Equal(settings.ListenPort, ready.ListenPort);
        Assert.NotEmpty(ready.PeerIps);
        var running = Engine.RunProxyGuardAsync(Lab.Institute, wireGuard.Port);
        await Engine.SetConnectionStateAsync(Lab.Institute, Messages.Connection.ConnectionState.Connecting).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(Lab.Institute, Messages.Connection.ConnectionState.Connected).WaitAsync(Wait);
        for (var i = 0; i < 20; i++)
        {
            var datagram = ProxyGuardTesting.Datagram(i, 1420);
            wireGuard.Send(ready.ListenPort, datagram);
            Assert.Equal(datagram, await wireGuard.ReceiveAsync(Wait));
        }
        Assert.False(running.IsCompleted);

        // The tunnel goes down: the connection stops its proxy, and the run ends as eduvpn-common's call returns.
        await Engine.SetConnectionStateAsync(Lab.Institute, Messages.Connection.ConnectionState.Disconnecting).WaitAsync(Wait);
        await Engine.SetConnectionStateAsync(Lab.Institute, Messages.Connection.ConnectionState.Disconnected).WaitAsync(Wait);
        await running.WaitAsync(Wait);

        Assert.True(ProxyGuardTesting.UdpPortFree(settings.ListenPort));
        Assert.True(ProxyGuardTesting.TcpPortFree(settings.SourcePort));
        await Support.Eventually.HoldsAsync(() => phases.Contains(ProxyGuardPhase.Stopped), Wait, "no Stopped state was published");
        Assert.Contains(ProxyGuardPhase.Connected, phases);
        Assert.False(await Engine.StopProxyGuardAsync(Lab.Institute).WaitAsync(Wait));
    }

    [Fact]
    public async Task FacadeRun_CallersTokenStopsTheProxy_AndWithoutATcpConfigurationThereIsNone()
    {
        await using var proxyGuard = await ProxyGuardTestServer.StartAsync();
        Lab.Portal.SetProfiles(PortalProfile.WireGuardTcp with { ProxyEndpoint = proxyGuard.Url.ToString() });
        await Engine.AddServerAsync(ServerType.InstituteAccess, Lab.InstituteUrl).WaitAsync(Wait);
        var udp = await Engine.GetConfigAsync(Lab.Institute).WaitAsync(Wait);
        Assert.Null(udp.Configuration.Proxy);
        var none = await Assert.ThrowsAsync<Actors.Facade.EduVpnException>(() => Engine.SetUpProxyGuardAsync(Lab.Institute).WaitAsync(Wait));
        Assert.Equal(Messages.Client.ClientErrorKind.InvalidState, none.Kind);

        var got = await Engine.GetConfigAsync(Lab.Institute, preferTcp: true).WaitAsync(Wait);
        var ready = await Engine.SetUpProxyGuardAsync(Lab.Institute).WaitAsync(Wait);
        using var wireGuard = new FakeWireGuard();
        using var cancel = new CancellationTokenSource();
        var running = Engine.RunProxyGuardAsync(Lab.Institute, wireGuard.Port, cancel.Token);
        var datagram = ProxyGuardTesting.Datagram(1, 148);
        wireGuard.Send(ready.ListenPort, datagram);
        Assert.Equal(datagram, await wireGuard.ReceiveAsync(Wait));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Wait));
        Assert.True(ProxyGuardTesting.UdpPortFree(ready.ListenPort));
        Assert.True(ProxyGuardTesting.TcpPortFree(got.Configuration.Proxy!.SourcePort));
    }
}
