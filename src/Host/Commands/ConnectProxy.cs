using System.CommandLine;
using System.Threading.Channels;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Display;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Host.Output;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.Messages.Servers;
using Spectre.Console;

namespace EduVpnActors.Host.Commands;

/// <summary>What <c>connect</c> hands to <see cref="ConnectProxy"/> once it has a configuration.</summary>
/// <param name="Engine">The command's engine.</param>
/// <param name="Server">The server connected to.</param>
/// <param name="Got">The configuration the server gave.</param>
/// <param name="File">--output, or null (the configuration goes to stdout).</param>
/// <param name="EngineFiles">The engine's own files, never written over.</param>
/// <param name="Json">--json.</param>
internal sealed record ConnectedConfiguration(EduVpnEngine Engine, ServerId Server, ConfigObtained Got, FileInfo? File, EngineFiles EngineFiles, bool Json);

/// <summary>
/// <c>connect SERVER --run-proxy</c>: with a WireGuard-over-TCP configuration, the ProxyGuard client is set up through the facade
/// first (eduvpn-common's order), the configuration is written with WireGuard's <c>Endpoint</c> on the proxy's listen port,
/// and the proxy runs in the foreground towards WireGuard's port until Ctrl-C or SIGTERM (stopped cleanly: 130, 143), a
/// fatal failure (7), or the engine stopping it (0). Each state change is a line: on stdout when the configuration went to
/// a file, else on stderr (stdout holds the configuration, or with <c>--json</c> the one document written at the end, which
/// needs <c>--output</c> for the configuration to be usable while the proxy runs). A plain WireGuard or OpenVPN configuration
/// needs no proxy: it is written as without <c>--run-proxy</c>, with a note on stderr, and the command exits 0.
/// </summary>
internal static class ConnectProxy
{
    /// <summary>WireGuard's usual port (wg-quick's and eduvpn-common's hosts' default).</summary>
    private const int DefaultWireGuardPort = 51820;

    /// <summary>How long the proxy may take to stop and free its ports once asked.</summary>
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(10);

    /// <summary>How long the run's last state (Stopped, Failed) may lag behind its end (published to another subscriber).</summary>
    private static readonly TimeSpan LastStateWait = TimeSpan.FromSeconds(5);

    private static readonly Option<bool> RunProxyOption = new("--run-proxy")
    {
        Description = "With WireGuard over TCP: run the ProxyGuard client in the foreground until Ctrl-C (implies --tcp; the configuration's Endpoint is the proxy).",
    };

    private static readonly Option<int> WireGuardPortOption = new("--wireguard-port")
    {
        Description = "With --run-proxy: WireGuard's own UDP port on 127.0.0.1 (its ListenPort), where the proxy's replies go.",
        DefaultValueFactory = _ => DefaultWireGuardPort,
    };

    private static readonly Option<int?> ListenPortOption = new("--listen-port")
    {
        Description = "With --run-proxy: the proxy's UDP port on 127.0.0.1 (default: the configuration's Endpoint port; 0: any free port).",
    };

    /// <summary>Adds the options to <c>connect</c>, with their rules (usage errors, exit 1, before any engine starts).</summary>
    public static void AddTo(Command connect, Option<FileInfo?> output)
    {
        connect.Options.Add(RunProxyOption);
        connect.Options.Add(WireGuardPortOption);
        connect.Options.Add(ListenPortOption);
        WireGuardPortOption.Validators.Add(result =>
        {
            var port = result.GetValueOrDefault<int>();
            if (port is < 1 or > 65535)
            {
                result.AddError($"--wireguard-port {port} is not between 1 and 65535");
            }
        });
        ListenPortOption.Validators.Add(result =>
        {
            var port = result.GetValueOrDefault<int?>();
            if (port is < 0 or > 65535)
            {
                result.AddError($"--listen-port {port} is not between 0 and 65535");
            }
        });
        connect.Validators.Add(result =>
        {
            var running = result.GetValue(RunProxyOption);
            if (!running && (result.GetResult(WireGuardPortOption) is { Implicit: false } || result.GetResult(ListenPortOption) is not null))
            {
                result.AddError("--wireguard-port and --listen-port need --run-proxy");
            }
            if (running && result.GetValue(HostCommands.JsonOption) && result.GetValue(output) is null)
            {
                // The document comes when the proxy stops: a configuration in it would come too late to use.
                result.AddError("--run-proxy with --json needs --output (stdout holds one JSON document, written when the proxy stops)");
            }
        });
    }

    /// <summary>Whether --run-proxy was given (it implies prefer TCP).</summary>
    public static bool Requested(ParseResult parse) => parse.GetValue(RunProxyOption);

    /// <summary>
    /// With --run-proxy and a WireGuard-over-TCP configuration: writes it, runs the proxy until it stops and returns the exit
    /// code. Otherwise null: <c>connect</c> writes the configuration as usual (a plain one with a note that no proxy runs).
    /// </summary>
    public static async Task<int?> TryRunAsync(ParseResult parse, ConnectedConfiguration connected, CancellationToken cancellationToken)
    {
        if (!Requested(parse))
        {
            return null;
        }
        var configuration = connected.Got.Configuration;
        if (configuration.Proxy is not { } proxy)
        {
            HostConsole.Error.Line($"[yellow]--run-proxy: the server gave a {VpnProtocolNames.DisplayName(configuration.Protocol)} configuration; it needs no proxy, none runs[/]");
            return null;
        }
        var (engine, server, file, json) = (connected.Engine, connected.Server, connected.File, connected.Json);
        // stdout is the configuration's (or the JSON document's) unless the configuration goes to a file.
        var output = new ProxyGuardOutput(json, file is null || json ? Console.Error : HostConsole.Stdout, engine.Culture)
        {
            Head = [new("server", server.ToString()), new("profile", connected.Got.ProfileId), new("protocol", configuration.Protocol),
                new("expires", configuration.Expires), new("file", file?.FullName)],
        };
        var printer = new StatePrinter(output);
        EventHandler<ServerProxyStateChanged> follow = (_, change) =>
        {
            if (change.Server == server)
            {
                printer.Take(change);
            }
        };
        // Followed before the set-up, so its states are shown (and kept) too.
        engine.ProxyGuardStateChanged += follow;
        try
        {
            // Where the configuration points WireGuard (eduvpn-common's rewrite: 127.0.0.1:listen_port) unless told otherwise.
            var given = parse.GetValue(ListenPortOption);
            var endpointPort = WireGuardConfigRewriter.LoopbackEndpointPort(configuration.Config);
            var (ready, failed) = await SetUpAsync(engine, server, given ?? endpointPort ?? 0, portMayMove: given is null, cancellationToken);
            if (failed is not null)
            {
                await printer.DrainAsync(ran: false);
                return output.Fatal(failed);
            }
            var wireGuardPort = parse.GetValue(WireGuardPortOption);
            Write(connected, endpointPort == ready!.ListenPort ? configuration.Config : WireGuardConfigRewriter.PointEndpointAt(configuration.Config, ready.ListenPort));
            output.Ready(ready, proxy.Peer, wireGuardPort);
            var end = await RunAsync(engine, server, wireGuardPort, cancellationToken);
            await printer.DrainAsync(ran: true);
            return end.Failed is { } error ? output.Fatal(error) : output.Stopped(end.ExitCode);
        }
        finally
        {
            engine.ProxyGuardStateChanged -= follow;
            await printer.DrainAsync(ran: false);
        }
    }

    /// <summary>Sets the proxy up on <paramref name="listenPort"/>; when that default port was taken meanwhile, on any free one.</summary>
    private static async Task<(ProxyGuardReady? Ready, ProxyGuardError? Failed)> SetUpAsync(EduVpnEngine engine, ServerId server, int listenPort,
        bool portMayMove, CancellationToken cancellationToken)
    {
        try
        {
            return (await engine.SetUpProxyGuardAsync(server, listenPort, cancellationToken: cancellationToken), null);
        }
        catch (EduVpnException e) when (e.Error.ProxyGuard is { Kind: ProxyGuardErrorKind.ListenPortUnavailable } && portMayMove && listenPort != 0)
        {
            // The port was free when the configuration was made; the configuration is not written yet, so it may point elsewhere.
            await engine.StopProxyGuardAsync(server, cancellationToken);
            return await SetUpAsync(engine, server, 0, portMayMove: false, cancellationToken);
        }
        catch (EduVpnException e) when (e.Error.ProxyGuard is { } error)
        {
            return (null, error);
        }
    }

    /// <summary>Writes the configuration as <c>connect</c> does: into the file (mode 0600) or raw on stdout, flushed before the proxy runs.</summary>
    private static void Write(ConnectedConfiguration connected, string config)
    {
        var configuration = connected.Got.Configuration;
        var about = HostConsole.SafeMarkup($"[green]{VpnProtocolNames.DisplayName(configuration.Protocol)}[/] configuration for profile [bold]{connected.Got.ProfileId}[/], valid until {configuration.Expires.ToLocalTime():g}");
        if (connected.File is { } file)
        {
            // Again where it is written: a link may have changed while the configuration was fetched.
            connected.EngineFiles.RefuseAsOutput(file.FullName, connected.Engine.Culture);
            DataDirectory.WritePrivateFile(file.FullName, System.Text.Encoding.UTF8.GetBytes(config));
            (connected.Json ? HostConsole.Error : HostConsole.Out).MarkupLine(about + HostConsole.SafeMarkup($", written to {file.FullName}"));
            return;
        }
        HostConsole.Stdout.WriteLine(HostConsole.StdoutIsTerminal ? TerminalText.EscapeLines(config) : config);
        HostConsole.Stdout.Flush();
        HostConsole.Error.MarkupLine(about);
    }

    /// <summary>
    /// Runs the tunnel until it ends: the engine stopped it (0), it failed for good, or the command was cancelled (SIGINT,
    /// SIGTERM: the host's signal handling cancels <paramref name="cancellationToken"/>), when the proxy is stopped and its
    /// ports are free before this returns 130 or 143.
    /// </summary>
    private static async Task<(int ExitCode, ProxyGuardError? Failed)> RunAsync(EduVpnEngine engine, ServerId server, int wireGuardPort,
        CancellationToken cancellationToken)
    {
        // Not cancelled by the token: the stop below is explicit, and the run then ends as the proxy stopped.
        var run = engine.RunProxyGuardAsync(server, wireGuardPort, CancellationToken.None);
        try
        {
            await run.WaitAsync(cancellationToken);
            return (HostExit.Ok, null);
        }
        catch (EduVpnException e) when (e.Error.ProxyGuard is { } error)
        {
            return (HostExit.ProxyGuardFatal, error);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await engine.StopProxyGuardAsync(server, CancellationToken.None).WaitAsync(StopDeadline);
            try
            {
                await run.WaitAsync(StopDeadline);
            }
            catch (EduVpnException e) when (e.Error.ProxyGuard is not null)
            {
                // It failed as it was stopped: stopped all the same, its ports free.
            }
            return (HostSignals.ExitCode ?? HostExit.Interrupted, null);
        }
    }

    /// <summary>
    /// Shows the states as they come, off the engine's thread. The running proxy's last state (Stopped or Failed) may lag
    /// behind the run's end (the run hears of it through another subscriber), so <see cref="DrainAsync"/> waits for it.
    /// </summary>
    private sealed class StatePrinter
    {
        private readonly Channel<ServerProxyStateChanged> _changes = Channel.CreateUnbounded<ServerProxyStateChanged>(new UnboundedChannelOptions { SingleReader = true });
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _printing;

        public StatePrinter(ProxyGuardOutput output) => _printing = PrintAsync(output);

        /// <summary>Takes one change (on the engine's thread: never blocks).</summary>
        public void Take(ServerProxyStateChanged change) => _changes.Writer.TryWrite(change);

        /// <summary>Prints what came, after waiting (boundedly) for the running proxy's last state when <paramref name="ran"/>.</summary>
        public async Task DrainAsync(bool ran)
        {
            if (ran)
            {
                await Task.WhenAny(_ended.Task, Task.Delay(LastStateWait));
            }
            _changes.Writer.TryComplete();
            await _printing;
        }

        private async Task PrintAsync(ProxyGuardOutput output)
        {
            string? running = null;
            await foreach (var change in _changes.Reader.ReadAllAsync())
            {
                output.State(change.State);
                // The run starts waiting for traffic; a proxy stopped before (a set-up moved to another port) is not its end.
                running ??= change.State.Phase == ProxyGuardPhase.WaitingForTraffic ? change.ProxyId : null;
                if (change.ProxyId == running && change.State.Phase is ProxyGuardPhase.Stopped or ProxyGuardPhase.Failed)
                {
                    _ended.TrySetResult();
                }
            }
        }
    }
}
