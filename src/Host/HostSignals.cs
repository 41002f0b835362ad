using System.Runtime.InteropServices;

namespace EduVpnActors.Host;

/// <summary>
/// Remembers which termination signal arrived, so a command cancelled by it ends with 130 (SIGINT) or
/// 143 (SIGTERM) rather than as an internal fault. It only watches: System.CommandLine cancels the command.
/// </summary>
internal static class HostSignals
{
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static volatile int _exitCode;

    /// <summary>130 or 143 once SIGINT or SIGTERM arrived, else null.</summary>
    public static int? ExitCode => _exitCode == 0 ? null : _exitCode;

    /// <summary>Starts watching (once per process).</summary>
    public static void Watch()
    {
        if (Registrations.Count > 0)
        {
            return;
        }
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => _exitCode = HostExit.Interrupted));
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => _exitCode = HostExit.Terminated));
    }
}
