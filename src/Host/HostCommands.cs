using System.CommandLine;
using EduVpnActors.Actors.Configuration;
using Spectre.Console;

namespace EduVpnActors.Host;

/// <summary>The console host's command tree.</summary>
internal static class HostCommands
{
    public static readonly Option<DirectoryInfo?> DataDirOption = new("--data-dir")
    {
        Description = "Directory of the engine's SQLite database (default: $XDG_DATA_HOME/eduvpn-actors).",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("EduVpnActors: an eduVPN client engine on Akka.NET, driven by hand.");
        root.Options.Add(DataDirOption);
        var info = new Command("info", "Show where the engine keeps its data.");
        info.SetAction(parse =>
        {
            var dir = parse.GetValue(DataDirOption)?.FullName ?? DataDirectory.Default();
            AnsiConsole.MarkupLineInterpolated($"data directory: [bold]{dir}[/]");
            return 0;
        });
        root.Subcommands.Add(info);
        root.Subcommands.Add(Commands.ProbeCommand.Create());
        return root;
    }
}
