using System.CommandLine;
using Akka.Actor;
using EduVpnActors.Actors.Import;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Host.Output;
using Spectre.Console;

namespace EduVpnActors.Host.Commands;

/// <summary><c>import-state PATH [--apply]</c>: shows (and with <c>--apply</c> stores) what an eduvpn-common state holds.</summary>
internal static class ImportStateCommand
{
    private static readonly Argument<FileInfo> PathArgument = new("path") { Description = "eduvpn-common's state.json (v1 or v2)." };
    private static readonly Option<bool> ApplyOption = new("--apply") { Description = "Store the servers and choices (without it: a dry run that changes nothing)." };

    public static Command Create()
    {
        var command = new Command("import-state", "Import the servers, choices and times of an eduvpn-common state.json.");
        command.Arguments.Add(PathArgument);
        command.Options.Add(ApplyOption);
        command.SetAction(async (parse, ct) =>
        {
            var json = parse.GetValue(HostCommands.JsonOption);
            var apply = parse.GetValue(ApplyOption);
            byte[] bytes;
            try
            {
                // The reader's own file checks (regular file, size cap, no FIFO) run first; the registry gets the bytes.
                bytes = ReadState(parse.GetValue(PathArgument)!.FullName);
            }
            catch (StateImportException e)
            {
                throw Failure(RegistryErrorKind.ImportFailed, e.Message);
            }

            await using var engine = await HostEngine.StartAsync(parse, ct);
            var reply = await engine.Runtime.Registry.Ask<object>(
                new ImportEduVpnCommonState(Guid.NewGuid().ToString("N"), bytes, apply), HostEngine.AskTimeout, ct);
            switch (reply)
            {
                case StateImported imported:
                    Print(json, imported);
                    return 0;
                case RegistryRequestFailed failed:
                    throw Failure(failed.Kind, failed.Message);
                default:
                    throw Failure(RegistryErrorKind.InvalidRequest, $"unexpected reply {reply.GetType().Name}");
            }
        });
        return command;
    }

    private static byte[] ReadState(string path)
    {
        // Validates (size, type, JSON) exactly as the registry will, and gives a clean error before the engine starts.
        EduVpnCommonStateReader.ReadFile(path);
        return File.ReadAllBytes(path);
    }

    private static void Print(bool json, StateImported imported)
    {
        if (json)
        {
            HostOutput.Json(new
            {
                applied = imported.Applied,
                format_version = imported.FormatVersion,
                servers_added = imported.ServersAdded,
                servers_already_known = imported.ServersAlreadyKnown,
                plan = imported.Plan,
            });
            return;
        }
        var table = new Table().AddColumns("#", "Plan");
        var line = 0;
        foreach (var item in imported.Plan)
        {
            table.AddRow((++line).ToString(System.Globalization.CultureInfo.InvariantCulture), HostConsole.Cell(item));
        }
        HostConsole.Out.Write(table);
        if (imported.Applied)
        {
            HostConsole.Out.Line($"[green]imported: {imported.ServersAdded} server(s) added, {imported.ServersAlreadyKnown} already known[/]");
        }
        else
        {
            HostConsole.Out.Line($"[grey]dry run: {imported.ServersAdded} server(s) would be added, {imported.ServersAlreadyKnown} already known; nothing changed (use --apply)[/]");
        }
    }

    /// <summary>An import that cannot be done: an input error (exit 1) named by the registry's kind.</summary>
    private static HostCommandException Failure(RegistryErrorKind kind, string message) =>
        new(HostOutput.Snake(kind), $"{kind}: {message}");
}
