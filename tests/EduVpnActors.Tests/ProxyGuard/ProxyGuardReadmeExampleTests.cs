using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>The README's ProxyGuard example is <see cref="ProxyGuardReadmeExample"/>, line for line, and it runs.</summary>
public sealed class ProxyGuardReadmeExampleTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Example_InReadme_IsTheCompiledExample()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        var section = readme.IndexOf("## ProxyGuard (WireGuard over TCP)", StringComparison.Ordinal);
        Assert.True(section >= 0, "README has no ProxyGuard section");
        var start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        var shown = Lines(readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)]);

        var source = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests", "EduVpnActors.Tests", "ProxyGuard", "ProxyGuardReadmeExample.cs"));
        var from = source.IndexOf("// README:begin", StringComparison.Ordinal);
        var to = source.IndexOf("// README:end", StringComparison.Ordinal);

        Assert.Equal(Lines(source[(source.IndexOf('\n', from) + 1)..source.LastIndexOf('\n', to)]), shown);
    }

    [Fact]
    public async Task Example_AgainstTheDouble_SetsUpStartsAndStops()
    {
        await using var server = await ProxyGuardTestServer.StartAsync();
        using var wireGuard = new FakeWireGuard();
        var config = ConfigurationFactory.ParseString($"eduvpn.http.extra-trusted-certificate = \"{TestCertificate.PemPath}\"")
            .WithFallback(EngineConfiguration.Defaults());
        var listener = CreateTestProbe();

        var ready = await ProxyGuardReadmeExample.RunAsync(Sys, config, new ProxySettings(0, 0, server.Url.ToString()), wireGuard.Port, listener, _ => { });

        Assert.True(ProxyGuardTesting.UdpPortFree(ready.ListenPort));
        var phases = new List<ProxyGuardPhase>();
        while (phases.LastOrDefault() != ProxyGuardPhase.Stopped)
        {
            phases.Add((await listener.ExpectMsgAsync<ProxyGuardStateChanged>()).Phase);
        }
        Assert.Equal([ProxyGuardPhase.NotSetUp, ProxyGuardPhase.SettingUp, ProxyGuardPhase.Ready, ProxyGuardPhase.WaitingForTraffic, ProxyGuardPhase.Stopped], phases);
    }

    private static string[] Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n').Select(l => l.Trim()).ToArray();
}
