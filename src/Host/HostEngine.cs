using System.CommandLine;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Hosting;

namespace EduVpnActors.Host;

/// <summary>The engine for one console command: started from --data-dir and --config, shut down after.</summary>
internal sealed class HostEngine : IAsyncDisposable
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(90);

    private HostEngine(EduVpnEngine engine) => Engine = engine;

    /// <summary>The facade the commands drive.</summary>
    public EduVpnEngine Engine { get; }

    /// <summary>The actors, for commands that talk to them directly.</summary>
    public EngineRuntime Runtime => Engine.Runtime;

    public static Task<HostEngine> StartAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dataDir = DataDirectoryOf(parse);
        // The commands print what matters themselves; the engine's log is for --verbose.
        var overrides = parse.GetValue(HostCommands.VerboseOption)
            ? Config.Empty
            : ConfigurationFactory.ParseString("akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR\nakka.log-config-on-start = off");
        foreach (var file in parse.GetValue(HostCommands.ConfigOption) ?? [])
        {
            overrides = ConfigurationFactory.ParseString(File.ReadAllText(file.FullName)).WithFallback(overrides);
        }
        return Task.FromResult(new HostEngine(EduVpnEngine.Start(new EduVpnEngineOptions(dataDir, overrides))));
    }

    public static string DataDirectoryOf(ParseResult parse) =>
        parse.GetValue(HostCommands.DataDirOption)?.FullName ?? DataDirectory.Default();

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
