using System.CommandLine;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Host.Output;
using Spectre.Console;

namespace EduVpnActors.Host.Commands;

/// <summary><c>repair</c>: check the database and, when asked, move a damaged one aside so the engine can start fresh.</summary>
internal static class StorageCommands
{
    public static Command Repair()
    {
        var moveAside = new Option<bool>("--move-aside") { Description = "Rename a corrupt or too-new database to <name>.damaged-<time> (nothing is deleted)." };
        var command = new Command("repair", "Check the engine's database; a damaged one can be moved aside.") { moveAside };
        command.SetAction(parse =>
        {
            var dataDir = HostEngine.DataDirectoryOf(parse);
            // Repair respects the engine lock: it never checks or moves a database an engine is using
            // (a missing directory holds nothing to lock or repair).
            using var held = Directory.Exists(dataDir) ? DataDirectoryLock.Acquire(dataDir, HostEngine.LockWaitOf(parse)) : null;
            // The database a --config file names (a plain file name in the data directory), else the default one.
            var settings = HostCommands.ReadConfigFiles(parse).WithFallback(EngineConfiguration.Defaults());
            var fileName = EngineFiles.RequirePlainFileName("eduvpn.database-file-name", settings.GetString("eduvpn.database-file-name"));
            var result = StorageHealth.Check(dataDir, fileName);
            var json = parse.GetValue(HostCommands.JsonOption);
            if (result.IsHealthy)
            {
                Report(json, new { healthy = true, database = result.DatabasePath }, $"[green]healthy[/]: {result.DatabasePath}");
                return HostExit.Ok;
            }
            var error = result.ToException();
            if (!parse.GetValue(moveAside) || !error.CanMoveAside)
            {
                var hint = !error.CanMoveAside
                    ? "This problem is not fixed by moving the file (free the lock, fix the permissions, or upgrade the engine)."
                    : "Run [bold]repair --move-aside[/] to keep the damaged file and start fresh (discovery recovers from the bundled copy; servers must be added again).";
                Report(json, new { healthy = false, database = result.DatabasePath, problem = result.Problem, message = result.Message, can_move_aside = error.CanMoveAside },
                    $"[red]{result.Problem}[/]: {result.Message}");
                if (!json)
                {
                    HostConsole.Out.MarkupLine(hint);
                }
                return HostExit.RepairFoundProblem;
            }
            var moved = StorageHealth.MoveAside(result.DatabasePath);
            Report(json, new { healthy = false, database = result.DatabasePath, problem = result.Problem, message = result.Message, moved_to = moved },
                $"[red]{result.Problem}[/]: {result.Message}; moved to {moved}");
            return HostExit.Ok;
        });
        return command;
    }

    private static void Report(bool json, object value, FormattableString markup)
    {
        if (json)
        {
            HostOutput.Json(value);
        }
        else
        {
            HostConsole.Out.Line(markup);
        }
    }
}
