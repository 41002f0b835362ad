using System.ComponentModel;
using System.Diagnostics;
using EduVpnActors.Actors.Display;

namespace EduVpnActors.Host.Browser;

/// <summary>
/// Opens an authorization URL in the user's default browser (client rule 8): <c>xdg-open</c> on Linux
/// and the BSDs, <c>open</c> on macOS, the shell on Windows. When none is available (a server without
/// a desktop, an SSH session) or it fails, the URL is printed for the user to open elsewhere.
/// </summary>
internal static class SystemBrowser
{
    /// <summary>
    /// Opens <paramref name="url"/> or prints it to <paramref name="output"/> (stderr by default: stdout is the
    /// command's result); true when a browser was started. The URL is the server's: printed made safe.
    /// </summary>
    public static bool OpenOrPrint(Uri url, TextWriter? output = null)
    {
        output ??= Console.Error;
        if (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http"))
        {
            // Only web URLs go to a launcher: anything else could start a local program.
            output.WriteLine($"Refusing to open a non-web URL: {TerminalText.Escape(url.Scheme)}:");
            return false;
        }
        if (TryLaunch(url))
        {
            output.WriteLine("Your browser was opened to sign in. If it did not appear, open this URL:");
            output.WriteLine(TerminalText.Escape(url.AbsoluteUri));
            return true;
        }
        output.WriteLine("Open this URL in a browser to sign in:");
        output.WriteLine(TerminalText.Escape(url.AbsoluteUri));
        return false;
    }

    private static bool TryLaunch(Uri url)
    {
        ProcessStartInfo start;
        if (OperatingSystem.IsWindows())
        {
            start = new ProcessStartInfo(url.AbsoluteUri) { UseShellExecute = true };
        }
        else if (OperatingSystem.IsMacOS())
        {
            start = new ProcessStartInfo("open") { ArgumentList = { url.AbsoluteUri } };
        }
        else
        {
            if (!HasDisplay() || FindOnPath("xdg-open") is not { } xdgOpen)
            {
                return false;
            }
            start = new ProcessStartInfo(xdgOpen) { ArgumentList = { url.AbsoluteUri } };
        }
        start.RedirectStandardOutput = !start.UseShellExecute;
        start.RedirectStandardError = !start.UseShellExecute;
        try
        {
            using var process = Process.Start(start);
            return process is not null;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or FileNotFoundException)
        {
            return false;
        }
    }

    private static bool HasDisplay() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));

    private static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
