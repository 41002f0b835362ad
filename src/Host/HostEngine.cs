using System.CommandLine;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Hosting;

namespace EduVpnActors.Host;

/// <summary>One engine for the duration of one console command.</summary>
internal sealed class HostEngine : IAsyncDisposable
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(90);

    private HostEngine(ActorSystem system, EngineRuntime runtime)
    {
        System = system;
        Runtime = runtime;
    }

    public ActorSystem System { get; }
    public EngineRuntime Runtime { get; }

    public static Task<HostEngine> StartAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dataDir = parse.GetValue(HostCommands.DataDirOption)?.FullName ?? DataDirectory.Default();
        var overrides = Config.Empty;
        foreach (var file in parse.GetValue(HostCommands.ConfigOption) ?? [])
        {
            overrides = ConfigurationFactory.ParseString(File.ReadAllText(file.FullName)).WithFallback(overrides);
        }
        var system = EngineSystem.Create(dataDir, overrides);
        var runtime = EngineRuntime.Start(system, EngineSystem.UserAgent(system.Settings.Config));
        return Task.FromResult(new HostEngine(system, runtime));
    }

    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        Runtime.Dispose();
    }
}
