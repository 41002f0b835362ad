using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Host.Output;
using Spectre.Console;

namespace EduVpnActors.Host;

/// <summary>
/// A failed command, as the user and scripts see it: the exit code, a snake_case <see cref="Kind"/>, a
/// message to show, extra JSON fields, and hints (lines for people only).
/// </summary>
internal sealed record HostFailure(int ExitCode, string Kind, string Message, IReadOnlyList<KeyValuePair<string, object?>> Fields, IReadOnlyList<FormattableString> Hints)
{
    /// <summary>Technical text (English) shown after the message, or null.</summary>
    public string? Detail { get; init; }
}

/// <summary>
/// The one place where a command's failure becomes output and an exit code. Every exception that leaves a
/// command lands here (Program.cs), typed ones with their documented code, anything else as an internal
/// fault (70) in one line: never a stack trace unless <c>--verbose</c>. Under <c>--json</c> the failure is
/// the process's JSON document: <c>{"error": {"kind": ..., "message": ..., ...}}</c>.
/// </summary>
internal static class HostFailures
{
    /// <summary>Reports <paramref name="exception"/> and returns the exit code to end with.</summary>
    public static int Report(Exception exception, bool json, bool verbose)
    {
        var failure = Classify(exception, HostSignals.ExitCode);
        Write(failure, json);
        if (failure.ExitCode == HostExit.InternalFault)
        {
            // Only now is the engine's own log of interest: the lines it kept explain the fault.
            foreach (var line in FaultLog.Instance.Lines)
            {
                Console.Error.WriteLine(line);
            }
            if (verbose)
            {
                Console.Error.WriteLine(exception.ToString());
            }
        }
        return failure.ExitCode;
    }

    /// <summary>The failure <paramref name="exception"/> stands for.</summary>
    /// <param name="exception">What ended the command.</param>
    /// <param name="signalExitCode">130 or 143 when SIGINT or SIGTERM arrived (the cancellation it caused is no fault).</param>
    public static HostFailure Classify(Exception exception, int? signalExitCode = null) => exception switch
    {
        HostCommandException e => new(e.ExitCode, e.Kind, e.Message, e.Detail is null ? [] : [new("detail", e.Detail)], []) { Detail = e.Detail },
        EduVpnException e => Engine(e),
        StorageException e => Storage(e),
        OperationCanceledException when signalExitCode is { } code => new(code, "cancelled", "cancelled", [], []),
        EngineConfigurationException e => new(HostExit.Usage, "configuration", e.Message, [new("key", e.Key), new("file", e.File)], []),
        // connect -o over one of the engine's own files (its message is translated).
        EngineFileException e => new(HostExit.Usage, "engine_file", e.Message, [new("file_kind", e.Kind), new("path", e.Path)], []),
        // A safety net: the engine answers every request (typed errors included), so this is a lost reply, an
        // engine error like the others, never an unhandled exception.
        Akka.Actor.AskTimeoutException => new(HostExit.Engine, "timeout", "the engine did not answer in time", [], []) { Detail = exception.Message },
        Akka.Configuration.ConfigurationException e => new(HostExit.Usage, "configuration", e.Message, [], []),
        ArgumentException or IOException or UnauthorizedAccessException => new(HostExit.Usage, "input", exception.Message, [], []),
        _ => new(HostExit.InternalFault, "internal", $"internal error ({exception.GetType().Name}): {FirstLine(exception.Message)}", [],
            [Hint($"This is a bug in eduvpn-actors. Run the command again with [bold]--verbose[/] for the details.")]),
    };

    private static HostFailure Engine(EduVpnException e) =>
        new(HostExit.Engine, HostOutput.Snake(e.Kind), e.LocalizedMessage,
        [
            new("detail", e.Message),
            new("session", e.Error.Session?.Kind),
            new("http_status", e.Error.Session?.HttpStatus),
            new("transport", e.Error.Session?.Transport),
            // Client rule 32: what the server itself said, as data (escaped by whoever prints it).
            new("server_message", e.ServerMessage),
        ],
        e.ServerMessage is { } said ? [Hint($"the server said: {said}")] : [])
        {
            Detail = $"{e.Kind}: {e.Message}",
        };

    private static HostFailure Storage(StorageException e)
    {
        var hints = new List<FormattableString>();
        if (e.Kind == StorageProblemKind.TokenKeyDamaged)
        {
            // repair checks the database only; the key file is moved by hand (its message says what that costs).
            hints.Add($"For example: [bold]mv '{e.DatabasePath}' '{e.DatabasePath}.damaged'[/]");
        }
        else if (e.CanMoveAside)
        {
            hints.Add($"Run [bold]eduvpn-actors repair --move-aside[/] to keep the damaged file aside and start fresh.");
        }
        // A damaged store is never reset silently: say what is wrong and how to get out. Another engine
        // holding the data directory longer than --wait is its own code (5).
        return new(e.Kind == StorageProblemKind.DataDirectoryInUse ? HostExit.DataDirectoryInUse : HostExit.StorageUnusable, "storage", ErrorTexts.For(e.Kind),
            [new("problem", e.Kind), new("path", e.DatabasePath), new("detail", e.Message), new("can_move_aside", e.CanMoveAside)], hints)
        {
            Detail = e.Message,
        };
    }

    private static void Write(HostFailure failure, bool json)
    {
        if (json)
        {
            var error = new Dictionary<string, object?> { ["kind"] = failure.Kind, ["message"] = failure.Message };
            foreach (var (name, value) in failure.Fields)
            {
                error[name] = value;
            }
            HostOutput.Json(new Dictionary<string, object?> { ["error"] = error });
            return;
        }
        var console = HostConsole.Error;
        console.Line($"[red]{failure.Message}[/]");
        if (failure.Detail is { } detail && detail != failure.Message)
        {
            console.Line($"[grey]({detail})[/]");
        }
        foreach (var hint in failure.Hints)
        {
            console.Line(hint);
        }
    }

    private static FormattableString Hint(FormattableString markup) => markup;

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
