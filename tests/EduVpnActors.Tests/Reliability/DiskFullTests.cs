using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Discovery;
using EduVpnActors.Tests.Hosting;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Reliability;

/// <summary>
/// A real full disk (a small tmpfs filled to the last byte, so SQLite gets ENOSPC) under each persistent actor
/// while requests wait: every requester gets a typed storage error (or, for discovery, the verified list with a
/// storage warning) within a bounded time, nothing acknowledged is lost, and once space is free the engine works on.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private SmallDisk _disk = null!;
    private PortalTestServer _portal = null!;
    private DiscoveryTestServer _discovery = null!;
    private readonly TestMinisignSigner _signer = new();

    private string DataDirectory => Path.Combine(_disk.Path, "data");

    public async Task InitializeAsync()
    {
        _disk = SmallDisk.Mount();
        _portal = await PortalTestServer.StartAsync(new PortalOptions { Profiles = [PortalProfile.Default] });
        _discovery = await DiscoveryTestServer.StartAsync();
        SignedDiscoveryLists.Publish(_discovery, _signer, _portal.BaseUrl.AbsoluteUri);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _discovery.DisposeAsync();
        _signer.Dispose();
        _disk.Dispose();
    }

    [SmallDiskFact]
    public async Task Registry_DiskFullWhileRequestsWait_EachAnsweredTyped_NothingAcknowledgedLost()
    {
        await using var engine = Start();
        var registry = engine.Runtime.Registry;
        Assert.IsType<ServerRecordAdded>(await registry.Ask<object>(Add("ok", "https://before.example.org/"), Bound));

        _disk.Fill();
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => registry.Ask<object>(Add($"r{i}", $"https://full-{i}.example.org/"), Bound)));

        output.WriteLine(string.Join(Environment.NewLine, answers));
        Assert.All(answers, a => Assert.True(a is ServerRecordAdded or RegistryRequestFailed { Kind: RegistryErrorKind.StorageFailed }, $"{a}"));
        Assert.Contains(answers, a => a is RegistryRequestFailed);
        _disk.Free();
        var acknowledged = answers.OfType<ServerRecordAdded>().Select(a => a.Server.Id.Identifier).Append("https://before.example.org/").ToHashSet();
        var records = await registry.Ask<ServerRecords>(new GetServerRecords("q"), Bound);
        Assert.Equal(acknowledged, records.Servers.Select(s => s.Id.Identifier).ToHashSet());
        Assert.IsType<ServerRecordAdded>(await registry.Ask<object>(Add("after", "https://after.example.org/"), Bound));
        Figures.Report(output, $"disk full (registry): {answers.Length} concurrent writes on a full tmpfs, {answers.Count(a => a is RegistryRequestFailed)} typed StorageFailed, "
            + $"{answers.Count(a => a is ServerRecordAdded)} stored, 0 unanswered, 0 acknowledged lost; writes work again once space is free");
    }

    [SmallDiskFact]
    public async Task Session_DiskFullDuringTheBrowserLogin_AddFailsWithStorage_AfterFreeingAddWorks()
    {
        await using var engine = Start();
        using var stop = new CancellationTokenSource();
        var fillBeforeLogin = true;
        var user = EngineUser.LogInWhenAskedAsync(engine, stop.Token, () =>
        {
            if (fillBeforeLogin)
            {
                _disk.Fill(); // after the URL is shown, before the tokens arrive
            }
        });

        var error = await Assert.ThrowsAsync<EduVpnException>(() => engine.AddServerAsync(ServerType.Custom, _portal.BaseUrl.AbsoluteUri).WaitAsync(Bound));

        output.WriteLine(error.Message);
        Assert.Equal(ClientErrorKind.Storage, error.Kind);
        Assert.Equal(SessionErrorKind.Storage, error.Error.Session?.Kind);
        fillBeforeLogin = false;
        _disk.Free();
        var added = await engine.AddServerAsync(ServerType.Custom, _portal.BaseUrl.AbsoluteUri).WaitAsync(Bound);
        var config = await engine.GetConfigAsync(added.Id).WaitAsync(Bound);
        Assert.True(config.Configuration.Config.Contains("[Interface]", StringComparison.Ordinal) || config.Configuration.Config.Contains("remote ", StringComparison.Ordinal));
        await stop.CancelAsync();
        await user;
        Figures.Report(output, "disk full (session, during the browser login): add failed with ClientErrorKind.Storage (session kind Storage), no hang; after freeing space add and connect work");
    }

    [SmallDiskFact]
    public async Task Discovery_DiskFullWhenANewListArrives_AnsweredWithTheListAndAStorageWarning_ThenServesAgain()
    {
        await using var engine = Start();
        var first = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(), Bound);
        Assert.Equal(DiscoverySource.Network, first.Status.Source);
        await Task.Delay(1100); // a newer v and Last-Modified (whole seconds)
        SignedDiscoveryLists.Publish(_discovery, _signer, _portal.BaseUrl.AbsoluteUri);

        _disk.Fill();
        var unstored = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(ForceRefresh: true), Bound);

        Assert.True(unstored.Status.Version > first.Status.Version, $"v {unstored.Status.Version} after {first.Status.Version}");
        Assert.NotEmpty(unstored.List.Servers);
        Assert.Equal(DiscoveryWarningKind.StorageFailed, unstored.Status.Warning?.Kind);
        _disk.Free();
        var again = await engine.Runtime.Discovery.Ask<ServerListResponse>(new GetServerList(), Bound);
        Assert.NotEmpty(again.List.Servers);
        Figures.Report(output, $"disk full (discovery, new list): answered v {unstored.Status.Version} from the network with a StorageFailed warning, no hang; answered again after freeing space");
    }

    [SmallDiskFact]
    public async Task ConsoleHost_FullDiskBeforeTheStart_Exit4AtOnce_ForTwoProcessesAtOnce()
    {
        _disk.Fill();
        var config = Path.Combine(Path.GetTempPath(), $"eduvpn-full-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, "eduvpn.discovery.base-url = \"https://127.0.0.1:9/\"");
        try
        {
            var host = new HostProcess(DataDirectory, config);
            var runs = await Task.WhenAll(host.RunAsync(["servers", "--wait", "30"], null, Bound), host.RunAsync(["servers", "--wait", "30"], null, Bound));

            Assert.All(runs, run =>
            {
                Assert.Equal(4, run.ExitCode);
                Assert.Contains("No space left", run.Words, StringComparison.Ordinal);
            });
            Figures.Report(output, "disk full before the start: 2 parallel console processes, both exit 4 (Unavailable: no space left), 0 crashes");
        }
        finally
        {
            File.Delete(config);
        }
    }

    [SmallDiskFact]
    public async Task ConsoleHost_DiskFullDuringTheBrowserLogin_AddExits2WithAStorageError_ThenTheStoreWorks()
    {
        var config = Path.Combine(Path.GetTempPath(), $"eduvpn-full-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, $$"""
            eduvpn.discovery.base-url = "https://127.0.0.1:9/"
            eduvpn.http.extra-trusted-certificate = "{{TestCertificate.PemPath.Replace("\\", "\\\\", StringComparison.Ordinal)}}"
            """);
        try
        {
            var host = new HostProcess(DataDirectory, config) { LogsIn = false };
            var asked = new TaskCompletionSource<AuthorizationAsked>(TaskCreationOptions.RunContinuationsAsynchronously);
            var add = host.RunAsync(["add", "custom", _portal.BaseUrl.AbsoluteUri], null, Bound * 2, asked: asked);
            var url = (await asked.Task.WaitAsync(Bound)).Url;
            _disk.Fill();
            using (var browser = new TestBrowser())
            {
                var callback = await browser.AuthorizeAsync(url, "alice", "alice-password");
                using var _ = await browser.FollowAsync(callback);
            }

            var run = await add;

            output.WriteLine(run.Stdout);
            Assert.Equal(2, run.ExitCode);
            // The JSON error first (the engine's own log may follow it on this stream until --json keeps stdout to one document).
            Assert.StartsWith("{", run.Stdout.TrimStart(), StringComparison.Ordinal);
            Assert.Contains("\"kind\": \"storage\"", run.Stdout, StringComparison.Ordinal);
            _disk.Free();
            var list = await host.RunAsync(["list"], null, Bound);
            Assert.True(list.Acknowledged, $"exit {list.ExitCode}: {list.Stdout} {list.Stderr}");
            Figures.Report(output, $"disk full (console add, during the browser login): exit 2 with error kind storage after {run.Duration.TotalSeconds:0.0} s, 0 crashes; list works after freeing space");
        }
        finally
        {
            File.Delete(config);
        }
    }

    private EduVpnEngine Start() => EduVpnEngine.Start(new EduVpnEngineOptions(DataDirectory, ConfigurationFactory.ParseString($$"""
        eduvpn.discovery.base-url = "{{_discovery.BaseUrl.AbsoluteUri}}"
        eduvpn.discovery.trusted-keys = ["{{_signer.PublicKey}}"]
        eduvpn.http.extra-trusted-certificate = "{{TestCertificate.PemPath.Replace("\\", "\\\\", StringComparison.Ordinal)}}"
        akka.loglevel = WARNING
        """), CultureInfo.GetCultureInfo("en")));

    private static AddServerRecord Add(string requestId, string url) =>
        new(requestId, new ServerId(ServerType.Custom, url), url, LocalizedText.Empty, null);
}
