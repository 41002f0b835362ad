using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;

namespace EduVpnActors.Actors.Hosting;

/// <summary>Creates the engine's <see cref="ActorSystem"/> on its SQLite database.</summary>
public static class EngineSystem
{
    /// <summary>The name of the engine's actor system.</summary>
    public const string DefaultName = "eduvpn";

    /// <summary>
    /// Creates an actor system whose journal and snapshots live in <paramref name="dataDirectory"/>
    /// (default: <see cref="DataDirectory.Default"/>). <paramref name="overrides"/> win over the HOCON defaults.
    /// The storage is checked first (<see cref="StorageHealth.Check"/>): a damaged, locked, newer or
    /// unreachable database stops the start with a <see cref="StorageException"/> and is left untouched.
    /// </summary>
    /// <exception cref="StorageException">The storage cannot be used; see <see cref="StorageException.Kind"/>.</exception>
    public static ActorSystem Create(string? dataDirectory = null, Config? overrides = null, string name = DefaultName)
    {
        var system = ActorSystem.Create(name, PrepareConfig(dataDirectory, overrides));
        // [storage] the data directory lock taken by PrepareConfig ends with this system.
        EngineLocks.ReleaseWhenTerminated(system);
        return system;
    }

    /// <summary>
    /// Checks the storage in <paramref name="dataDirectory"/> (default: <see cref="DataDirectory.Default"/>),
    /// prepares the directory (0700) and database file (0600), takes the directory's lock (one engine per data
    /// directory, held until the engine's actor system terminates), and returns the engine's full HOCON:
    /// <paramref name="overrides"/> over the shipped defaults, pointed at that database.
    /// </summary>
    /// <exception cref="StorageException">The storage cannot be used, or another engine uses it; see <see cref="StorageException.Kind"/>.</exception>
    public static Config PrepareConfig(string? dataDirectory = null, Config? overrides = null) =>
        // [storage] check, prepare and lock the data directory (one engine per directory; released when the system terminates).
        EngineStorage.Prepare(dataDirectory ?? DataDirectory.Default(), overrides);
}
