using Xunit.Abstractions;

namespace EduVpnActors.Tests.Support;

/// <summary>
/// The figures a test proves (cases, inputs, kills, losses, leaks). <c>dotnet test</c> hides the
/// output of passing tests, so they also go to the file named by <c>EDUVPN_TEST_FIGURES</c>, which
/// <c>.ci/run</c> prints after the run.
/// </summary>
internal static class Figures
{
    private static readonly Lock FileLock = new();

    public static void Report(ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        var path = Environment.GetEnvironmentVariable("EDUVPN_TEST_FIGURES");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        lock (FileLock)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }
}
