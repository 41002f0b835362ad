using Akka.Actor;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// The data directory locks this process holds for its engines: taken where the storage is checked
/// (before any actor system exists) and released when the engine's actor system has terminated.
/// </summary>
internal static class EngineLocks
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Held = new(StringComparer.Ordinal);

    /// <summary>
    /// Takes the lock of <paramref name="dataDirectory"/> for an engine about to start. A lock this process
    /// took for an engine whose start failed before its actor system existed is taken over, so a host can retry.
    /// </summary>
    /// <exception cref="StorageException">See <see cref="DataDirectoryLock.Acquire"/>.</exception>
    public static DataDirectoryLock AcquireForEngine(string dataDirectory, TimeSpan wait)
    {
        var directory = Path.GetFullPath(dataDirectory);
        lock (Gate)
        {
            if (Held.TryGetValue(directory, out var waiting) && !waiting.Attached && waiting.Lock.IsHeld)
            {
                return waiting.Lock;
            }
        }
        // Outside the gate: this may wait for another process.
        var taken = DataDirectoryLock.Acquire(directory, wait);
        lock (Gate)
        {
            Held[directory] = new Entry(taken);
        }
        return taken;
    }

    /// <summary>Releases a lock taken by <see cref="AcquireForEngine"/> (an engine start that failed, or a stopped engine).</summary>
    public static void Release(DataDirectoryLock taken)
    {
        lock (Gate)
        {
            if (Held.TryGetValue(taken.DirectoryPath, out var entry) && ReferenceEquals(entry.Lock, taken))
            {
                Held.Remove(taken.DirectoryPath);
            }
        }
        taken.Dispose();
    }

    /// <summary>Releases the lock of <paramref name="system"/>'s data directory (<c>eduvpn.data-directory</c>) once the system has terminated.</summary>
    public static void ReleaseWhenTerminated(ActorSystem system)
    {
        var configured = system.Settings.Config.GetString("eduvpn.data-directory", "");
        if (string.IsNullOrWhiteSpace(configured))
        {
            return;
        }
        Entry? entry;
        lock (Gate)
        {
            if (!Held.TryGetValue(Path.GetFullPath(configured), out entry) || entry.Attached)
            {
                return;
            }
            entry.Attached = true;
        }
        system.RegisterOnTermination(() => Release(entry.Lock));
    }

    private sealed class Entry(DataDirectoryLock taken)
    {
        public DataDirectoryLock Lock { get; } = taken;

        /// <summary>An actor system runs on it: no other engine start may take it over.</summary>
        public bool Attached { get; set; }
    }
}
