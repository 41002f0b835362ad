namespace EduVpnActors.Host;

/// <summary>
/// A diagnostic for the last-resort handling (README, "Exit codes"): with <c>EDUVPN_ACTORS_INJECT_FAULT</c>
/// set, a command fails the way a bug would once its engine is up, so the tests can show that the host
/// still ends in one typed line and exit 70. <c>command</c> throws in the command, <c>thread</c> on a
/// thread nobody waits for. Unset (always, outside those tests) it does nothing.
/// </summary>
internal static class FaultInjection
{
    /// <summary>The environment variable that names the fault.</summary>
    public const string Variable = "EDUVPN_ACTORS_INJECT_FAULT";

    /// <summary>Called once the engine of a command has started.</summary>
    public static void AfterEngineStart()
    {
        switch (Environment.GetEnvironmentVariable(Variable))
        {
            case "command":
                throw new InvalidOperationException("injected fault in the command (" + Variable + ")");
            case "thread":
                var thread = new Thread(() => throw new InvalidOperationException("injected fault on a background thread (" + Variable + ")"))
                {
                    IsBackground = true,
                };
                thread.Start();
                thread.Join();
                break;
        }
    }
}
