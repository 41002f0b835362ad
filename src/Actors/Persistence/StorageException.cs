namespace EduVpnActors.Actors.Persistence;

/// <summary>Why the engine's storage cannot be used.</summary>
public enum StorageProblemKind
{
    /// <summary>
    /// The database file is damaged: not a SQLite file, truncated, failing <c>PRAGMA quick_check</c>, or
    /// holding a journal or snapshot entry of a known kind whose content cannot be read back.
    /// </summary>
    Corrupt,
    /// <summary>Another connection or process holds a lock on the database (e.g. a second engine).</summary>
    Locked,
    /// <summary>The journal or snapshots hold entries (manifests) this version does not know: written by a newer version.</summary>
    NewerVersion,
    /// <summary>The data directory or the database file cannot be read or written with this user's permissions.</summary>
    PermissionDenied,
    /// <summary>The path cannot hold a database at all (a path component is a file, the database path is a directory, I/O error).</summary>
    Unavailable,
    /// <summary>
    /// The key file that encrypts the stored tokens (<c>session-tokens.key</c>) is not a key. Moving it aside
    /// starts with a new key; the stored sign-ins cannot be read with it, so each server is authorized again.
    /// </summary>
    TokenKeyDamaged,
    /// <summary>
    /// Another engine (another process, or another engine in this one) holds the data directory's lock; see
    /// <see cref="StorageException.HolderProcessId"/>. Retry once it has stopped.
    /// </summary>
    DataDirectoryInUse,
    /// <summary>
    /// The database file is not the engine's: another program's SQLite database (other tables, views or
    /// triggers), or a journal or snapshot table of another layout. The engine adds nothing to it; moving it
    /// aside (it is kept, renamed) lets the engine start with a database of its own.
    /// </summary>
    Foreign,
    /// <summary>
    /// The existing data directory (or the one a link points at) is open to its group or to other users. The
    /// engine never changes the mode of a directory it did not create: make it owner-only, or give a new path.
    /// </summary>
    NotPrivate,
}

/// <summary>
/// The engine refused to start on its storage. Nothing was changed or deleted: the host may show the
/// message, retry (<see cref="StorageProblemKind.Locked"/>, <see cref="StorageProblemKind.DataDirectoryInUse"/>), fix permissions, or move the damaged
/// database aside with <see cref="StorageHealth.MoveAside"/> and start fresh.
/// </summary>
public sealed class StorageException : Exception
{
    /// <summary>Creates the exception for a problem of <paramref name="kind"/>.</summary>
    public StorageException(StorageProblemKind kind, string message, string? databasePath = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        DatabasePath = databasePath;
    }

    /// <summary>The category of the problem.</summary>
    public StorageProblemKind Kind { get; }

    /// <summary>
    /// The file concerned, when known (the argument for <see cref="StorageHealth.MoveAside"/>): the database,
    /// or the token key file for <see cref="StorageProblemKind.TokenKeyDamaged"/>.
    /// </summary>
    public string? DatabasePath { get; }

    /// <summary>For <see cref="StorageProblemKind.DataDirectoryInUse"/>: the process id of the engine holding the data directory, where known.</summary>
    public int? HolderProcessId { get; init; }

    /// <summary>Whether moving the file aside is a way out (damaged, from a newer version or foreign; not a lock or permissions).</summary>
    public bool CanMoveAside =>
        Kind is StorageProblemKind.Corrupt or StorageProblemKind.NewerVersion or StorageProblemKind.TokenKeyDamaged or StorageProblemKind.Foreign
        && DatabasePath is not null;
}
