using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Sessions.Tokens;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// What every engine start does with its storage before an actor system exists: the data directory is
/// checked and prepared, its lock taken (one engine per data directory), the database and the token key
/// file checked, and the HOCON pointed at that database. The lock stays held until the engine's actor
/// system terminates (<see cref="EngineLocks.ReleaseWhenTerminated"/>).
/// </summary>
public static class EngineStorage
{
    /// <summary>The HOCON key of how long a start waits for another engine to release the data directory (default 0: fail at once).</summary>
    public const string LockWaitKey = "eduvpn.data-directory-lock-wait";

    /// <summary>
    /// Checks and prepares the storage in <paramref name="dataDirectory"/> and returns the engine's full HOCON
    /// (<paramref name="overrides"/> over the shipped defaults, pointed at that database).
    /// </summary>
    /// <exception cref="StorageException">The storage cannot be used, or another engine holds it (<see cref="StorageProblemKind.DataDirectoryInUse"/>).</exception>
    /// <exception cref="EngineConfigurationException">A setting is invalid (checked before anything is created).</exception>
    public static Config Prepare(string dataDirectory, Config? overrides = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var directory = Path.GetFullPath(dataDirectory);
        var merged = (overrides ?? Config.Empty).WithFallback(EngineConfiguration.Defaults());
        // Every key checked before anything is created (file names plain, the lock wait a duration).
        EngineConfiguration.Validate(merged);
        var fileName = merged.GetString("eduvpn.database-file-name");
        var keyFileName = merged.GetString("eduvpn.oauth.token-key-file-name");
        var wait = merged.GetTimeSpan(LockWaitKey, TimeSpan.Zero);
        if (StorageHealth.CheckDirectoryOf(directory, fileName) is { } unusable)
        {
            throw unusable.ToException();
        }
        // Created 0700, or an existing one that must be private (never chmod-ed): before anything is written into it.
        Guarded(directory, Path.Combine(directory, fileName), () => DataDirectory.Ensure(directory));
        var held = EngineLocks.AcquireForEngine(directory, wait);
        try
        {
            var health = StorageHealth.Check(directory, fileName);
            StartupTrace.Mark("storage checked");
            if (!health.IsHealthy)
            {
                throw health.ToException();
            }
            // Before any actor system: a damaged key file is a StorageException like a damaged database.
            AesGcmTokenProtector.ThrowIfDamaged(Path.Combine(directory, keyFileName));
            var config = Guarded(directory, health.DatabasePath, () => EngineConfiguration.ForCheckedDataDirectory(directory, merged));
            // The plugin's tables, after the check refused a foreign database (the plugin's auto-initialize is off on the boot path).
            CreateTables(EngineConfiguration.ConnectionString(config), health.DatabasePath);
            return config;
        }
        catch
        {
            EngineLocks.Release(held);
            throw;
        }
    }

    private static void CreateTables(string connectionString, string databasePath)
    {
        try
        {
            EngineSchema.Ensure(connectionString);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new StorageException(StorageProblemKind.Unavailable, $"Cannot create the tables in '{databasePath}': {e.Message}", databasePath, e);
        }
    }

    private static T Guarded<T>(string directory, string databasePath, Func<T> prepare)
    {
        try
        {
            return prepare();
        }
        catch (UnauthorizedAccessException e)
        {
            // The check passed but preparing the directory or file (mode 0700/0600) still failed.
            throw new StorageException(StorageProblemKind.PermissionDenied, $"Cannot prepare the data directory '{directory}': permission denied.", databasePath, e);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageProblemKind.Unavailable, $"Cannot prepare the data directory '{directory}': {e.Message}", databasePath, e);
        }
    }
}
