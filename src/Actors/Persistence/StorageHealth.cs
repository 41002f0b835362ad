using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Actors.Persistence;

/// <summary>The outcome of <see cref="StorageHealth.Check"/>: healthy, or one typed problem.</summary>
/// <param name="DatabasePath">The database file that was checked.</param>
/// <param name="Problem">Null when the storage can be used.</param>
/// <param name="Message">What is wrong, for the user (paths and manifests, never row content).</param>
public sealed record StorageHealthResult(string DatabasePath, StorageProblemKind? Problem, string Message)
{
    /// <summary>True when the storage can be used.</summary>
    public bool IsHealthy => Problem is null;

    /// <summary>The problem as the exception the engine start throws.</summary>
    public StorageException ToException(Exception? inner = null) =>
        new(Problem ?? throw new InvalidOperationException("The storage is healthy."), Message, DatabasePath, inner);

    internal static StorageHealthResult Healthy(string path, string message) => new(path, null, message);
}

/// <summary>
/// Checks the engine's SQLite storage before the actor system uses it, so a damaged, locked, foreign
/// (another program's, or another journal layout), newer or unreachable database is a typed error at
/// start instead of persistent actors failing on recovery. The work is bounded by the snapshots, not the
/// history (<see cref="StorageInspection"/>). The check reads only: the database is opened read-only and
/// nothing is repaired, reset or deleted; the one exception is a hot journal left by a crash, which
/// is rolled back as SQLite itself would on the next write. <see cref="MoveAside"/> is the explicit way out.
/// </summary>
public static class StorageHealth
{
    /// <summary>How long the check waits for another connection's lock before reporting <see cref="StorageProblemKind.Locked"/>.</summary>
    public static readonly TimeSpan DefaultLockWait = TimeSpan.FromSeconds(2);

    // SQLite primary result codes (sqlite3.h).
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteCantOpen = 14;
    private const int SqlitePerm = 3;
    private const int SqliteAuth = 23;
    private const int SqliteNotADatabase = 26;

    /// <summary>Checks <paramref name="databaseFileName"/> in <paramref name="dataDirectory"/> (neither needs to exist yet).</summary>
    public static StorageHealthResult Check(string dataDirectory, string databaseFileName, TimeSpan? lockWait = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(databaseFileName);
        var directory = Path.GetFullPath(dataDirectory);
        var databasePath = Path.Combine(directory, databaseFileName);
        return CheckDirectory(directory, databasePath) ?? CheckDatabase(databasePath, lockWait ?? DefaultLockWait);
    }

    /// <summary>
    /// Only the directory part of <see cref="Check"/> (is it a directory, or can it be created; is it writable):
    /// null when it can hold the database. Touches no database.
    /// </summary>
    internal static StorageHealthResult? CheckDirectoryOf(string dataDirectory, string databaseFileName)
    {
        var directory = Path.GetFullPath(dataDirectory);
        return CheckDirectory(directory, Path.Combine(directory, databaseFileName));
    }

    /// <summary>
    /// Renames the database (and its <c>-wal</c>, <c>-shm</c>, <c>-journal</c> companions) to
    /// <c>&lt;name&gt;.damaged-&lt;UTC timestamp&gt;</c> in the same directory, so the engine starts on a fresh
    /// database while the old one is kept for support. Returns the new path of the database.
    /// </summary>
    /// <exception cref="StorageException"><see cref="StorageProblemKind.PermissionDenied"/> or <see cref="StorageProblemKind.Unavailable"/> when the rename fails.</exception>
    public static string MoveAside(string databasePath, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var full = Path.GetFullPath(databasePath);
        var stamp = (time ?? TimeProvider.System).GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var target = $"{full}.damaged-{stamp}";
        for (var n = 2; File.Exists(target) || Directory.Exists(target); n++)
        {
            target = $"{full}.damaged-{stamp}-{n}";
        }
        try
        {
            // Companions first: a crash in between leaves the main file where it was, never a main
            // file that lost its write-ahead log.
            foreach (var suffix in new[] { "-wal", "-shm", "-journal" })
            {
                if (File.Exists(full + suffix))
                {
                    File.Move(full + suffix, target + suffix);
                }
            }
            if (File.Exists(full))
            {
                File.Move(full, target);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException(StorageProblemKind.PermissionDenied, $"Cannot move '{full}' aside: permission denied.", full, e);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageProblemKind.Unavailable, $"Cannot move '{full}' aside: {e.Message}", full, e);
        }
        return target;
    }

    /// <summary>The directory exists and is writable, or can be created (no path component is a file).</summary>
    private static StorageHealthResult? CheckDirectory(string directory, string databasePath)
    {
        if (File.Exists(directory))
        {
            return Problem(databasePath, StorageProblemKind.Unavailable, $"The data directory '{directory}' is a file, not a directory.");
        }
        if (!Directory.Exists(directory))
        {
            for (var ancestor = Path.GetDirectoryName(directory); ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
            {
                if (File.Exists(ancestor))
                {
                    return Problem(databasePath, StorageProblemKind.Unavailable,
                        $"The data directory '{directory}' cannot be created: '{ancestor}' is a file.");
                }
                if (Directory.Exists(ancestor))
                {
                    return ProbeWritable(ancestor, databasePath, $"The data directory '{directory}' cannot be created in '{ancestor}'");
                }
            }
            return null;
        }
        // SQLite creates its journal next to the database, so the directory itself must be writable.
        return ProbeWritable(directory, databasePath, $"The data directory '{directory}' is not writable");
    }

    private static StorageHealthResult? ProbeWritable(string directory, string databasePath, string failure)
    {
        var probe = Path.Combine(directory, $".eduvpn-storage-check-{Guid.NewGuid():N}");
        try
        {
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            // One page, unsynced: a full disk refuses it (ENOSPC) where creating an empty file still works.
            stream.Write(new byte[4096]);
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return Problem(databasePath, StorageProblemKind.PermissionDenied, $"{failure}: permission denied.");
        }
        catch (IOException e)
        {
            return Problem(databasePath, StorageProblemKind.Unavailable, $"{failure}: {e.Message}");
        }
    }

    private static StorageHealthResult CheckDatabase(string databasePath, TimeSpan lockWait)
    {
        if (Directory.Exists(databasePath))
        {
            return Problem(databasePath, StorageProblemKind.Unavailable, $"The database path '{databasePath}' is a directory.");
        }
        if (!File.Exists(databasePath))
        {
            return StorageHealthResult.Healthy(databasePath, "No database yet: a fresh one will be created.");
        }
        long length;
        try
        {
            using var stream = new FileStream(databasePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            length = stream.Length;
        }
        catch (UnauthorizedAccessException)
        {
            return Problem(databasePath, StorageProblemKind.PermissionDenied, $"The database '{databasePath}' cannot be opened for reading and writing: permission denied.");
        }
        catch (IOException e)
        {
            return Problem(databasePath, StorageProblemKind.Unavailable, $"The database '{databasePath}' cannot be opened: {e.Message}");
        }
        if (length == 0)
        {
            // The engine creates the file empty (mode 0600) before SQLite first writes it.
            return StorageHealthResult.Healthy(databasePath, "The database is empty: it will be initialised.");
        }
        try
        {
            return InspectDatabase(databasePath, lockWait, SqliteOpenMode.ReadOnly);
        }
        catch (SqliteException e) when ((e.SqliteErrorCode & 0xFF) == SqliteReadOnly)
        {
            // A crash mid-transaction leaves a hot journal (or a WAL needing recovery) that only a
            // writer may roll back, which is SQLite's own crash recovery and loses no committed row.
            // The engine's first connection would do the same; do it here so the check sees the result.
            try
            {
                return InspectDatabase(databasePath, lockWait, SqliteOpenMode.ReadWrite);
            }
            catch (SqliteException retry)
            {
                return Problem(databasePath, Classify(retry), Describe(databasePath, retry));
            }
        }
        catch (SqliteException e)
        {
            return Problem(databasePath, Classify(e), Describe(databasePath, e));
        }
    }

    private static StorageHealthResult InspectDatabase(string databasePath, TimeSpan lockWait, SqliteOpenMode mode)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            // ReadWrite opens an existing file only; it never creates one.
            Mode = mode,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(lockWait.TotalSeconds)),
        };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        return StorageInspection.Inspect(connection, databasePath);
    }

    private static StorageProblemKind Classify(SqliteException e) => (e.SqliteErrorCode & 0xFF) switch
    {
        SqliteBusy or SqliteLocked => StorageProblemKind.Locked,
        SqliteCorrupt or SqliteNotADatabase => StorageProblemKind.Corrupt,
        SqlitePerm or SqliteAuth or SqliteReadOnly => StorageProblemKind.PermissionDenied,
        SqliteCantOpen or SqliteIoError => StorageProblemKind.Unavailable,
        _ => StorageProblemKind.Corrupt,
    };

    private static string Describe(string databasePath, SqliteException e) => Classify(e) switch
    {
        StorageProblemKind.Locked => $"The database '{databasePath}' is locked by another connection (is another engine running?).",
        StorageProblemKind.Corrupt => $"The database '{databasePath}' is damaged or not a SQLite database (SQLite error {e.SqliteErrorCode}).",
        StorageProblemKind.PermissionDenied => $"The database '{databasePath}' cannot be used with this user's permissions (SQLite error {e.SqliteErrorCode}).",
        _ => $"The database '{databasePath}' cannot be opened (SQLite error {e.SqliteErrorCode}).",
    };

    private static StorageHealthResult Problem(string databasePath, StorageProblemKind kind, string message) =>
        new(databasePath, kind, message);
}
