using System.CommandLine;
using System.Net;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Actors.ProxyGuard.Handshake;
using EduVpnActors.Messages.ProxyGuard;

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
    public const int FatalExitCode = HostExit.ProxyGuardFatal;
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
            // The real stdout (other console writes are log lines), or stderr when it holds the JSON document.
            var output = new ProxyGuardOutput(json, json ? Console.Error : HostConsole.Stdout);
            var addresses = new List<IPAddress>();
            foreach (var text in parse.GetValue(peerIps) ?? [])
            {
                if (!IPAddress.TryParse(text, out var address))
                {
                    throw BadArguments($"'{text}' is not an IP address");
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
                throw BadArguments(invalid);
            }
            return await RunAsync(Configuration(parse), setUp, wireGuardPort, output, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(Config config, SetUpProxyGuard setUp, int wireGuardPort, ProxyGuardOutput output, CancellationToken cancellationToken)
    {
        // The command's token is the host's signal token (HostSignals): SIGINT and SIGTERM cancel it, and say which came.
        using var system = ActorSystem.Create("proxyguard", config);
        var changes = Channel.CreateUnbounded<ProxyGuardStateChanged>();
        var proxy = system.ActorOf(ProxyGuardActor.Props(ProxyGuardSettings.FromConfig(config), ProxyGuardOptions.FromConfig(config)), "proxyguard");
        proxy.Tell(new SubscribeProxyGuardState(system.ActorOf(Props.Create(() => new StateForwarder(changes.Writer)), "state-printer")));
        try
        {
            switch (await proxy.Ask<object>(setUp, AskTimeout, cancellationToken))
            {
                case ProxyGuardSetUpFailed failed:
                    return output.Fatal(failed.Error);
                case ProxyGuardReady ready:
                    output.Ready(ready, setUp.Peer, wireGuardPort);
                    break;
            }
            if (await proxy.Ask<object>(new StartProxyGuardTunnel("console", wireGuardPort), AskTimeout, cancellationToken) is ProxyGuardRequestRefused refused)
            {
                return output.Fatal(refused.Error);
            }
            await foreach (var change in changes.Reader.ReadAllAsync(cancellationToken))
            {
                output.State(change);
                if (change.Phase == ProxyGuardPhase.Failed)
                {
                    return output.Fatal(change.Error!);
                }
            }
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Both ports are free once the proxy answers.
            await proxy.Ask<ProxyGuardStopped>(new StopProxyGuard("console"), AskTimeout);
            return output.Stopped(HostSignals.ExitCode ?? HostExit.Interrupted);
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Reported by <see cref="HostFailures"/> like every usage error: exit 1, under <c>--json</c> the one JSON document.</summary>
    private static HostCommandException BadArguments(string why) => new("bad_arguments", "proxyguard: " + why);

    private static string? Validate(SetUpProxyGuard setUp) =>
        setUp.ListenPort is < 0 or > 65535 ? $"the listen port {setUp.ListenPort} is not between 0 and 65535"
        : setUp.TcpSourcePort is < 0 or > 65535 ? $"the TCP source port {setUp.TcpSourcePort} is not between 0 and 65535"
        : setUp.Fwmark < 0 ? $"the fwmark {setUp.Fwmark} is negative"
        : null;

    /// <summary>
    /// The engine defaults, the <c>--config</c> files over them (read and checked as every command does), and the actor
    /// log off unless <c>--verbose</c> (never on stdout with <c>--json</c>).
    /// </summary>
    private static Config Configuration(ParseResult parse)
    {
        var logging = parse.GetValue(HostCommands.VerboseOption) && !parse.GetValue(HostCommands.JsonOption)
            ? "akka.loglevel = INFO"
            : "akka.loglevel = OFF\nakka.stdout-loglevel = OFF";
        var config = ConfigurationFactory.ParseString(logging).WithFallback(HostCommands.ReadConfigFiles(parse)).WithFallback(EngineConfiguration.Defaults());
        EngineConfiguration.Validate(config);
        return config;
    }

    /// <summary>Hands the proxy's state changes to the command's loop.</summary>
    private sealed class StateForwarder : ReceiveActor
    {
        public StateForwarder(ChannelWriter<ProxyGuardStateChanged> writer) =>
            Receive<ProxyGuardStateChanged>(change => writer.TryWrite(change));
    }
}
