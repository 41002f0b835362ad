using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// What <see cref="StorageHealth"/> reads inside an open database: the file's own integrity, whether the
/// schema is the engine's (and not another program's database, or another journal layout), whether every
/// live row is under the engine's serializer and a manifest it knows, and whether the rows recovery will
/// actually read decode. The work is bounded by the snapshots, not the history: manifests and serializer
/// ids are checked with DISTINCT queries (no row is decoded for them), and only the latest snapshot of each
/// persistence id, the live events after it and its newest live event are decoded.
/// </summary>
internal static class StorageInspection
{
    private static readonly TableSchema[] EngineTables =
    [
        new("journal", ["ordering", "created", "deleted", "persistence_id", "sequence_number", "message", "manifest", "identifier", "writer_uuid"]),
        new("tags", ["ordering_id", "tag", "sequence_nr", "persistence_id"]),
        new("snapshot", ["persistence_id", "sequence_number", "created", "snapshot", "manifest", "serializer_id"]),
        // Only with Akka.Persistence.Sql's delete-compatibility-mode; its layout is the plugin's business.
        new("journal_metadata", []),
    ];

    public static StorageHealthResult Inspect(SqliteConnection connection, string databasePath)
    {
        var problems = QuickCheck(connection);
        if (problems.Count > 0)
        {
            return new(databasePath, StorageProblemKind.Corrupt,
                $"The database '{databasePath}' is damaged (quick_check: {string.Join("; ", problems.Take(3))}).");
        }
        if (ForeignSchema(connection) is { } foreign)
        {
            // Refused before the journal plugin's auto-initialize could add the engine's tables to it.
            return new(databasePath, StorageProblemKind.Foreign,
                $"The database '{databasePath}' is not the engine's: {foreign}. Nothing was changed in it.");
        }
        var tables = new[] { Rows.Journal, Rows.Snapshots }.Where(t => t.Present(connection)).ToArray();
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            UnknownEntries(connection, table, unknown);
        }
        if (unknown.Count > 0)
        {
            return new(databasePath, StorageProblemKind.NewerVersion,
                $"The database '{databasePath}' was written by a newer version of the engine (unknown entries: {string.Join(", ", unknown.Take(5))}).");
        }
        // A known manifest over a damaged payload passes quick_check, yet makes recovery throw in the serializer.
        var unreadable = new List<string>();
        foreach (var persistenceId in PersistenceIds(connection, tables))
        {
            var snapshot = tables.Contains(Rows.Snapshots) ? DecodeLatestSnapshot(connection, persistenceId, unreadable) : 0;
            if (tables.Contains(Rows.Journal))
            {
                DecodeEvents(connection, persistenceId, snapshot, unreadable);
            }
        }
        if (unreadable.Count > 0)
        {
            return new(databasePath, StorageProblemKind.Corrupt,
                $"The database '{databasePath}' holds {unreadable.Count} unreadable entr{(unreadable.Count == 1 ? "y" : "ies")} ({string.Join("; ", unreadable.Take(3))}).");
        }
        return StorageHealthResult.Healthy(databasePath, "The database passed quick_check, has the engine's schema and holds only known, readable entries.");
    }

    private static List<string> QuickCheck(SqliteConnection connection)
    {
        var lines = Strings(connection, "PRAGMA quick_check(10)");
        return lines is ["ok"] ? [] : lines.Count == 0 ? ["no result"] : lines;
    }

    /// <summary>Why the schema is not the engine's, or null: only its tables (each with the columns the plugin uses), no views or triggers.</summary>
    private static string? ForeignSchema(SqliteConnection connection)
    {
        var objects = new List<(string Type, string Name, string Table)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT type, name, tbl_name FROM sqlite_schema";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                objects.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        var others = objects
            .Where(o => !o.Table.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase) && !EngineTables.Any(t => t.Is(o.Table)))
            .Select(o => $"{o.Type} '{o.Name}'")
            .Concat(objects.Where(o => o.Type is "view" or "trigger" && EngineTables.Any(t => t.Is(o.Table))).Select(o => $"{o.Type} '{o.Name}'"))
            .ToArray();
        if (others.Length > 0)
        {
            return $"it holds {string.Join(", ", others.Take(5))}{(others.Length > 5 ? $" and {others.Length - 5} more" : "")}";
        }
        foreach (var table in EngineTables.Where(t => t.Columns.Count > 0 && objects.Any(o => o.Type == "table" && t.Is(o.Name))))
        {
            var columns = Columns(connection, table.Name);
            var missing = table.Columns.Where(c => !columns.ContainsKey(c)).ToArray();
            // A column the plugin does not fill must be nullable or have a default, or every insert fails.
            var unfilled = columns.Where(c => !table.Columns.Contains(c.Key, StringComparer.OrdinalIgnoreCase) && c.Value).Select(c => c.Key).ToArray();
            if (missing.Length > 0 || unfilled.Length > 0)
            {
                return $"its table '{table.Name}' has another layout ("
                    + string.Join("; ", new[]
                    {
                        missing.Length > 0 ? $"missing {string.Join(", ", missing)}" : null,
                        unfilled.Length > 0 ? $"required {string.Join(", ", unfilled)}" : null,
                    }.Where(x => x is not null)) + ")";
            }
        }
        return null;
    }

    /// <summary>
    /// Live rows recovery could not read: under a serializer other than the engine's, or under a manifest this
    /// version does not know. One DISTINCT query; no row is decoded.
    /// </summary>
    private static void UnknownEntries(SqliteConnection connection, Rows table, ISet<string> unknown)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT {table.SerializerColumn}, manifest FROM {table.Name} WHERE {table.Live}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var manifest = reader.IsDBNull(1) ? "" : reader.GetString(1);
            if (reader.IsDBNull(0) || reader.GetInt64(0) != EngineSerializer.Id)
            {
                unknown.Add($"{table.Name} rows of serializer {(reader.IsDBNull(0) ? "none" : reader.GetInt64(0).ToString(CultureInfo.InvariantCulture))}");
            }
            else if (!PersistedTypeRegistry.TryResolve(manifest, out _))
            {
                unknown.Add(manifest);
            }
        }
    }

    /// <summary>Every persistence id (DISTINCT over the primary key indexes).</summary>
    private static List<string> PersistenceIds(SqliteConnection connection, IReadOnlyCollection<Rows> tables) =>
        tables.Count == 0 ? [] : Strings(connection, string.Join(" UNION ", tables.Select(t => $"SELECT persistence_id FROM {t.Name}")));

    /// <summary>Decodes the snapshot recovery starts from (the newest) and returns its sequence number (0: none).</summary>
    private static long DecodeLatestSnapshot(SqliteConnection connection, string persistenceId, List<string> unreadable)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sequence_number, manifest, snapshot FROM snapshot
            WHERE persistence_id = $pid ORDER BY sequence_number DESC LIMIT 1
            """;
        command.Parameters.AddWithValue("$pid", persistenceId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return 0;
        }
        Decode(Rows.Snapshots, persistenceId, reader, unreadable);
        return reader.GetInt64(0);
    }

    /// <summary>
    /// Decodes the live events recovery replays (after <paramref name="snapshotSequenceNr"/>), and the newest live
    /// event even when the snapshot covers it: it is what the journal's highest sequence number is read from.
    /// </summary>
    private static void DecodeEvents(SqliteConnection connection, string persistenceId, long snapshotSequenceNr, List<string> unreadable)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sequence_number, manifest, message FROM journal
            WHERE persistence_id = $pid AND deleted = 0 AND identifier = $id AND sequence_number > $after
            UNION
            SELECT * FROM (SELECT sequence_number, manifest, message FROM journal
              WHERE persistence_id = $pid AND deleted = 0 AND identifier = $id ORDER BY sequence_number DESC LIMIT 1)
            ORDER BY 1
            """;
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$id", EngineSerializer.Id);
        command.Parameters.AddWithValue("$after", snapshotSequenceNr);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            Decode(Rows.Journal, persistenceId, reader, unreadable);
        }
    }

    /// <summary>
    /// Decodes the row at the reader (sequence number, manifest, payload). A failure is described by table,
    /// manifest, persistence id and sequence number, never by the payload or the decoder's message: payloads
    /// may hold encrypted tokens, and JSON errors quote the bytes they stumbled on.
    /// </summary>
    private static void Decode(Rows table, string persistenceId, SqliteDataReader reader, List<string> unreadable)
    {
        var manifest = reader.IsDBNull(1) ? "" : reader.GetString(1);
        try
        {
            EngineSerializer.Decode(reader.IsDBNull(2) ? [] : reader.GetFieldValue<byte[]>(2), manifest);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever Decode throws (also a record's own validation) recovery would throw too.
            unreadable.Add($"{table.Name} row '{manifest}' of '{persistenceId}' #{reader.GetInt64(0).ToString(CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>Column name → whether an insert must fill it (NOT NULL without a default and not the row id).</summary>
    private static Dictionary<string, bool> Columns(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, \"notnull\", dflt_value IS NULL, pk FROM pragma_table_info($table)";
        command.Parameters.AddWithValue("$table", table);
        var columns = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            columns[reader.GetString(0)] = reader.GetInt64(1) == 1 && reader.GetInt64(2) == 1 && reader.GetInt64(3) == 0;
        }
        return columns;
    }

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            values.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        }
        return values;
    }

    private sealed record TableSchema(string Name, IReadOnlyList<string> Columns)
    {
        public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>One of the two tables of engine rows: its serializer column and what makes a row live.</summary>
    private sealed record Rows(string Name, string SerializerColumn, string Live)
    {
        public static readonly Rows Journal = new("journal", "identifier", "deleted = 0");

        public static readonly Rows Snapshots = new("snapshot", "serializer_id", "1 = 1");

        public bool Present(SqliteConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = $name";
            command.Parameters.AddWithValue("$name", Name);
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
        }
    }
}
