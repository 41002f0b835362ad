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
    public static ActorSystem Create(string? dataDirectory = null, Config? overrides = null, string name = DefaultName) =>
        ActorSystem.Create(name, PrepareConfig(dataDirectory, overrides));

    /// <summary>
    /// Checks the storage in <paramref name="dataDirectory"/> (default: <see cref="DataDirectory.Default"/>),
    /// prepares the directory (0700) and database file (0600), and returns the engine's full HOCON:
    /// <paramref name="overrides"/> over the shipped defaults, pointed at that database.
    /// </summary>
    /// <exception cref="StorageException">The storage cannot be used; see <see cref="StorageException.Kind"/>.</exception>
    public static Config PrepareConfig(string? dataDirectory = null, Config? overrides = null)
    {
        var directory = dataDirectory ?? DataDirectory.Default();
        var fileName = (overrides ?? Config.Empty).WithFallback(EngineConfiguration.Defaults()).GetString("eduvpn.database-file-name");
        var health = StorageHealth.Check(directory, fileName);
        if (!health.IsHealthy)
        {
            throw health.ToException();
        }
        try
        {
            return EngineConfiguration.ForDataDirectory(directory, overrides);
        }
        catch (UnauthorizedAccessException e)
        {
            // The check passed but preparing the directory or file (mode 0700/0600) still failed.
            throw new StorageException(StorageProblemKind.PermissionDenied, $"Cannot prepare the data directory '{directory}': permission denied.", health.DatabasePath, e);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageProblemKind.Unavailable, $"Cannot prepare the data directory '{directory}': {e.Message}", health.DatabasePath, e);
        }
    }
}
