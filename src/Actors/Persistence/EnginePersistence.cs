using Akka.Configuration;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// The engine's journal, read journal and snapshot store: Akka.Persistence.Sql on one SQLite file through
/// Microsoft.Data.Sqlite (house style §2.10), described once as the plugin's hosting options. The boot path
/// hands them to <c>WithSqlPersistence</c>; an actor system built without Akka.Hosting (tests) takes the same
/// options as HOCON. The one key the options do not expose, <c>parallelism = 1</c> (SQLite has one writer),
/// is in <c>hocon/persistence.conf</c>. The boot path creates the tables itself before any actor starts
/// (<see cref="EngineSchema"/>), so the plugin's own <c>auto-initialize</c> is off there; a system built from
/// <see cref="ToConfig"/> lets the plugin create them.
/// </summary>
public static class EnginePersistence
{
    /// <summary>The default journal (and its read journal) on <paramref name="connectionString"/>.</summary>
    public static SqlJournalOptions Journal(string connectionString) => new(isDefaultPlugin: true)
    {
        ConnectionString = connectionString,
        ProviderName = ProviderName.SQLiteMS,
        AutoInitialize = false,
        TagStorageMode = TagMode.TagTable,
    };

    /// <summary>The default snapshot store on <paramref name="connectionString"/>.</summary>
    public static SqlSnapshotOptions Snapshots(string connectionString) => new(isDefaultPlugin: true)
    {
        ConnectionString = connectionString,
        ProviderName = ProviderName.SQLiteMS,
        AutoInitialize = false,
    };

    /// <summary>
    /// The same options as HOCON, with the plugin's own defaults below them (what <c>WithSqlPersistence</c> adds), for
    /// a system built without the boot path: the plugin creates the tables (<c>auto-initialize</c>) as it starts.
    /// </summary>
    public static Config ToConfig(string connectionString)
    {
        var journal = Journal(connectionString);
        var snapshots = Snapshots(connectionString);
        journal.AutoInitialize = true;
        snapshots.AutoInitialize = true;
        return journal.ToConfig()
            .WithFallback(snapshots.ToConfig())
            .WithFallback(journal.DefaultConfig)
            .WithFallback(journal.DefaultQueryConfig)
            .WithFallback(snapshots.DefaultConfig);
    }
}
