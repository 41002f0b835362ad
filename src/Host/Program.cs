using System.CommandLine;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Host;
using Spectre.Console;

var root = HostCommands.Build();
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (StorageException e)
{
    // A damaged store is never reset silently: say what is wrong and how to get out.
    AnsiConsole.MarkupLineInterpolated($"[red]{ErrorTexts.For(e.Kind)}[/] ({e.Message})");
    if (e.Kind == StorageProblemKind.TokenKeyDamaged)
    {
        // repair checks the database only; the key file is moved by hand (its message says what that costs).
        AnsiConsole.MarkupLineInterpolated($"For example: [bold]mv '{e.DatabasePath}' '{e.DatabasePath}.damaged'[/]");
    }
    else if (e.CanMoveAside)
    {
        AnsiConsole.MarkupLine("Run [bold]eduvpn-actors repair --move-aside[/] to keep the damaged file aside and start fresh.");
    }
    // [storage] 5: another engine held the data directory for longer than --wait (documented in the README).
    return e.Kind == StorageProblemKind.DataDirectoryInUse ? 5 : 4;
}
catch (Akka.Actor.AskTimeoutException e)
{
    // [storage] a safety net: the engine answers every request (typed errors included), so this means a lost reply;
    // it is an engine error like the others (exit 2), never an unhandled exception.
    AnsiConsole.MarkupLineInterpolated($"[red]error[/]: the engine did not answer in time ({e.Message})");
    return 2;
}
catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or Akka.Configuration.ConfigurationException)
{
    AnsiConsole.MarkupLineInterpolated($"[red]error[/]: {e.Message}");
    return 1;
}
