using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.Hosting;
using EduVpnActors.Actors.Servers.Logic;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Failover;
using EduVpnActors.Messages.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EduVpnActors.Actors.Facade;

/// <summary>How to start an <see cref="EduVpnEngine"/>.</summary>
/// <param name="DataDirectory">Where the SQLite journal and the token key live (null: the user's data directory).</param>
/// <param name="Overrides">HOCON keys over the engine defaults (e.g. <c>eduvpn.client.id</c>).</param>
/// <param name="Culture">Language of <see cref="EduVpnException.LocalizedMessage"/> (null: the current UI culture).</param>
/// <param name="Time">Clock of the engine (tests pass a manual one).</param>
/// <param name="Failover">How failover probes ping and count received bytes (null: real ICMP and <c>/sys/class/net</c>); a host whose tunnel library knows the counter passes its own source.</param>
public sealed record EduVpnEngineOptions(
    string? DataDirectory = null,
    Config? Overrides = null,
    CultureInfo? Culture = null,
    TimeProvider? Time = null,
    FailoverDependencies? Failover = null);

/// <summary>A server as a host shows it: what is stored, whether discovery still lists it, and whether it is current.</summary>
public sealed record ServerView(ServerRecord Record, bool Delisted, bool IsCurrent, ExpiryTimes? Expiry);

/// <summary>
/// The engine for host apps that do not speak Akka: async methods for the typical flow (add a server,
/// get a configuration, report the tunnel's state, clean up, remove), state changes as an
/// <see cref="IAsyncEnumerable{T}"/> or an event, and typed <see cref="EduVpnException"/>s with a
/// translated message. Hosts that speak Akka send the messages of <c>EduVpnActors.Messages.Client</c>
/// to <see cref="Client"/> instead.
/// </summary>
public sealed partial class EduVpnEngine : IAsyncDisposable
{
    private readonly IHost? _ownedHost;
    private readonly IActorRef _eventBridge;
    private long _requests;

    private EduVpnEngine(EngineRuntime runtime, IHost? ownedHost, CultureInfo culture)
    {
        Runtime = runtime;
        _ownedHost = ownedHost;
        Culture = culture;
        Action<object> raise = notification =>
        {
            switch (notification)
            {
                case ConnectionStateChanged change:
                    StateChanged?.Invoke(this, change);
                    break;
                case FailoverVerdictReady verdict:
                    FailoverVerdict?.Invoke(this, verdict);
                    break;
                case ServerProxyStateChanged proxy:
                    ProxyGuardStateChanged?.Invoke(this, proxy);
                    break;
            }
        };
        _eventBridge = runtime.System.ActorOf(Props.Create(() => new NotificationBridge(raise)));
        Client.Tell(new SubscribeClientStates(_eventBridge));
    }

    /// <summary>Raised for every state change of every connection (on an engine thread: do not block).</summary>
    public event EventHandler<ConnectionStateChanged>? StateChanged;

    /// <summary>Raised for every failover verdict of every connection, whoever started the probe (on an engine thread: do not block).</summary>
    public event EventHandler<FailoverVerdictReady>? FailoverVerdict;

    /// <summary>The running engine (actor system and actors).</summary>
    public EngineRuntime Runtime { get; }

    /// <summary>The client actor: the front door for hosts that send messages themselves.</summary>
    public IActorRef Client => Runtime.Client;

    /// <summary>Language of error messages.</summary>
    public CultureInfo Culture { get; set; }

    /// <summary>
    /// Starts an engine of its own: the same boot path as <see cref="ServiceCollectionExtensions.AddEduVpnEngine(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{EduVpnHostingOptions}?)"/>,
    /// in a private generic host that <see cref="DisposeAsync"/> stops. The storage is checked before anything starts.
    /// </summary>
    /// <exception cref="Persistence.StorageException">The database or the token key file cannot be used; see <see cref="Persistence.StorageException.Kind"/>.</exception>
    public static EduVpnEngine Start(EduVpnEngineOptions? options = null)
    {
        options ??= new EduVpnEngineOptions();
        var hosting = new EduVpnHostingOptions
        {
            DataDirectory = options.DataDirectory ?? DataDirectory.Default(),
            Config = options.Overrides,
            Time = options.Time,
            Failover = options.Failover,
            // Akka's own loggers, as the HOCON says (the private host has no logging providers of its own).
            UseMicrosoftLogging = false,
        };
        // Before the host: a damaged database or key file is a StorageException with nothing started.
        var services = EngineServices.Prepare(hosting);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.AddEduVpnEngine(hosting, services);
        var host = builder.Build();
        try
        {
            // The one synchronous wait of the facade: Start is the constructor-like entry point hosts call.
            host.StartAsync().GetAwaiter().GetResult();
            return new EduVpnEngine(host.Services.GetRequiredService<EngineRuntime>(), host, options.Culture ?? CultureInfo.CurrentUICulture);
        }
        catch
        {
            host.StopAsync().GetAwaiter().GetResult();
            host.Dispose();
            throw;
        }
    }

    /// <summary>Wraps an engine started in the host's own generic host (the host stops it).</summary>
    public static EduVpnEngine Attach(EngineRuntime runtime, CultureInfo? culture = null) =>
        new(runtime, ownedHost: null, culture ?? CultureInfo.CurrentUICulture);

    // ---- discovery --------------------------------------------------------------------------

    /// <summary>Searches the servers of discovery (Institute Access and Secure Internet locations).</summary>
    public Task<ServerSearchResponse> SearchServersAsync(string query, string? language = null, CancellationToken cancellationToken = default) =>
        QueryAsync<ServerSearchResponse>(Runtime.Discovery, new SearchServers(query, language ?? Culture.Name), cancellationToken);

    /// <summary>Searches the organizations of discovery (for Secure Internet).</summary>
    public Task<OrganizationSearchResponse> SearchOrganizationsAsync(string query, string? language = null, CancellationToken cancellationToken = default) =>
        QueryAsync<OrganizationSearchResponse>(Runtime.Discovery, new SearchOrganizations(query, language ?? Culture.Name), cancellationToken);

    // ---- servers ----------------------------------------------------------------------------

    /// <summary>Adds a server and authorizes it (the host opens the URL of the OAuthStarted state).</summary>
    public async Task<ServerRecord> AddServerAsync(ServerType type, string identifier, bool interactive = true, CancellationToken cancellationToken = default)
    {
        var id = NextRequestId();
        var reply = await RequestAsync(new AddServer(id, type, identifier, interactive), IdOf(type, identifier), cancellationToken).ConfigureAwait(false);
        return Expect<ServerReady>(reply).Server;
    }

    /// <summary>Removes a server, its choices and its tokens.</summary>
    public async Task RemoveServerAsync(ServerId server, CancellationToken cancellationToken = default) =>
        Expect<ServerForgotten>(await RequestAsync(new RemoveServer(NextRequestId(), server), null, cancellationToken).ConfigureAwait(false));

    /// <summary>Every added server, with <c>delisted</c> and expiry times.</summary>
    public async Task<IReadOnlyList<ServerView>> ListServersAsync(CancellationToken cancellationToken = default)
    {
        var records = await QueryAsync<ServerRecords>(Runtime.Registry, new GetServerRecords(NextRequestId()), cancellationToken).ConfigureAwait(false);
        var servers = ServerList.Empty;
        var organizations = OrganizationList.Empty;
        if (records.Servers.Any(s => s.Id.Type != ServerType.Custom))
        {
            servers = (await QueryAsync<ServerListResponse>(Runtime.Discovery, new GetServerList(), cancellationToken).ConfigureAwait(false)).List;
        }
        if (records.Servers.Any(s => s.Id.Type == ServerType.SecureInternet))
        {
            organizations = (await QueryAsync<OrganizationListResponse>(Runtime.Discovery, new GetOrganizationList(), cancellationToken).ConfigureAwait(false)).List;
        }
        return records.Servers
            .Select(record => new ServerView(
                record,
                // With no list at all nothing can be judged delisted.
                servers.Servers.Count > 0 && ServerResolution.IsDelisted(record, servers, organizations),
                record.Id == records.Current,
                ExpiryOf(record)))
            .ToArray();
    }

    /// <summary>
    /// Gets a VPN configuration. Profile and location questions arrive as states (AskProfile, AskLocation); answer them with
    /// <see cref="AnswerAsync"/>. <paramref name="profileId"/> and <paramref name="countryCode"/> choose (and remember) the profile
    /// and Secure Internet location for this configuration instead of asking or using the remembered ones.
    /// </summary>
    /// <exception cref="EduVpnException"><see cref="ClientErrorKind.InvalidChoice"/> with <see cref="ClientError.Choices"/> when the server does not offer that profile or location.</exception>
    public async Task<ConfigObtained> GetConfigAsync(ServerId server, bool preferTcp = false, bool startup = false, string? profileId = null, string? countryCode = null,
        CancellationToken cancellationToken = default) =>
        Expect<ConfigObtained>(await RequestAsync(new GetConfig(NextRequestId(), server, preferTcp, startup, profileId, countryCode), server, cancellationToken).ConfigureAwait(false));

    /// <summary>Answers the question of a server's connection (a profile id or a country code).</summary>
    public async Task AnswerAsync(ServerId server, string questionId, string answer, CancellationToken cancellationToken = default) =>
        Expect<QuestionAnswered>(await RequestAsync(new AnswerQuestion(NextRequestId(), server, questionId, answer), null, cancellationToken).ConfigureAwait(false));

    /// <summary>Cancels what a server's connection is doing (a question or an authorization).</summary>
    public async Task CancelAsync(ServerId server, CancellationToken cancellationToken = default) =>
        Expect<OperationCancelled>(await RequestAsync(new CancelOperation(NextRequestId(), server), null, cancellationToken).ConfigureAwait(false));

    /// <summary>Reports the host's tunnel state (Connecting, Connected, Disconnecting, Disconnected).</summary>
    public async Task SetConnectionStateAsync(ServerId server, ConnectionState state, CancellationToken cancellationToken = default)
    {
        var reply = await QueryAsync<object>(Client, new SetConnectionState(NextRequestId(), server, state), cancellationToken).ConfigureAwait(false);
        if (reply is ConnectionTransitionRefused refused)
        {
            throw new EduVpnException(new ClientError(ClientErrorKind.InvalidState, refused.Reason), Culture);
        }
    }

    /// <summary>The state of a server's connection now.</summary>
    /// <exception cref="EduVpnException">The server was never added or is removed (<see cref="ClientErrorKind.UnknownServer"/>).</exception>
    public async Task<CurrentConnectionState> GetConnectionStateAsync(ServerId server, CancellationToken cancellationToken = default) =>
        Expect<CurrentConnectionState>(await RequestAsync(new GetServerConnectionState(NextRequestId(), server), null, cancellationToken).ConfigureAwait(false));

    /// <summary>Tells the server the configuration is no longer used (best effort); call it after the tunnel is down.</summary>
    public async Task<bool> CleanupAsync(ServerId server, CancellationToken cancellationToken = default) =>
        Expect<CleanedUp>(await RequestAsync(new Cleanup(NextRequestId(), server), null, cancellationToken).ConfigureAwait(false)).Reached;

    /// <summary>Renews the session (new authorization); get a configuration again afterwards.</summary>
    public async Task<ServerRecord> RenewSessionAsync(ServerId server, CancellationToken cancellationToken = default) =>
        Expect<SessionRenewed>(await RequestAsync(new RenewSession(NextRequestId(), server), server, cancellationToken).ConfigureAwait(false)).Server;

    /// <summary>Chooses the profile used from now on.</summary>
    public async Task<ServerRecord> SetProfileAsync(ServerId server, string profileId, CancellationToken cancellationToken = default) =>
        Expect<ServerUpdated>(await RequestAsync(new SetProfile(NextRequestId(), server, profileId), null, cancellationToken).ConfigureAwait(false)).Server;

    /// <summary>Chooses the Secure Internet location used from now on.</summary>
    public async Task<ServerRecord> SetLocationAsync(ServerId server, string countryCode, CancellationToken cancellationToken = default) =>
        Expect<ServerUpdated>(await RequestAsync(new SetLocation(NextRequestId(), server, countryCode), null, cancellationToken).ConfigureAwait(false)).Server;

    /// <summary>
    /// Probes the gateway of a tunnel that is up (behaviour reference §8). Two verdicts come back: <see cref="ProbeVerdict.Dropped"/>
    /// (reconnect over TCP, see <c>VpnConfiguration.ShouldFailover</c>) or not dropped (traffic flows). A probe that could not
    /// decide is neither: it throws, so it can never read as "UDP works".
    /// </summary>
    /// <remarks>Cancelling <paramref name="cancellationToken"/> cancels the probe too (and then throws).</remarks>
    /// <exception cref="EduVpnException"><see cref="ClientErrorKind.ProbeFailed"/> with <see cref="ClientError.Probe"/> (why it could not decide).</exception>
    public async Task<ProbeVerdict> StartFailoverAsync(ServerId server, int mtu, string? interfaceName = null, string? gateway = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        object reply;
        using (cancellationToken.Register(() => Client.Tell(new CancelFailover(NextRequestId(), server))))
        {
            // The probe ends soon after a cancel (its verdict is the answer), so the wait itself needs no token; a probe
            // decides within its timing, so that plus a query's deadline bounds a lost verdict.
            var timing = Runtime.Services.Failover.Timing;
            var deadline = timing.ReplyTimeout + timing.Interval * (timing.Count + 1) + Runtime.ClientSettings.QueryDeadline;
            reply = await AskAsync(Client, new StartFailover(NextRequestId(), server, mtu, interfaceName, gateway), deadline, CancellationToken.None).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return reply switch
        {
            ProbeVerdict { Outcome: ProbeOutcome.Error } undecided => throw new EduVpnException(new ClientError(ClientErrorKind.ProbeFailed,
                $"the failover probe could not decide ({undecided.Error?.Kind}): {undecided.Error?.Message}") { Probe = undecided.Error }, Culture),
            ProbeVerdict verdict => verdict,
            ClientRequestFailed failed => throw new EduVpnException(failed.Error, Culture),
            _ => Expect<ProbeVerdict>(reply),
        };
    }

    /// <summary>
    /// Every state change of every connection from this call on, until <paramref name="cancellationToken"/>
    /// ends it or the enumeration is disposed.
    /// </summary>
    /// <remarks>
    /// The subscription is made by this call, not by the first <c>MoveNextAsync</c>: a host may send a
    /// request right after it and read the stream on another task without missing the question (or
    /// authorization URL) that request raises. Enumerate it or cancel the token, or the subscription
    /// lives until the engine is disposed.
    /// </remarks>
    public IAsyncEnumerable<ConnectionStateChanged> StateChangesAsync(CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ConnectionStateChanged>(new UnboundedChannelOptions { SingleReader = true });
        // The state stream carries state changes only; verdicts and proxy states reach the events.
        Action<object> write = notification =>
        {
            if (notification is ConnectionStateChanged change)
            {
                channel.Writer.TryWrite(change);
            }
        };
        var bridge = Runtime.System.ActorOf(Props.Create(() => new NotificationBridge(write)));
        // Told from the caller's thread before any request it sends next, so the client actor sees it first.
        Client.Tell(new SubscribeClientStates(bridge));
        return ReadStateChangesAsync(channel.Reader, bridge, cancellationToken);
    }

    private async IAsyncEnumerable<ConnectionStateChanged> ReadStateChangesAsync(
        ChannelReader<ConnectionStateChanged> reader, IActorRef bridge, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            Client.Tell(new UnsubscribeClientStates(bridge));
            Runtime.System.Stop(bridge);
        }
    }

    /// <summary>Expiry times of a server's configuration, or null when it has none.</summary>
    public ExpiryTimes? ExpiryOf(ServerRecord record) =>
        record.ConfigExpiresAt is { } expires
            ? ExpiryCalculator.Calculate(record.LastAuthorizedAt ?? record.ConfigStartedAt ?? expires, expires, Runtime.ClientSettings.ExpiryPolicy)
            : null;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Client.Tell(new UnsubscribeClientStates(_eventBridge));
        if (_ownedHost is not null)
        {
            // The actor system's coordinated shutdown, then the services (the HTTP client among them).
            await _ownedHost.StopAsync().ConfigureAwait(false);
            _ownedHost.Dispose();
        }
    }

    private string NextRequestId() => $"facade-{Interlocked.Increment(ref _requests)}";

    private async Task<object> RequestAsync(IClientRequest request, ServerId? cancellable, CancellationToken cancellationToken)
    {
        using var cancel = cancellable is { } id
            // Cancelling the caller's token cancels the engine's operation too (its question or authorization).
            ? cancellationToken.Register(() => Client.Tell(new CancelOperation(NextRequestId(), id)))
            : default;
        var deadline = request is GetServerConnectionState or AnswerQuestion or CancelOperation or StopServerProxy
            ? Runtime.ClientSettings.QueryDeadline
            : Runtime.ClientSettings.OperationDeadline;
        // A cancellable operation ends with the engine's answer to the cancel; any other wait ends with the caller's token.
        var reply = await AskAsync(Client, request, deadline, cancellable is null ? cancellationToken : CancellationToken.None).ConfigureAwait(false);
        if (reply is ClientRequestFailed failed)
        {
            if (failed.Error.Kind == ClientErrorKind.Cancelled)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            throw new EduVpnException(failed.Error, Culture);
        }
        return reply;
    }

    private Task<T> QueryAsync<T>(IActorRef target, object query, CancellationToken cancellationToken) =>
        AskAsync<T>(target, query, Runtime.ClientSettings.QueryDeadline, cancellationToken);

    private Task<object> AskAsync(IActorRef target, object message, TimeSpan deadline, CancellationToken cancellationToken) =>
        AskAsync<object>(target, message, deadline, cancellationToken);

    /// <summary>Every wait for the engine ends: with its answer, the caller's token, or a typed time-out at the deadline.</summary>
    private async Task<T> AskAsync<T>(IActorRef target, object message, TimeSpan deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await target.Ask<T>(message, deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new EduVpnException(new ClientError(ClientErrorKind.Timeout,
                $"the engine did not answer {message.GetType().Name} within {deadline.TotalSeconds:0} seconds"), Culture);
        }
    }

    private static ServerId? IdOf(ServerType type, string identifier)
    {
        if (type == ServerType.SecureInternet)
        {
            return new ServerId(type, identifier);
        }
        try
        {
            return new ServerId(type, Api.UrlRules.EnsureValidUrl(identifier));
        }
        catch (Api.ApiException)
        {
            return null; // the engine refuses it with InvalidUrl; nothing to cancel
        }
    }

    private static T Expect<T>(object reply) where T : class =>
        reply as T ?? throw new InvalidOperationException($"The engine answered {reply.GetType().Name} where {typeof(T).Name} was expected");

    /// <summary>An embedded engine's host has no console hooks: the application that embeds it decides when it stops.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Hands the client's notifications (state changes, failover verdicts, proxy states) to a host callback.</summary>
    private sealed class NotificationBridge : ReceiveActor
    {
        public NotificationBridge(Action<object> deliver)
        {
            Receive<ConnectionStateChanged>(deliver);
            Receive<FailoverVerdictReady>(deliver);
            Receive<ServerProxyStateChanged>(deliver);
        }
    }
}
