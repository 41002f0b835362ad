using System.CommandLine;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Host;
using EduVpnActors.Host.Output;

StartupTrace.Mark("main");
var root = HostCommands.Build();
var parse = root.Parse(args);
StartupTrace.Mark("command parsed");
var json = parse.GetValue(HostCommands.JsonOption);
var verbose = parse.GetValue(HostCommands.VerboseOption);
// Results go to the real stdout; every other console write (Akka's standard-out logger among them) is a
// log line: on stderr with --verbose, else kept for the report of an internal fault.
HostConsole.Install(verbose);
// A signal cancels the command (and so the engine's operation); should the engine not stop in time, this ends the process.
HostSignals.Watch((code, why) =>
{
    HostFailures.Report(new HostCommandException("cancelled", "cancelled", code) { Detail = why }, json, verbose);
    Environment.Exit(code);
});

// The last resort: an exception on a thread nobody waits for still ends in one typed line and exit 70,
// never in the runtime's abort (exit 134) with a stack trace.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    HostFailures.Report(e.ExceptionObject as Exception ?? new InvalidOperationException(e.ExceptionObject?.ToString()), json, verbose);
    Environment.Exit(HostExit.InternalFault);
};
TaskScheduler.UnobservedTaskException += (_, e) => e.SetObserved();

if (json && parse.Errors.Count > 0)
{
    // Scripts get the usage error as the one JSON document instead of help text on stdout.
    return HostFailures.Report(new HostCommandException("usage", string.Join("; ", parse.Errors.Select(e => e.Message))), json, verbose);
}

try
{
    return await parse.InvokeAsync(new InvocationConfiguration
    {
        EnableDefaultExceptionHandler = false,
        Output = HostConsole.Stdout,
        Error = Console.Error,
        // Signals are the host's (HostSignals): System.CommandLine would end the process 2 s after one, whatever the command does.
        ProcessTerminationTimeout = null,
    }, HostSignals.Token);
}
catch (Exception e)
{
    return HostFailures.Report(e, json, verbose);
}
finally
{
    StartupTrace.Mark("exit");
}
