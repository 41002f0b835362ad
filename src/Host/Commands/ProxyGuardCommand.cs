using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Actors.ProxyGuard.Handshake;
using EduVpnActors.Messages.ProxyGuard;

using EduVpnActors.Actors.Display;
using EduVpnActors.Host.Output;

namespace EduVpnActors.Host.Commands;

/// <summary>
/// <c>proxyguard --peer URL --listen-port N --forward-port M [--tcp-source-port P] [--fwmark F] [--peer-ips IP ...]</c>:
/// the ProxyGuard client alone, in the foreground, like the reference's own command, so it can be run
/// against any ProxyGuard server. It prints every state change; Ctrl-C or SIGTERM stops it cleanly.
/// Exit codes: 7 a ProxyGuard fatal error (the reference exits 0 even then), 1 bad arguments, 130 SIGINT, 143 SIGTERM.
/// With <c>--json</c> the state changes go to stderr and stdout holds one JSON document at the end.
/// </summary>
internal static class ProxyGuardCommand
{
    public const int FatalExitCode = 7;
    public const int BadArgumentsExitCode = 1;
    private const int SigIntExitCode = 130;
    private const int SigTermExitCode = 143;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);

    public static Command Create()
    {
        var peer = new Option<string>("--peer") { Description = "The server's ProxyGuard URL (the configuration's ProxyEndpoint).", Required = true };
        var listenPort = new Option<int>("--listen-port") { Description = "UDP port on 127.0.0.1 that WireGuard sends to (its Endpoint); 0 picks a free one.", Required = true };
        var forwardPort = new Option<int>("--forward-port") { Description = "WireGuard's own UDP port on 127.0.0.1; replies go there.", Required = true };
        var sourcePort = new Option<int>("--tcp-source-port") { Description = "Local TCP port to connect from (0: any)." };
        var fwmark = new Option<int>("--fwmark") { Description = "SO_MARK for the TCP connection (Linux; 0: none)." };
        var peerIps = new Option<string[]>("--peer-ips") { Description = "The peer's addresses, instead of resolving its host.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("proxyguard", "Run the ProxyGuard client (WireGuard over TCP) in the foreground.")
        {
            peer, listenPort, forwardPort, sourcePort, fwmark, peerIps,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var json = parse.GetValue(HostCommands.JsonOption);
            var output = new Output(json);
            var addresses = new List<IPAddress>();
            foreach (var text in parse.GetValue(peerIps) ?? [])
            {
                if (!IPAddress.TryParse(text, out var address))
                {
                    return output.BadArguments($"'{text}' is not an IP address");
                }
                addresses.Add(address);
            }
            var setUp = new SetUpProxyGuard("console", parse.GetValue(peer)!, parse.GetValue(listenPort), parse.GetValue(sourcePort), parse.GetValue(fwmark), addresses);
            var wireGuardPort = parse.GetValue(forwardPort);
            var invalid = wireGuardPort is < 1 or > 65535
                ? $"the forward port {wireGuardPort} is not between 1 and 65535"
                : ProxyGuardPeer.TryParse(setUp.Peer, out _, out var urlError) ? Validate(setUp) : urlError.Message;
            if (invalid is not null)
            {
                return output.BadArguments(invalid);
            }
            return await RunAsync(Configuration(parse), setUp, wireGuardPort, output, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(Config config, SetUpProxyGuard setUp, int wireGuardPort, Output output, CancellationToken cancellationToken)
    {
        // Which signal stops us decides the exit code; the handler runs before System.CommandLine's (newest first).
        var signal = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            Interlocked.CompareExchange(ref signal, context.Signal == PosixSignal.SIGTERM ? SigTermExitCode : SigIntExitCode, 0);
            stop.Cancel();
        }
        using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        using var system = ActorSystem.Create("proxyguard", config);
        var changes = Channel.CreateUnbounded<ProxyGuardStateChanged>();
        var proxy = system.ActorOf(ProxyGuardActor.Props(ProxyGuardSettings.FromConfig(config), ProxyGuardOptions.FromConfig(config)), "proxyguard");
        proxy.Tell(new SubscribeProxyGuardState(system.ActorOf(Props.Create(() => new StateForwarder(changes.Writer)), "state-printer")));
        try
        {

            switch (await proxy.Ask<object>(setUp, AskTimeout, stop.Token))
            {
                case ProxyGuardSetUpFailed failed:
                    return output.Fatal(failed.Error);
                case ProxyGuardReady ready:
                    output.Ready(ready, setUp.Peer, wireGuardPort);
                    break;
            }
            if (await proxy.Ask<object>(new StartProxyGuardTunnel("console", wireGuardPort), AskTimeout, stop.Token) is ProxyGuardRequestRefused refused)
            {
                return output.Fatal(refused.Error);
            }
            await foreach (var change in changes.Reader.ReadAllAsync(stop.Token))
            {
                output.State(change);
                if (change.Phase == ProxyGuardPhase.Failed)
                {
                    return output.Fatal(change.Error!);
                }
            }
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Both ports are free once the proxy answers.
            await proxy.Ask<ProxyGuardStopped>(new StopProxyGuard("console"), AskTimeout);
            var code = signal == 0 ? SigIntExitCode : signal;
            return output.Stopped(code);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static string? Validate(SetUpProxyGuard setUp) =>
        setUp.ListenPort is < 0 or > 65535 ? $"the listen port {setUp.ListenPort} is not between 0 and 65535"
        : setUp.TcpSourcePort is < 0 or > 65535 ? $"the TCP source port {setUp.TcpSourcePort} is not between 0 and 65535"
        : setUp.Fwmark < 0 ? $"the fwmark {setUp.Fwmark} is negative"
        : null;

    /// <summary>The engine defaults, the <c>--config</c> files over them, and the actor log off unless <c>--verbose</c> (never on stdout with <c>--json</c>).</summary>
    private static Config Configuration(ParseResult parse)
    {
        var overrides = Config.Empty;
        foreach (var file in parse.GetValue(HostCommands.ConfigOption) ?? [])
        {
            overrides = ConfigurationFactory.ParseString(File.ReadAllText(file.FullName)).WithFallback(overrides);
        }
        var logging = parse.GetValue(HostCommands.VerboseOption) && !parse.GetValue(HostCommands.JsonOption)
            ? "akka.loglevel = INFO"
            : "akka.loglevel = OFF\nakka.stdout-loglevel = OFF";
        return ConfigurationFactory.ParseString(logging).WithFallback(overrides).WithFallback(EngineConfiguration.Defaults());
    }

    /// <summary>Hands the proxy's state changes to the command's loop.</summary>
    private sealed class StateForwarder : ReceiveActor
    {
        public StateForwarder(ChannelWriter<ProxyGuardStateChanged> writer) =>
            Receive<ProxyGuardStateChanged>(change => writer.TryWrite(change));
    }

    /// <summary>Lines as they happen (stdout, or stderr with --json), and with --json one document at the end.</summary>
    private sealed class Output(bool json)
    {
        private readonly List<object> _states = [];
        private object? _ready;

        public int BadArguments(string why)
        {
            if (json)
            {
                HostOutput.Json(new { error = new { kind = "bad_arguments", message = why } });
            }
            else
            {
                Console.Error.WriteLine($"proxyguard: {why}");
            }
            return BadArgumentsExitCode;
        }

        public void Ready(ProxyGuardReady ready, string peer, int wireGuardPort)
        {
            _ready = new { listen_port = ready.ListenPort, wireguard_port = wireGuardPort, peer, peer_ips = ready.PeerIps.Select(ip => ip.ToString()) };
            Line($"listening on 127.0.0.1:{ready.ListenPort} for WireGuard at 127.0.0.1:{wireGuardPort}; peer {peer} ({string.Join(", ", ready.PeerIps)})");
        }

        public void State(ProxyGuardStateChanged change)
        {
            _states.Add(new
            {
                phase = change.Phase,
                change.Attempt,
                error = change.Error is { } e ? new { e.Kind, message = ErrorTexts.For(e.Kind), detail = e.Message } : null,
                retry_in_seconds = change.RetryIn?.TotalSeconds,
                change.Server,
            });
            var text = change.Phase switch
            {
                ProxyGuardPhase.WaitingForTraffic => $"waiting for traffic (attempt {change.Attempt})",
                ProxyGuardPhase.Connecting => $"connecting (attempt {change.Attempt})",
                ProxyGuardPhase.Connected => $"connected to {change.Server} (attempt {change.Attempt})",
                ProxyGuardPhase.Reconnecting => string.Create(CultureInfo.InvariantCulture,
                    $"reconnecting in {change.RetryIn!.Value.TotalSeconds:0.###} s: {ErrorTexts.For(change.Error!.Kind)} ({change.Error.Kind}: {change.Error.Message})"),
                _ => null,
            };
            if (text is not null)
            {
                Line(text);
            }
        }

        public int Fatal(ProxyGuardError error)
        {
            Line($"failed: {ErrorTexts.For(error.Kind)} ({error.Kind}: {error.Message})");
            return End(FatalExitCode, new { kind = error.Kind, message = ErrorTexts.For(error.Kind), detail = error.Message });
        }

        public int Stopped(int code)
        {
            Line(code == SigTermExitCode ? "stopped (SIGTERM)" : "stopped (SIGINT)");
            return End(code, null);
        }

        private int End(int code, object? error)
        {
            if (json)
            {
                HostOutput.Json(new { proxy = _ready, states = _states, exit_code = code, error });
            }
            return code;
        }

        private void Line(string text)
        {
            // The real stdout (other console writes are log lines); a server's words shown as data, never as escapes.
            var writer = json ? Console.Error : HostConsole.Stdout;
            writer.WriteLine("proxyguard: " + TerminalText.Escape(text));
            writer.Flush();
        }
    }
}
