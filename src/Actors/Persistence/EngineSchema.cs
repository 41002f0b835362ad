using Microsoft.Data.Sqlite;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// The tables of Akka.Persistence.Sql on SQLite (journal, tags, snapshots), created by the engine before any actor
/// starts, with plain SQL through Microsoft.Data.Sqlite (which the storage check has loaded already). The plugin's own
/// <c>auto-initialize</c> builds the same statements through linq2db's schema and SQL machinery in every process, a
/// large share of its start-up; the boot path turns it off (<see cref="EnginePersistence"/>). The statements are the
/// plugin's own, byte for byte (a test compares them with what the plugin creates), and idempotent.
/// </summary>
public static class EngineSchema
{
    // What Akka.Persistence.Sql 1.5.73 (linq2db, SQLite.MS, tag table) creates; SQLite stores them without IF NOT EXISTS.
    private static readonly string[] Statements =
    [
        "CREATE TABLE IF NOT EXISTS [journal]\n(\n\t[ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,\n\t[created]         INTEGER        NOT NULL,\n\t[deleted]         Bit            NOT NULL,\n\t[persistence_id]  NVarChar(255)  NOT NULL,\n\t[sequence_number] INTEGER        NOT NULL,\n\t[message]         VarBinary      NOT NULL,\n\t[manifest]        NVarChar(500)      NULL,\n\t[identifier]      INTEGER            NULL,\n\t[writer_uuid]     NVarChar(128)      NULL\n)",
        "CREATE UNIQUE INDEX IF NOT EXISTS journal_uq ON journal (persistence_id, sequence_number)",
        "CREATE INDEX IF NOT EXISTS journal_created_idx ON journal (created)",
        "CREATE INDEX IF NOT EXISTS journal_sequence_number_idx ON journal (sequence_number)",
        "CREATE TABLE IF NOT EXISTS [tags]\n(\n\t[ordering_id]    INTEGER       NOT NULL,\n\t[tag]            NVarChar(64)  NOT NULL,\n\t[sequence_nr]    INTEGER       NOT NULL,\n\t[persistence_id] NVarChar(255) NOT NULL,\n\n\tCONSTRAINT [PK_tags] PRIMARY KEY ([ordering_id], [tag])\n)",
        "CREATE INDEX IF NOT EXISTS tags_persistence_id_sequence_nr_idx ON tags (persistence_id, sequence_nr)",
        "CREATE INDEX IF NOT EXISTS tags_tag_idx ON tags (tag)",
        "CREATE TABLE IF NOT EXISTS [snapshot]\n(\n\t[persistence_id]  NVarChar(255) NOT NULL,\n\t[sequence_number] INTEGER       NOT NULL,\n\t[created]         INTEGER       NOT NULL,\n\t[snapshot]        VarBinary         NULL,\n\t[manifest]        NVarChar(500)     NULL,\n\t[serializer_id]   INTEGER           NULL,\n\n\tCONSTRAINT [PK_snapshot] PRIMARY KEY ([persistence_id], [sequence_number])\n)",
        "CREATE INDEX IF NOT EXISTS snapshot_sequence_number_idx ON snapshot (sequence_number)",
        "CREATE INDEX IF NOT EXISTS snapshot_created_idx ON snapshot (created)",
    ];

    /// <summary>Creates whatever of the schema the database at <paramref name="connectionString"/> lacks, in one transaction.</summary>
    /// <exception cref="SqliteException">The database cannot be written.</exception>
    public static void Ensure(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var statement in Statements)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement;
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}
