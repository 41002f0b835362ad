using System.CommandLine;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Host.Commands;
using EduVpnActors.Host.Output;

namespace EduVpnActors.Host;

/// <summary>The console host's command tree.</summary>
internal static class HostCommands
{
    public static readonly Option<DirectoryInfo?> DataDirOption = new("--data-dir")
    {
        Description = "Directory of the engine's SQLite database (default: $EDUVPN_ACTORS_DATA_DIR, else $XDG_DATA_HOME/eduvpn-actors).",
        Recursive = true,
    };

    public static readonly Option<FileInfo[]> ConfigOption = new("--config")
    {
        Description = "HOCON file(s) whose keys override the engine defaults (e.g. eduvpn.discovery.base-url).",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print machine-readable JSON instead of tables.",
        Recursive = true,
    };

    public static readonly Option<double> WaitOption = new("--wait")
    {
        Description = "Seconds to wait while another engine uses the data directory (then exit code 5).",
        Recursive = true,
        DefaultValueFactory = _ => 5,
    };

    public static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "Show the engine's own log (warnings and information) on the console.",
        Recursive = true,
    };

    /// <summary>The <c>--config</c> files, read in order (a later file wins).</summary>
    /// <exception cref="EngineConfigurationException">A file is missing, includes itself or does not parse.</exception>
    public static Akka.Configuration.Config ReadConfigFiles(ParseResult parse) =>
        HoconFiles.Read((parse.GetValue(ConfigOption) ?? []).Select(file => file.FullName));

    public static RootCommand Build()
    {
        var root = new RootCommand("EduVpnActors: an eduVPN client engine on Akka.NET, driven by hand.");
        root.Options.Add(DataDirOption);
        root.Options.Add(ConfigOption);
        root.Options.Add(JsonOption);
        root.Options.Add(VerboseOption);
        root.Options.Add(WaitOption);
        var info = new Command("info", "Show where the engine keeps its data.");
        info.SetAction(parse =>
        {
            var dir = parse.GetValue(DataDirOption)?.FullName ?? DataDirectory.Default();
            if (parse.GetValue(JsonOption))
            {
                HostOutput.Json(new { data_directory = dir });
            }
            else
            {
                HostConsole.Out.Line($"data directory: [bold]{dir}[/]");
            }
            return HostExit.Ok;
        });
        root.Subcommands.Add(info);
        root.Subcommands.Add(DiscoveryCommands.Servers());
        root.Subcommands.Add(DiscoveryCommands.Organizations());
        root.Subcommands.Add(Commands.ProbeCommand.Create());
        root.Subcommands.Add(ProxyGuardCommand.Create());
        root.Subcommands.Add(ImportStateCommand.Create());
        foreach (var command in ClientCommands.All())
        {
            root.Subcommands.Add(command);
        }
        root.Subcommands.Add(StorageCommands.Repair());
        return root;
    }
}
