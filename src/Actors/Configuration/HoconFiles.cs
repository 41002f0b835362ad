using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace EduVpnActors.Actors.Configuration;

/// <summary>
/// Reads HOCON files for the engine (a host's <c>--config</c>). Akka's parser is lenient and fragile: it
/// crashes on an <c>include</c> without a resolver, silently drops <c>include file(...)</c> and
/// <c>required(...)</c>, accepts unbalanced brackets and can loop forever on some of them. Here an
/// <c>include "name"</c> is resolved relative to the including file, a missing or circular include is
/// an error naming the file, the other include forms are refused, brackets are checked before the
/// parser sees the text, and the parse itself has a deadline.
/// </summary>
public static class HoconFiles
{
    /// <summary>How deep includes may nest.</summary>
    public const int MaxIncludeDepth = 16;

    /// <summary>Longer than any real file takes; a parse that runs past it is stuck.</summary>
    public static readonly TimeSpan ParseDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Reads <paramref name="paths"/> in order; a key in a later file wins over the same key in an earlier one.</summary>
    /// <exception cref="EngineConfigurationException">A file cannot be read or parsed; <see cref="EngineConfigurationException.File"/> names it.</exception>
    public static Config Read(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var config = Config.Empty;
        foreach (var path in paths)
        {
            config = Read(path).WithFallback(config);
        }
        return config;
    }

    /// <summary>
    /// Parses HOCON text that has no file of its own (a host's <c>EduVpn:Hocon</c> setting): checked like a
    /// file, and an <c>include</c> is an error, since there is no directory to resolve it against.
    /// </summary>
    /// <exception cref="EngineConfigurationException">The text does not parse or includes a file.</exception>
    public static Config ParseText(string hocon)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        return Parse(() =>
        {
            HoconSyntax.Check(hocon, file: null);
            return Parser.Parse(hocon, name => throw new EngineConfigurationException(
                $"HOCON text given without a file cannot include '{name}'; use a configuration file for includes."));
        }, "The HOCON text", file: null);
    }

    /// <summary>Reads one file and what it includes.</summary>
    /// <exception cref="EngineConfigurationException">The file cannot be read or parsed.</exception>
    public static Config Read(string path)
    {
        var full = Path.GetFullPath(path);
        var text = ReadText(full, includedBy: null);
        return Parse(() => ParseWithIncludes(text, full, [full]), $"The configuration file '{full}'", full);
    }

    private static Config Parse(Func<HoconRoot> parse, string what, string? file)
    {
        HoconRoot? root = null;
        Exception? failure = null;
        // Akka's parser can loop forever on broken input that the syntax check lets through: it runs on
        // its own thread, and a parse past the deadline is reported (the thread is left to the process).
        var parser = new Thread(() =>
        {
            try
            {
                root = parse();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = "hocon-parse" };
        parser.Start();
        if (!parser.Join(ParseDeadline))
        {
            throw new EngineConfigurationException($"{what} could not be parsed within {ParseDeadline.TotalSeconds:0} s (its syntax is broken).", file: file);
        }
        return failure switch
        {
            null => new Config(root!),
            EngineConfigurationException e => throw e,
            _ => throw new EngineConfigurationException($"{what} is not valid HOCON: {failure.Message.Split('\n')[0].Trim()}", file: file, innerException: failure),
        };
    }

    private static HoconRoot ParseWithIncludes(string text, string file, IReadOnlyList<string> chain)
    {
        HoconSyntax.Check(text, file);
        return Parser.Parse(text, name =>
        {
            var included = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, name));
            if (chain.Contains(included, StringComparer.Ordinal))
            {
                throw new EngineConfigurationException(
                    $"The configuration file '{file}' includes '{name}' again, a cycle: {string.Join(" → ", chain.Append(included))}.", file: included);
            }
            if (chain.Count >= MaxIncludeDepth)
            {
                throw new EngineConfigurationException($"The configuration file '{file}' nests includes deeper than {MaxIncludeDepth}.", file: file);
            }
            return ParseWithIncludes(ReadText(included, includedBy: file), included, [.. chain, included]);
        });
    }

    private static string ReadText(string path, string? includedBy)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            var what = e is FileNotFoundException or DirectoryNotFoundException ? "does not exist" : "cannot be read";
            var message = includedBy is null
                ? $"The configuration file '{path}' {what}."
                : $"The configuration file '{includedBy}' includes '{path}', which {what}.";
            throw new EngineConfigurationException(message, file: path, innerException: e);
        }
    }
}
