using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Persistence;

namespace EduVpnActors.Actors.Hosting;

/// <summary>The engine's actor system on its SQLite database: its name, and its storage checked and prepared before it starts.</summary>
public static class EngineSystem
{
    /// <summary>The name of the engine's actor system.</summary>
    public const string DefaultName = "eduvpn";

    /// <summary>
    /// Checks the storage in <paramref name="dataDirectory"/> (default: <see cref="DataDirectory.Default"/>),
    /// prepares the directory (0700), the database file (0600) and the journal's tables (<see cref="EngineSchema"/>), and returns the engine's full HOCON:
    /// <paramref name="overrides"/> over the shipped defaults, pointed at that database.
    /// </summary>
    /// <exception cref="StorageException">The storage cannot be used; see <see cref="StorageException.Kind"/>.</exception>
    public static Config PrepareConfig(string? dataDirectory = null, Config? overrides = null)
    {
        var directory = dataDirectory ?? DataDirectory.Default();
        var fileName = (overrides ?? Config.Empty).WithFallback(EngineConfiguration.Defaults()).GetString("eduvpn.database-file-name");
        StartupTrace.Mark("engine defaults read");
        var health = StorageHealth.Check(directory, fileName);
        StartupTrace.Mark("storage checked");
        if (!health.IsHealthy)
        {
            throw health.ToException();
        }
        try
        {
            var config = EngineConfiguration.ForDataDirectory(directory, overrides);
            // The plugin's tables, before any actor starts (its own auto-initialize is off on the boot path).
            EngineSchema.Ensure(EngineConfiguration.ConnectionString(config));
            return config;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new StorageException(StorageProblemKind.Unavailable, $"Cannot create the tables in '{health.DatabasePath}': {e.Message}", health.DatabasePath, e);
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
