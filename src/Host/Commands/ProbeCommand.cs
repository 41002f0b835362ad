using System.CommandLine;
using System.Net;
using Akka.Actor;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Messages.Failover;
using EduVpnActors.Host.Output;
using Spectre.Console;

namespace EduVpnActors.Host.Commands;

/// <summary>
/// <c>probe GATEWAY [--mtu N] [--interface IF] [--interval S] [--count N] [--timeout S]</c>: one failover probe from the console. Exit code 0 =
/// traffic flows, 1 = dropped (a host would reconnect over TCP), 2 = the probe could not decide.
/// </summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var gatewayArgument = new Argument<string>("GATEWAY")
        {
            Description = "Gateway address (IPv4 or IPv6), or the tunnel's address in CIDR form (the gateway is its network + 1).",
        };
        var mtuOption = new Option<int>("--mtu")
        {
            Description = "Tunnel MTU; every echo request is exactly this large.",
            DefaultValueFactory = _ => 1400,
        };
        var interfaceOption = new Option<string?>("--interface")
        {
            Description = "Interface whose received-bytes counter decides (default: the one routing to the gateway).",
        };
        var intervalOption = new Option<double?>("--interval")
        {
            Description = "Seconds between echo requests (default from eduvpn.failover.interval, 2).",
        };
        var countOption = new Option<int?>("--count")
        {
            Description = "Echo requests at most (default from eduvpn.failover.count, 5).",
        };
        var timeoutOption = new Option<double?>("--timeout")
        {
            Description = "Seconds to wait for a reply to the first echo request before the others follow (default from eduvpn.failover.reply-timeout, 2).",
        };

        var command = new Command("probe", "Check whether traffic flows to a tunnel gateway (the failover probe).");
        command.Arguments.Add(gatewayArgument);
        command.Options.Add(mtuOption);
        command.Options.Add(interfaceOption);
        command.Options.Add(intervalOption);
        command.Options.Add(countOption);
        command.Options.Add(timeoutOption);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var gatewayText = parse.GetValue(gatewayArgument) ?? "";
            if (!TryGateway(gatewayText, out var gateway, out var error))
            {
                // The probe's own code: 2, it could not decide.
                throw new HostCommandException("invalid_gateway", error!, exitCode: 2);
            }
            // --config files override eduvpn.failover.* like every other default. The probe needs no
            // database, so no engine is started. The verdict is printed below; the actor's own log
            // lines would only repeat it.
            var config = HostCommands.ReadConfigFiles(parse)
                .WithFallback(Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
                .WithFallback(EngineConfiguration.Defaults());
            EngineConfiguration.Validate(config);
            var settings = FailoverSettings.FromConfig(config);
            var interval = parse.GetValue(intervalOption);
            var timeout = parse.GetValue(timeoutOption);
            var timing = settings.Timing with
            {
                Interval = interval is { } seconds ? TimeSpan.FromSeconds(seconds) : settings.Timing.Interval,
                Count = parse.GetValue(countOption) ?? settings.Timing.Count,
                ReplyTimeout = timeout is { } timeoutSeconds ? TimeSpan.FromSeconds(timeoutSeconds) : settings.Timing.ReplyTimeout,
            };
            var request = new StartProbe("console", gateway!, parse.GetValue(mtuOption), parse.GetValue(interfaceOption), timing);
            return await RunAsync(config, settings, request, parse.GetValue(HostCommands.JsonOption), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(Akka.Configuration.Config config, FailoverSettings settings, StartProbe request, bool json, CancellationToken cancellationToken)
    {
        using var system = ActorSystem.Create("probe", config);
        var probe = system.ActorOf(FailoverProbeActor.Props(request.ProbeId, settings), "failover-probe");
        var timing = request.Timing!;
        var limit = timing.ReplyTimeout + timing.Interval * timing.Count + TimeSpan.FromSeconds(10);
        if (!json)
        {
            HostConsole.Out.Line($"probing [bold]{request.Gateway}[/] with {timing.Count} echo requests of {request.Mtu} bytes ...");
        }

        // Ctrl+C cancels the probe; its verdict (Cancelled) still comes back through the Ask.
        await using var registration = cancellationToken.Register(() => probe.Tell(new CancelProbe(request.ProbeId)));
        ProbeVerdict verdict;
        try
        {
            verdict = await probe.Ask<ProbeVerdict>(request, limit, CancellationToken.None);
        }
        catch (AskTimeoutException)
        {
            throw new HostCommandException("timeout", "no verdict in time", exitCode: 2);
        }
        finally
        {
            await system.Terminate();
        }

        var exitCode = verdict.Outcome switch
        {
            ProbeOutcome.NotDropped => 0,
            ProbeOutcome.Dropped => 1,
            _ => 2,
        };
        if (json)
        {
            HostOutput.Json(new { gateway = request.Gateway.ToString(), request.Mtu, verdict });
            return exitCode;
        }
        var counter = verdict.RxBytesBefore is { } before
            ? $"rx bytes {before} → {(verdict.RxBytesAfter is { } after ? after.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not read")}"
            : "rx bytes not read";
        switch (verdict.Outcome)
        {
            case ProbeOutcome.NotDropped:
                HostConsole.Out.Line($"[green]not dropped[/]: {(verdict.ReplySeen ? "echo reply received" : "counter increased")} after {verdict.EchoesSent} echo(es), {verdict.ElapsedMs} ms, {counter}");
                return 0;
            case ProbeOutcome.Dropped:
                HostConsole.Out.Line($"[yellow]dropped[/]: no reply and the counter did not increase after {verdict.EchoesSent} echo(es), {verdict.ElapsedMs} ms, {counter}; reconnect over TCP");
                return 1;
            default:
                HostConsole.Out.Line($"[red]error ({verdict.Error?.Kind})[/]: {verdict.Error?.Message}");
                return 2;
        }
    }

    private static bool TryGateway(string text, out IPAddress? gateway, out string? error)
    {
        if (text.Contains('/', StringComparison.Ordinal))
        {
            // The same first-host rule (and the same strict CIDR parsing) as the engine's failover gateway.
            try
            {
                gateway = Gateway.Calculate(text);
                error = null;
                return true;
            }
            catch (ApiException e)
            {
                gateway = null;
                error = e.Message;
                return false;
            }
        }
        error = IPAddress.TryParse(text, out gateway) ? null : $"'{text}' is neither an IP address nor a CIDR";
        return error is null;
    }
}
