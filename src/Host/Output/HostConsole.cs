using System.Globalization;
using EduVpnActors.Actors.Display;
using Spectre.Console;

namespace EduVpnActors.Host.Output;

/// <summary>
/// The console host's two output streams. stdout carries the command's result only (its JSON
/// document, or its table and lines); messages for the user (the authorization URL, errors) go to
/// stderr. <see cref="Install"/> keeps the real stdout for the host and takes <see cref="Console.Out"/>
/// away from everyone else, so a library that writes to the console (Akka's standard-out logger before
/// and after its loggers run) can never put a stray line into a script's JSON.
/// </summary>
internal static class HostConsole
{
    /// <summary>Wide enough that a table in a pipe never wraps a URL mid-word.</summary>
    private const int PipeWidth = 4096;

    private static TextWriter? _stdout;
    private static IAnsiConsole? _out;
    private static IAnsiConsole? _error;

    /// <summary>The process's real standard output (the only writer of results).</summary>
    public static TextWriter Stdout => _stdout ?? Console.Out;

    /// <summary>Human-readable results on stdout.</summary>
    public static IAnsiConsole Out => _out ??= Create(Stdout, Console.IsOutputRedirected);

    /// <summary>Messages, warnings and errors on stderr.</summary>
    public static IAnsiConsole Error => _error ??= Create(Console.Error, Console.IsErrorRedirected);

    /// <summary>Whether stdout is a terminal (prompts and colours are for people; pipes get plain text).</summary>
    public static bool StdoutIsTerminal => !Console.IsOutputRedirected;

    /// <summary>
    /// Keeps the real stdout for results. Every other console write is a log line: on stderr with
    /// <paramref name="verbose"/>, else kept in the <see cref="FaultLog"/>. Call before any output.
    /// </summary>
    public static void Install(bool verbose)
    {
        if (_stdout is not null)
        {
            return;
        }
        _stdout = Console.Out;
        Console.SetOut(verbose ? Console.Error : FaultLog.Instance.Writer);
        AnsiConsole.Console = Out;
    }

    /// <summary>
    /// Writes one line of Spectre markup on <paramref name="console"/>. Every interpolated value is made
    /// safe first: control characters and escape sequences become visible (<see cref="TerminalText"/>)
    /// and markup brackets are escaped, so a server's display name or a user's argument is shown as data.
    /// </summary>
    public static void Line(this IAnsiConsole console, FormattableString markup) =>
        console.MarkupLine(SafeMarkup(markup));

    /// <summary>The markup of <paramref name="markup"/> with every interpolated value made safe (as <see cref="Line"/>).</summary>
    public static string SafeMarkup(FormattableString markup) =>
        string.Format(CultureInfo.CurrentCulture, markup.Format,
            markup.GetArguments().Select(argument => (object)new SafeArgument(argument)).ToArray());

    /// <summary>One table cell or markup fragment showing <paramref name="text"/> as data.</summary>
    public static string Cell(string? text) => Markup.Escape(TerminalText.Escape(text));

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = PipeWidth;
        }
        return console;
    }

    /// <summary>Formats like the value itself (so <c>{time:g}</c> keeps working), then escapes the result.</summary>
    private sealed class SafeArgument(object? value) : IFormattable
    {
        public string ToString(string? format, IFormatProvider? formatProvider) =>
            Cell(value is IFormattable formattable ? formattable.ToString(format, formatProvider) : value?.ToString());

        public override string ToString() => ToString(null, CultureInfo.CurrentCulture);
    }
}
