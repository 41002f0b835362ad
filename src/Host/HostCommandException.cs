namespace EduVpnActors.Host;

/// <summary>
/// A failure the console host finds itself, typically in the command line before any engine starts
/// (an unknown server type, an invalid URL). <see cref="Kind"/> is the snake_case <c>kind</c> of the
/// JSON error; the message is shown as it is.
/// </summary>
internal sealed class HostCommandException(string kind, string message, int exitCode = HostExit.Usage) : Exception(message)
{
    /// <summary>What went wrong, for scripts (e.g. <c>usage</c>, <c>invalid_url</c>).</summary>
    public string Kind { get; } = kind;

    /// <summary>The exit code the host ends with.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>Technical English detail shown after the message (and as <c>detail</c> in JSON), or null.</summary>
    public string? Detail { get; init; }
}
