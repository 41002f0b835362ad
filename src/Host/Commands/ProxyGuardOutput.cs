using System.Globalization;
using EduVpnActors.Actors.Display;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Host.Output;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Host.Commands;

/// <summary>
/// A ProxyGuard client running in the foreground as the console shows it (<c>proxyguard</c>, <c>connect --run-proxy</c>):
/// a line per state change as it happens, escaped (a server's words are data), on <paramref name="lines"/>, and with
/// <c>--json</c> one document at the end on stdout: <see cref="Head"/>, the proxy, its states, the exit code and the error.
/// </summary>
/// <param name="json">Whether stdout holds the one JSON document (written by <see cref="Fatal"/> or <see cref="Stopped"/>).</param>
/// <param name="lines">Where the lines go (never stdout with --json).</param>
/// <param name="culture">The language of the error texts (null: the current one).</param>
internal sealed class ProxyGuardOutput(bool json, TextWriter lines, CultureInfo? culture = null)
{
    private readonly List<object> _states = [];
    private object? _ready;

    /// <summary>Fields that open the JSON document (what the run belongs to).</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Head { get; init; } = [];

    /// <summary>The proxy is set up: where it listens, where WireGuard is, the peer and its addresses.</summary>
    public void Ready(ProxyGuardReady ready, string peer, int wireGuardPort)
    {
        _ready = new { listen_port = ready.ListenPort, wireguard_port = wireGuardPort, peer, peer_ips = ready.PeerIps.Select(ip => ip.ToString()) };
        Line($"listening on 127.0.0.1:{ready.ListenPort} for WireGuard at 127.0.0.1:{wireGuardPort}; peer {peer} ({string.Join(", ", ready.PeerIps)})");
    }

    /// <summary>Records a state change and shows the ones a person follows (its end is told by <see cref="Fatal"/> or <see cref="Stopped"/>).</summary>
    public void State(ProxyGuardStateChanged change)
    {
        lock (_states)
        {
            _states.Add(new
            {
                phase = change.Phase,
                change.Attempt,
                error = change.Error is { } e ? new { e.Kind, message = Text(e), detail = e.Message } : null,
                retry_in_seconds = change.RetryIn?.TotalSeconds,
                change.Server,
            });
        }
        var text = change.Phase switch
        {
            ProxyGuardPhase.WaitingForTraffic => $"waiting for traffic (attempt {change.Attempt})",
            ProxyGuardPhase.Connecting => $"connecting (attempt {change.Attempt})",
            ProxyGuardPhase.Connected => $"connected to {change.Server} (attempt {change.Attempt})",
            ProxyGuardPhase.Reconnecting => string.Create(CultureInfo.InvariantCulture,
                $"reconnecting in {change.RetryIn!.Value.TotalSeconds:0.###} s: {Text(change.Error!)} ({change.Error!.Kind}: {change.Error.Message})"),
            _ => null,
        };
        if (text is not null)
        {
            Line(text);
        }
    }

    /// <summary>Tells the fatal end (translated, with the technical detail) and returns exit code 7.</summary>
    public int Fatal(ProxyGuardError error)
    {
        Line($"failed: {Text(error)} ({error.Kind}: {error.Message})");
        return End(HostExit.ProxyGuardFatal, new { kind = error.Kind, message = Text(error), detail = error.Message });
    }

    /// <summary>Tells a clean stop (by SIGINT, SIGTERM, or the engine) and returns <paramref name="code"/>.</summary>
    public int Stopped(int code)
    {
        Line(code switch
        {
            HostExit.Terminated => "stopped (SIGTERM)",
            HostExit.Interrupted => "stopped (SIGINT)",
            _ => "stopped",
        });
        return End(code, null);
    }

    private int End(int code, object? error)
    {
        if (json)
        {
            var document = new Dictionary<string, object?>(Head);
            lock (_states)
            {
                document["proxy"] = _ready;
                document["states"] = _states.ToArray();
            }
            document["exit_code"] = code;
            document["error"] = error;
            HostOutput.Json(document);
        }
        return code;
    }

    private string Text(ProxyGuardError error) => ErrorTexts.For(error.Kind, culture);

    private void Line(string text)
    {
        lock (lines)
        {
            lines.WriteLine("proxyguard: " + TerminalText.Escape(text));
            lines.Flush();
        }
    }
}
