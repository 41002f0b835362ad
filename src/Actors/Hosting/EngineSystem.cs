using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Persistence;

namespace EduVpnActors.Actors.Hosting;

/// <summary>Creates the engine's <see cref="ActorSystem"/> on its SQLite database.</summary>
public static class EngineSystem
{
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
        var directory = dataDirectory ?? DataDirectory.Default();
        var fileName = (overrides ?? Config.Empty).WithFallback(EngineConfiguration.Defaults()).GetString("eduvpn.database-file-name");
        var health = StorageHealth.Check(directory, fileName);
        if (!health.IsHealthy)
        {
            throw health.ToException();
        }
        Config config;
        try
        {
            config = EngineConfiguration.ForDataDirectory(directory, overrides);
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
        return ActorSystem.Create(name, config);
    }
}
