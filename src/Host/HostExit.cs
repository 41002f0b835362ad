namespace EduVpnActors.Host;

/// <summary>The console host's exit codes (documented in the README's console section).</summary>
internal static class HostExit
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>Usage, configuration (<c>--config</c>) or input error: fix the command line or the file.</summary>
    public const int Usage = 1;

    /// <summary>The engine refused or failed the operation (a typed <c>EduVpnException</c>).</summary>
    public const int Engine = 2;

    /// <summary><c>repair</c> found a problem (and did not fix it).</summary>
    public const int RepairFoundProblem = 3;

    /// <summary>The storage cannot be used (damaged, locked, newer, no permission).</summary>
    public const int StorageUnusable = 4;

    /// <summary>Another engine holds the data directory.</summary>
    public const int DataDirectoryInUse = 5;

    /// <summary>The engine asked a question the host cannot ask (no terminal, or <c>--json</c>).</summary>
    public const int QuestionCannotBeAsked = 6;

    /// <summary>ProxyGuard failed fatally.</summary>
    public const int ProxyGuardFatal = 7;

    /// <summary>An internal fault the host did not expect (a bug): one line, no stack trace unless <c>--verbose</c>.</summary>
    public const int InternalFault = 70;

    /// <summary>Interrupted by SIGINT (Ctrl+C).</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM.</summary>
    public const int Terminated = 143;
}
