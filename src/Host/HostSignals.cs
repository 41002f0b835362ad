using System.Runtime.InteropServices;

namespace EduVpnActors.Host;

/// <summary>
/// SIGINT and SIGTERM end a command the same way: the process stays, <see cref="Token"/> (the command's token) is
/// cancelled, which cancels the engine's operation (the facade tells the engine), the command's engine stops by its
/// coordinated shutdown, and the host ends with "cancelled" and 130 (SIGINT) or 143 (SIGTERM). That stop is bounded:
/// after <see cref="StopBound"/>, or at a second signal, the process ends without waiting for the engine. A SIGINT the
/// shell ignores (a background job) stays ignored: the runtime installs no handler for it.
/// </summary>
internal static class HostSignals
{
    /// <summary>How long the command may take to end after a signal before the process ends without it.</summary>
    public static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);

    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static readonly CancellationTokenSource Cancellation = new();
    private static int _exitCode;
    private static Action<int, string>? _endNow;

    /// <summary>130 or 143 once SIGINT or SIGTERM arrived, else null.</summary>
    public static int? ExitCode => Volatile.Read(ref _exitCode) is var code && code != 0 ? code : null;

    /// <summary>Cancelled by the first SIGINT or SIGTERM: the token of every command.</summary>
    public static CancellationToken Token => Cancellation.Token;

    /// <summary>
    /// Starts watching (once per process); <paramref name="endNow"/> ends the process with the code (and says why, in
    /// English) when the command does not end within <see cref="StopBound"/> or a second signal arrives.
    /// </summary>
    public static void Watch(Action<int, string> endNow)
    {
        if (Registrations.Count > 0)
        {
            return;
        }
        _endNow = endNow;
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, HostExit.Interrupted)));
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, HostExit.Terminated)));
    }

    private static void OnSignal(PosixSignalContext context, int code)
    {
        // The runtime would end the process at once; the command ends it, after the engine has let go.
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref _exitCode, code, 0) != 0)
        {
            // A second signal: the user insists.
            _endNow?.Invoke(Volatile.Read(ref _exitCode), "a second signal: ended without waiting for the engine to stop");
            return;
        }
        // Off the signal thread: cancelling runs the registrations (the facade's cancel of the operation among them).
        _ = Task.Run(async () =>
        {
            await Cancellation.CancelAsync();
            await Task.Delay(StopBound);
            _endNow?.Invoke(code, $"the engine did not stop within {StopBound.TotalSeconds:0} seconds; ended without it");
        });
    }
}
