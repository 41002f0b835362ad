using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Tests.Discovery;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Client;

/// <summary>
/// A whole world for the client flow: a portal double on 127.0.0.1, a discovery server whose signed
/// lists name that portal (as Institute Access, and as Secure Internet home "nl" on 127.0.0.1 plus a
/// second location "de" on localhost, which reaches the same portal), a temp data directory, and a
/// user who logs in whenever the engine shows an authorization URL.
/// </summary>
internal sealed class ClientFlowLab : IAsyncDisposable
{
    public const string OrganizationId = "https://idp.lab.example.org";

    private readonly TestMinisignSigner _signer = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ConnectionStateChanged> _changes = new();
    private readonly Channel<ConnectionStateChanged> _questions = Channel.CreateUnbounded<ConnectionStateChanged>();
    private Task? _user;

    private ClientFlowLab(PortalTestServer portal, DiscoveryTestServer discovery, TempDataDirectory dataDirectory)
    {
        Portal = portal;
        Discovery = discovery;
        DataDirectory = dataDirectory;
    }

    public PortalTestServer Portal { get; }
    public DiscoveryTestServer Discovery { get; }
    public TempDataDirectory DataDirectory { get; }
    public EduVpnEngine Engine { get; private set; } = null!;

    /// <summary>When false, the user ignores authorization URLs (to test cancellation).</summary>
    public bool UserApproves { get; set; } = true;

    /// <summary>How many times the user logged in.</summary>
    public int Logins;

    public string InstituteUrl => Portal.BaseUrl.AbsoluteUri;
    public string SecondLocationUrl => $"https://localhost:{Portal.BaseUrl.Port}/";
    public ServerId Institute => new(ServerType.InstituteAccess, InstituteUrl);
    public ServerId SecureInternet => new(ServerType.SecureInternet, OrganizationId);

    public IReadOnlyList<ConnectionStateChanged> Changes => [.. _changes];

    /// <summary>Starts the portal, the discovery server and (unless <paramref name="startEngine"/> is false) the engine.</summary>
    /// <param name="switchableTransport">The portal behind a relay whose transport tests can switch (<see cref="PortalTestServer.SetTransport"/>).</param>
    public static async Task<ClientFlowLab> StartAsync(PortalOptions? options = null, bool startEngine = true, bool switchableTransport = false)
    {
        var portal = await PortalTestServer.StartAsync(options, switchableTransport: switchableTransport);
        var discovery = await DiscoveryTestServer.StartAsync();
        var lab = new ClientFlowLab(portal, discovery, new TempDataDirectory());
        lab.PublishDiscovery();
        if (startEngine)
        {
            await lab.StartEngineAsync();
        }
        return lab;
    }

    /// <summary>The HOCON that points an engine (or the console host's <c>--config</c>) at this lab: discovery, its key, the test certificate.</summary>
    public string WorldHocon() => $$"""
        eduvpn.discovery.base-url = "{{Discovery.BaseUrl.AbsoluteUri}}"
        eduvpn.discovery.trusted-keys = ["{{_signer.PublicKey}}"]
        eduvpn.http.extra-trusted-certificate = "{{TestCertificate.PemPath.Replace("\\", "\\\\")}}"
        """;

    /// <summary>Starts (or restarts) the engine on the same data directory.</summary>
    public async Task StartEngineAsync()
    {
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }
        Engine = EduVpnEngine.Start(new EduVpnEngineOptions(DataDirectory.Path, EngineOverrides(), new System.Globalization.CultureInfo("en"), Failover: Failover));
        // Subscribed here, before any request a test sends next.
        var changes = Engine.StateChangesAsync(_stop.Token);
        _user = Task.Run(() => FollowAsync(changes, _stop.Token));
    }

    /// <summary>The next question the engine asks (AskProfile or AskLocation).</summary>
    public async Task<ConnectionStateChanged> NextQuestionAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        return await _questions.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The states one connection moved to, in order (the subscription's initial report left out).</summary>
    public IReadOnlyList<ConnectionState> StatesOf(ServerId server) =>
        [.. Changes.Where(c => c.ConnectionId == server.ToString() && c.From != c.To).Select(c => c.To)];

    private async Task FollowAsync(IAsyncEnumerable<ConnectionStateChanged> changes, CancellationToken ct)
    {
        try
        {
            await foreach (var change in changes)
            {
                _changes.Enqueue(change);
                switch (change.Data)
                {
                    case AuthorizationUrlData url when UserApproves:
                        _ = Task.Run(() => LogInAsync(url.Url, ct), ct);
                        break;
                    case ProfileQuestion or LocationQuestion:
                        await _questions.Writer.WriteAsync(change, ct);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (InvalidOperationException) when (ct.IsCancellationRequested)
        {
            // Disposed before the subscription started (a test that never used the engine).
        }
    }

    private async Task LogInAsync(Uri url, CancellationToken ct)
    {
        using var browser = new TestBrowser();
        var callback = await browser.AuthorizeAsync(url, "alice", "alice-password", cancellationToken: ct);
        Interlocked.Increment(ref Logins);
        using var response = await browser.FollowAsync(callback, ct);
    }

    /// <summary>How the next <see cref="StartEngineAsync"/>'s failover probes ping and count (null: the real ones).</summary>
    public Actors.Failover.FailoverDependencies? Failover { get; set; }

    /// <summary>Extra HOCON for the next <see cref="StartEngineAsync"/> (e.g. a log level or a test logger).</summary>
    public string ExtraHocon { get; set; } = "akka.loglevel = WARNING";

    private Config EngineOverrides() => ConfigurationFactory.ParseString(WorldHocon() + "\n" + ExtraHocon);

    private long _version;
    private DateTimeOffset _lastModified = DateTimeOffset.MinValue;

    /// <summary>Publishes a newer organization list: the lab's organization plus <paramref name="extraOrganizations"/>, all at home on the portal.</summary>
    public void PublishOrganizations(params string[] extraOrganizations)
    {
        var version = NextVersion();
        var organizations = JsonSerializer.SerializeToUtf8Bytes(new
        {
            v = version,
            organization_list = new[] { OrganizationId }.Concat(extraOrganizations)
                .Select(id => new { org_id = id, display_name = new { en = id }, secure_internet_home = InstituteUrl }).ToArray(),
        });
        Publish("organization_list.json", organizations, (ulong)version);
    }

    /// <summary>How many times the engine asked for <c>organization_list.json</c> (conditional or not).</summary>
    public int OrganizationListRequests => Discovery.Requests.Count(r => r.Path.EndsWith("/organization_list.json", StringComparison.Ordinal));

    /// <summary>
    /// Publishes a newer signed discovery (higher <c>v</c>, later Last-Modified), optionally without the
    /// institute or the second ("de") location; an engine sees it at its next start. <paramref name="instituteName"/>
    /// replaces the institute's English name (e.g. with one a hostile server list could carry).
    /// </summary>
    public void PublishDiscovery(bool withInstitute = true, bool withSecondLocation = true, string instituteName = "Lab Institute")
    {
        var version = NextVersion();
        var servers = JsonSerializer.SerializeToUtf8Bytes(new
        {
            v = version,
            server_list = new object?[]
            {
                withInstitute ? new { base_url = InstituteUrl, server_type = "institute_access", display_name = new { en = instituteName, nl = "Lab Instituut" }, support_contact = Array.Empty<string>() } : null,
                new { base_url = InstituteUrl, server_type = "secure_internet", country_code = "nl", public_key_list = Array.Empty<string>(), support_contact = Array.Empty<string>() },
                withSecondLocation ? new { base_url = SecondLocationUrl, server_type = "secure_internet", country_code = "de", public_key_list = Array.Empty<string>(), support_contact = Array.Empty<string>() } : null,
            }.Where(s => s is not null),
        });
        var organizations = JsonSerializer.SerializeToUtf8Bytes(new
        {
            v = version,
            organization_list = new object[]
            {
                new { org_id = OrganizationId, display_name = new { en = "Lab University" }, secure_internet_home = InstituteUrl },
            },
        });
        Publish("server_list.json", servers, (ulong)version);
        Publish("organization_list.json", organizations, (ulong)version);
    }

    /// <summary>Every publication gets a higher <c>v</c> than the one before (a lower or equal one is never used).</summary>
    private long NextVersion() => _version = Math.Max(_version + 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    /// <summary>HTTP dates have whole seconds: each publication must look modified after the one before.</summary>
    private DateTimeOffset NextModified() =>
        _lastModified = DateTimeOffset.UtcNow.AddMinutes(-5) > _lastModified.AddSeconds(1) ? DateTimeOffset.UtcNow.AddMinutes(-5) : _lastModified.AddSeconds(1);

    private void Publish(string name, byte[] document, ulong timestamp)
    {
        var modified = NextModified();
        Discovery.SetFile(name, document, modified);
        Discovery.SetFile(name + ".minisig", Encoding.UTF8.GetBytes(_signer.Sign(document, timestamp, name)), modified);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }
        if (_user is not null)
        {
            await _user;
        }
        await Portal.DisposeAsync();
        await Discovery.DisposeAsync();
        _signer.Dispose();
        DataDirectory.Dispose();
        _stop.Dispose();
    }
}
