using System.Globalization;
using Akka.Configuration;
using EduVpnActors.Actors.Localization;

namespace EduVpnActors.Actors.Configuration;

/// <summary>The engine's own files in its data directory: never overwritten by output the user asks for.</summary>
public enum EngineFileKind
{
    /// <summary>The data directory itself.</summary>
    DataDirectory,
    /// <summary>The SQLite database.</summary>
    Database,
    /// <summary>One of SQLite's companions of the database (<c>-wal</c>, <c>-shm</c>, <c>-journal</c>).</summary>
    DatabaseCompanion,
    /// <summary>The key file that encrypts the stored tokens.</summary>
    TokenKey,
    /// <summary>The file naming the engine that holds the data directory's lock.</summary>
    LockFile,
}

/// <summary>An output path (e.g. <c>connect -o</c>) that is one of the engine's own files; nothing was written.</summary>
public sealed class EngineFileException : IOException
{
    /// <summary>Creates the refusal of <paramref name="path"/>, which is the engine's <paramref name="kind"/>.</summary>
    public EngineFileException(EngineFileKind kind, string path, string message) : base(message)
    {
        Kind = kind;
        Path = path;
    }

    /// <summary>Which engine file the path is.</summary>
    public EngineFileKind Kind { get; }

    /// <summary>The path as given.</summary>
    public string Path { get; }
}

/// <summary>
/// Where the engine's files are (<see cref="For"/>), the rule that keeps output away from them
/// (<see cref="Classify"/>, pure: it compares paths whose links the caller resolved with <see cref="ResolveLinks"/>),
/// and the rule that keeps configured file names inside the data directory (<see cref="RequirePlainFileName"/>).
/// </summary>
public sealed record EngineFiles(string DataDirectory, string DatabaseFileName, string TokenKeyFileName)
{
    /// <summary>The file beside the database that names the holder of the data directory's lock.</summary>
    public const string LockFileName = "eduvpn-actors.lock";

    // As Linux's ELOOP limit: a cycle of links ends in an error, not a stack overflow.
    private const int MaxLinks = 40;

    private static readonly string[] DatabaseCompanions = ["-wal", "-shm", "-journal"];

    private static StringComparison PathComparison => OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>The engine files named by an engine configuration (<c>eduvpn.data-directory</c>, the database and key file names).</summary>
    /// <exception cref="ConfigurationException">A file name that is not a plain name in the data directory.</exception>
    public static EngineFiles For(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var directory = config.GetString("eduvpn.data-directory", "");
        return new EngineFiles(
            Path.GetFullPath(string.IsNullOrWhiteSpace(directory) ? Configuration.DataDirectory.Default() : directory),
            RequirePlainFileName("eduvpn.database-file-name", config.GetString("eduvpn.database-file-name", "eduvpn-actors.db")),
            RequirePlainFileName("eduvpn.oauth.token-key-file-name", config.GetString("eduvpn.oauth.token-key-file-name", "session-tokens.key")));
    }

    /// <summary>
    /// Refuses <paramref name="outputPath"/> when it is, after symbolic links, one of these files or the data directory.
    /// </summary>
    /// <exception cref="EngineFileException">It is; nothing was written.</exception>
    public void RefuseAsOutput(string outputPath, CultureInfo? culture = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        if (Classify(ResolveLinks(outputPath), ResolveLinks(DataDirectory), DatabaseFileName, TokenKeyFileName) is { } kind)
        {
            throw new EngineFileException(kind, outputPath, $"{ErrorTexts.For(kind, culture)} ('{outputPath}')");
        }
    }

    /// <summary>
    /// Which engine file <paramref name="path"/> is, or null. Pure: both paths must be full and already free of
    /// symbolic links, so that two spellings of one file compare equal.
    /// </summary>
    public static EngineFileKind? Classify(string path, string dataDirectory, string databaseFileName, string tokenKeyFileName)
    {
        var file = Path.TrimEndingDirectorySeparator(path);
        var directory = Path.TrimEndingDirectorySeparator(dataDirectory);
        if (string.Equals(file, directory, PathComparison))
        {
            return EngineFileKind.DataDirectory;
        }
        if (!string.Equals(Path.GetDirectoryName(file), directory, PathComparison))
        {
            return null;
        }
        var name = Path.GetFileName(file);
        return name switch
        {
            _ when string.Equals(name, databaseFileName, PathComparison) => EngineFileKind.Database,
            _ when DatabaseCompanions.Any(c => string.Equals(name, databaseFileName + c, PathComparison)) => EngineFileKind.DatabaseCompanion,
            _ when string.Equals(name, tokenKeyFileName, PathComparison) => EngineFileKind.TokenKey,
            _ when string.Equals(name, LockFileName, PathComparison) => EngineFileKind.LockFile,
            _ => null,
        };
    }

    /// <summary>
    /// The full path with every symbolic link on the way resolved (as far as the path exists; a missing tail is kept as it is).
    /// </summary>
    public static string ResolveLinks(string path) => ResolveLinksWithin(path, 0);

    private static string ResolveLinksWithin(string path, int depth)
    {
        if (depth > MaxLinks)
        {
            throw new IOException($"Too many levels of symbolic links in '{path}'.");
        }
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "";
        var resolved = root;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(resolved, parts[i]);
            FileSystemInfo entry = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!entry.Exists && entry.LinkTarget is null)
            {
                // The rest does not exist yet: nothing more to resolve.
                return Path.Combine([resolved, .. parts[i..]]);
            }
            resolved = entry.LinkTarget is null
                ? next
                : ResolveLinksWithin(Path.GetFullPath(entry.LinkTarget, Path.GetDirectoryName(next) ?? root), depth + 1);
        }
        return resolved;
    }

    /// <summary>Returns <paramref name="value"/> when it is a plain file name (no directory part, not <c>.</c> or <c>..</c>).</summary>
    /// <exception cref="ConfigurationException">It is not: it would put an engine file outside the data directory.</exception>
    public static string RequirePlainFileName(string key, string value)
    {
        var plain = !string.IsNullOrWhiteSpace(value) && value is not ("." or "..")
            && value.IndexOfAny(['/', '\\', Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]) < 0
            && !Path.IsPathRooted(value) && Path.GetFileName(value) == value;
        return plain
            ? value
            : throw new ConfigurationException($"{key} must be a plain file name inside the data directory, not '{value}'");
    }
}
