namespace EduVpnActors.Actors.Configuration;

/// <summary>Where the engine keeps its database and key material, with private permissions.</summary>
public static class DataDirectory
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OpenToOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// The default data directory: <c>$EDUVPN_ACTORS_DATA_DIR</c>, else <c>$XDG_DATA_HOME/eduvpn-actors</c>,
    /// else the platform's local application data folder plus <c>eduvpn-actors</c>.
    /// </summary>
    public static string Default()
    {
        var explicitDir = Environment.GetEnvironmentVariable("EDUVPN_ACTORS_DATA_DIR");
        if (!string.IsNullOrWhiteSpace(explicitDir))
        {
            return Path.GetFullPath(explicitDir);
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        return Path.Combine(root, "eduvpn-actors");
    }

    /// <summary>
    /// Creates the directory (0700, with any missing parents) if needed and returns its full path. An existing
    /// directory (or the one a symbolic link points at) keeps its mode: the engine never changes a directory it
    /// did not create. It must be private, as one the engine creates is: other users may not list, read or
    /// write the database and key files it holds.
    /// </summary>
    /// <exception cref="Persistence.StorageException"><see cref="Persistence.StorageProblemKind.NotPrivate"/>: the existing directory is open to its group or others.</exception>
    public static string Ensure(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
            return full;
        }
        if (!Directory.Exists(full))
        {
            Directory.CreateDirectory(full, OwnerOnlyDirectory);
            return full;
        }
        // The mode of the directory itself (stat follows a symbolic link to it).
        var open = File.GetUnixFileMode(full) & OpenToOthers;
        if (open != UnixFileMode.None)
        {
            throw new Persistence.StorageException(Persistence.StorageProblemKind.NotPrivate,
                $"The data directory '{full}' is open to other users ({open}); the engine does not change it. "
                + $"Use a directory only you can use (chmod 700 '{full}'), or a new path the engine creates itself.", full);
        }
        return full;
    }

    /// <summary>
    /// Creates an empty database file with mode 0600 before SQLite opens it, so the file never exists
    /// with wider permissions; SQLite gives its journal files the same mode.
    /// </summary>
    public static string PrepareDatabaseFile(string directory, string fileName)
    {
        var dir = Ensure(directory);
        var path = Path.Combine(dir, fileName);
        if (OperatingSystem.IsWindows())
        {
            return path;
        }
        if (!File.Exists(path))
        {
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnlyFile,
            });
        }
        File.SetUnixFileMode(path, OwnerOnlyFile);
        return path;
    }

    /// <summary>
    /// Writes a file atomically with mode 0600 (temp file, fsync, rename). A missing directory is
    /// created 0700; an existing one keeps its mode (the file may go to /tmp or the user's home).
    /// </summary>
    public static void WritePrivateFile(string path, ReadOnlySpan<byte> content)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir))
        {
            Ensure(dir);
        }
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile;
            }
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
