using Npgsql;

namespace SpaceTime.Records;

/// <summary>
/// Applies the deploy kit's PostgreSQL migrations (<c>deploy/scripts/migrations/postgresql/NNN_name.sql</c>,
/// embedded) that the database lacks, each in one transaction with its <c>schema_migrations</c> row, under an
/// advisory lock so instances starting together apply each once. The table has the shape migrate_database.sh uses.
/// </summary>
public static class PostgresMigrations
{
    private const string Prefix = "migrations/postgresql/";
    private const long LockKey = 0x5370_6163_6554_696D; // "SpaceTim"

    /// <summary>(version, name, sql) in version order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> All { get; } = Load();

    public static async Task ApplyAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await Execute(connection, null, $"SELECT pg_advisory_lock({LockKey})", cancellationToken);
        try
        {
            await Execute(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)", cancellationToken);
            var applied = new HashSet<int>();
            await using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            var known = All.Select(m => m.Version).ToHashSet();
            if (applied.FirstOrDefault(v => !known.Contains(v)) is var unknown and > 0)
            {
                throw new InvalidOperationException($"the database records migration {unknown}, which this SpaceTime does not know (made by a newer version)");
            }

            foreach (var (version, name, sql) in All.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, transaction, sql, cancellationToken);
                await using var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                    connection, transaction);
                record.Parameters.AddWithValue(version);
                record.Parameters.AddWithValue(name);
                await record.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            await Execute(connection, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<(int, string, string)> Load()
    {
        var assembly = typeof(PostgresMigrations).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n =>
            {
                var name = Path.GetFileNameWithoutExtension(n[Prefix.Length..]);
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return (int.Parse(name[..3], System.Globalization.CultureInfo.InvariantCulture), name, reader.ReadToEnd());
            })
            .OrderBy(m => m.Item1)];
    }
}
