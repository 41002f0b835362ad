using System.CommandLine;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;
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
            // [storage] repair respects the engine lock: it never checks or moves a database an engine is using
            // (a missing directory holds nothing to lock or repair).
            using var held = Directory.Exists(dataDir) ? DataDirectoryLock.Acquire(dataDir, HostEngine.LockWaitOf(parse)) : null;
            var result = StorageHealth.Check(dataDir, EngineConfiguration.Defaults().GetString("eduvpn.database-file-name"));
            if (result.IsHealthy)
            {
                AnsiConsole.MarkupLineInterpolated($"[green]healthy[/]: {result.DatabasePath}");
                return 0;
            }
            AnsiConsole.MarkupLineInterpolated($"[red]{result.Problem}[/]: {result.Message}");
            var error = result.ToException();
            if (!parse.GetValue(moveAside))
            {
                if (error.CanMoveAside)
                {
                    AnsiConsole.MarkupLine("Run [bold]repair --move-aside[/] to keep the damaged file and start fresh (discovery recovers from the bundled copy; servers must be added again).");
                }
                return 3;
            }
            if (!error.CanMoveAside)
            {
                AnsiConsole.MarkupLine("This problem is not fixed by moving the file (free the lock, fix the permissions, or upgrade the engine).");
                return 3;
            }
            var moved = StorageHealth.MoveAside(result.DatabasePath);
            AnsiConsole.MarkupLineInterpolated($"moved to {moved}");
            return 0;
        });
        return command;
    }
}
