using System.CommandLine;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Host;
using Spectre.Console;

StartupTrace.Mark("main");
var root = HostCommands.Build();
try
{
    var parse = root.Parse(args);
    StartupTrace.Mark("command parsed");
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
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
    return 4;
}
catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or Akka.Configuration.ConfigurationException)
{
    AnsiConsole.MarkupLineInterpolated($"[red]error[/]: {e.Message}");
    return 1;
}
finally
{
    StartupTrace.Mark("exit");
}
