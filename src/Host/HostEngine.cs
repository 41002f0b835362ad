using System.CommandLine;
using System.Reflection;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Facade;
using EduVpnActors.Actors.Hosting;
using EduVpnActors.Host.Output;
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

    /// <summary>The console host's version (without build metadata), for its User-Agent.</summary>
    public static string HostVersion { get; } =
        (typeof(HostEngine).Assembly.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0").Split('+')[0];

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
        // Read before anything starts: a file that is missing, includes itself or does not parse is a
        // configuration error naming the file; its keys are checked with the defaults when the engine starts.
        var files = HostCommands.ReadConfigFiles(parse);
        // No appsettings, environment or command-line sources: the console host is configured by its
        // own options only, and starts fast.
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        if (verbose)
        {
            // The engine's log on stderr (stdout is the command's result); akka.loglevel (INFO by default,
            // a --config file may say DEBUG) decides what Akka logs.
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Warning);
        }
        else
        {
            // Not shown: kept for the report of an internal fault (HostFailures), the only time it helps.
            builder.Logging.AddProvider(FaultLog.Instance);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Ctrl+C belongs to System.CommandLine (it cancels the command); the host only runs while a command does.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.Services.AddEduVpnEngine(options =>
        {
            options.DataDirectory = DataDirectoryOf(parse);
            // The console host is the host app of the User-Agent ("eduvpn-actors/0.1.0 EduVpnActors/0.1.0");
            // a --config file may name another.
            var hocon = new List<string>
            {
                "eduvpn.client.friendly-name = \"eduvpn-actors\"",
                $"eduvpn.client.version = \"{HostVersion}\"",
                // Signals belong to the command (HostSignals): it cancels the engine's operation, then stops the engine
                // itself. Akka's own hook would shut the engine down under the running operation at SIGINT/SIGTERM.
                "akka.coordinated-shutdown.run-by-clr-shutdown-hook = off",
            };
            if (!verbose)
            {
                // Akka's standard-out logger (before its loggers start and after they stop) stays silent.
                hocon.Add("akka.loglevel = WARNING\nakka.stdout-loglevel = OFF\nakka.log-config-on-start = off");
            }
            options.Hocon = string.Join('\n', hocon);
            // The files win over that (later files over earlier ones); --wait (it has a default) over the files.
            var lockWait = Akka.Configuration.ConfigurationFactory.ParseString(LockWaitHocon(parse));
            options.Config = lockWait.WithFallback(files);
        });
        var host = builder.Build();
        StartupTrace.Mark("generic host built");
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            StartupTrace.Mark("generic host started");
            FaultInjection.AfterEngineStart();
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

    /// <summary>--wait: how long a command waits for another engine to release the data directory.</summary>
    public static TimeSpan LockWaitOf(ParseResult parse)
    {
        var seconds = parse.GetValue(HostCommands.WaitOption);
        if (!double.IsFinite(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw new ArgumentException($"--wait must be a number of seconds, 0 or more, not {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }
        return TimeSpan.FromSeconds(seconds);
    }

    private static string LockWaitHocon(ParseResult parse) =>
        $"{Actors.Persistence.EngineStorage.LockWaitKey} = {(long)LockWaitOf(parse).TotalMilliseconds}ms";

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
