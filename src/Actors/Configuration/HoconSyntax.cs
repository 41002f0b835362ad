namespace EduVpnActors.Actors.Configuration;

/// <summary>
/// The lexical checks Akka's HOCON parser does not make (it accepts unbalanced brackets, may loop on
/// them, and ignores include forms it does not know): brackets outside strings and comments must balance,
/// a quoted string must end on its line, and only <c>include "file"</c> is an include.
/// </summary>
internal static class HoconSyntax
{
    private static readonly string[] UnsupportedIncludes = ["file(", "required(", "url(", "classpath("];

    /// <param name="text">The HOCON.</param>
    /// <param name="file">The file it came from, or null for text without a file.</param>
    /// <exception cref="EngineConfigurationException">The first problem, with its line.</exception>
    public static void Check(string text, string? file)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case '#':
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    i = SkipToEndOfLine(text, i);
                    break;
                case '"' when string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0:
                    var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        throw Error(file, line, "a \"\"\" string is not closed");
                    }
                    line += text.AsSpan(i, end - i).Count('\n');
                    i = end + 2;
                    break;
                case '"':
                    i = SkipQuoted(text, i, file, line);
                    break;
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    if (open.Count == 0 || open.Pop().Bracket != (c == '}' ? '{' : '['))
                    {
                        throw Error(file, line, $"'{c}' does not close an open bracket");
                    }
                    break;
                case 'i' when IsIncludeKeyword(text, i):
                    var target = text.AsSpan(i + "include".Length).TrimStart(" \t");
                    foreach (var form in UnsupportedIncludes)
                    {
                        if (target.StartsWith(form, StringComparison.Ordinal))
                        {
                            throw Error(file, line, $"include {form}...) is not supported; write include \"file.conf\" (relative to this file)");
                        }
                    }
                    break;
            }
        }
        if (open.Count > 0)
        {
            var (bracket, opened) = open.Pop();
            throw Error(file, opened, $"'{bracket}' is never closed");
        }
    }

    private static int SkipToEndOfLine(string text, int i)
    {
        var end = text.IndexOf('\n', i);
        // Stop before the newline so the caller counts the line.
        return end < 0 ? text.Length : end - 1;
    }

    private static int SkipQuoted(string text, int start, string? file, int line)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\':
                    i++;
                    break;
                case '"':
                    return i;
                case '\n':
                    throw Error(file, line, "a quoted string is not closed on its line");
            }
        }
        throw Error(file, line, "a quoted string is not closed");
    }

    private static bool IsIncludeKeyword(string text, int i) =>
        string.CompareOrdinal(text, i, "include", 0, "include".Length) == 0
        && (i == 0 || char.IsWhiteSpace(text[i - 1]) || text[i - 1] is '{' or ',')
        && i + "include".Length < text.Length && text[i + "include".Length] is ' ' or '\t';

    private static EngineConfigurationException Error(string? file, int line, string problem) =>
        new($"{(file is null ? "The HOCON text" : $"The configuration file '{file}'")} is not valid HOCON: line {line}: {problem}.", file: file);
}
