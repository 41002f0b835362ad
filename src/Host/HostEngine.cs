using System.CommandLine;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EduVpnActors.Host;

/// <summary>
/// The engine for one console command: a generic host with <see cref="ServiceCollectionExtensions.AddEduVpnEngine"/>,
/// configured from --data-dir, --config and --verbose, stopped after the command.
/// </summary>
internal sealed class HostEngine : IAsyncDisposable
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(90);

    private readonly IHost _host;

    private HostEngine(IHost host)
    {
        _host = host;
        Engine = host.Services.GetRequiredService<EduVpnEngine>();
    }

    /// <summary>The facade the commands drive.</summary>
    public EduVpnEngine Engine { get; }

    /// <summary>The actors, for commands that talk to them directly.</summary>
    public EngineRuntime Runtime => Engine.Runtime;

    public static async Task<HostEngine> StartAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var verbose = parse.GetValue(HostCommands.VerboseOption);
        // No appsettings, environment or command-line sources: the console host is configured by its
        // own options only, and starts fast.
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        // The commands print what matters on stdout themselves; the engine's log goes to stderr.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // With --verbose, akka.loglevel (INFO by default, a --config file may say DEBUG) decides what Akka logs.
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Trace : LogLevel.Error);
        // A failed start is reported by the command (Program.cs); the host's own account of it and its
        // lifetime messages are noise on a console.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", verbose ? LogLevel.Warning : LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Ctrl+C belongs to System.CommandLine (it cancels the command); the host only runs while a command does.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.Services.AddEduVpnEngine(options =>
        {
            options.DataDirectory = DataDirectoryOf(parse);
            var hocon = new List<string>();
            if (!verbose)
            {
                hocon.Add("akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR\nakka.log-config-on-start = off");
            }
            // Later files win over earlier ones (as with the former EduVpnEngine.Start overrides).
            hocon.AddRange((parse.GetValue(HostCommands.ConfigOption) ?? []).Select(file => File.ReadAllText(file.FullName)));
            options.Hocon = string.Join('\n', hocon);
        });
        var host = builder.Build();
        StartupTrace.Mark("generic host built");
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            StartupTrace.Mark("generic host started");
            return new HostEngine(host);
        }
        catch
        {
            try
            {
                await StopAsync(host).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A half-started host may fail to stop; the start failure is what the user needs to see.
            }
            throw;
        }
    }

    public static string DataDirectoryOf(ParseResult parse) =>
        parse.GetValue(HostCommands.DataDirOption)?.FullName ?? DataDirectory.Default();

    /// <summary>Stops the host: the actor system's coordinated shutdown, then the services (the facade among them).</summary>
    public ValueTask DisposeAsync() => new(StopAsync(_host));

    private static async Task StopAsync(IHost host)
    {
        try
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                host.Dispose();
            }
        }
    }

    /// <summary>A lifetime without console hooks: the command, not the host, decides when to stop.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
