using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;

namespace EduVpnActors.Actors.Hosting;

/// <summary>The engine's actor system on its SQLite database: its name, and its storage checked and prepared before it starts.</summary>
public static class EngineSystem
{
    /// <summary>The name of the engine's actor system.</summary>
    public const string DefaultName = "eduvpn";

    /// <summary>
    /// Checks the storage in <paramref name="dataDirectory"/> (default: <see cref="DataDirectory.Default"/>),
    /// prepares the directory (0700), the database file (0600) and the journal's tables (<see cref="EngineSchema"/>), takes the directory's lock (one engine per data
    /// directory, held until the engine's actor system terminates), and returns the engine's full HOCON:
    /// <paramref name="overrides"/> over the shipped defaults, pointed at that database.
    /// </summary>
    /// <exception cref="StorageException">The storage cannot be used, or another engine uses it; see <see cref="StorageException.Kind"/>.</exception>
    public static Config PrepareConfig(string? dataDirectory = null, Config? overrides = null) =>
        EngineStorage.Prepare(dataDirectory ?? DataDirectory.Default(), overrides);
}
