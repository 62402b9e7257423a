namespace SpaceTime.Security.Storage;

/// <summary>
/// A record could not be made durable (disk full, read-only data dir, damaged database), so the request that
/// needed it must not be acknowledged. Hosts answer it with 503 and <c>Retry-After</c>.
/// </summary>
public sealed class StorageUnavailableException(string store, string problem, Exception? inner = null)
    : IOException($"{store} cannot be written: {problem}", inner)
{
    /// <summary>What could not be written: "audit trail", "scene history"...</summary>
    public string Store { get; } = store;

    /// <summary>Why, in words an operator can act on: "no space left on device".</summary>
    public string Problem { get; } = problem;

    /// <summary>Names the storage problem in an exception from the file system or SQLite.</summary>
    public static string Describe(Exception e) => e switch
    {
        StorageUnavailableException s => s.Problem,
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 13 } => "no space left on device",
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 8 } => "the data dir is read-only",
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 11 or 26 } => "the database is damaged",
        IOException { HResult: 28 } => "no space left on device",
        IOException { HResult: 30 } => "the data dir is read-only",
        UnauthorizedAccessException => "permission denied (read-only data dir?)",
        _ => e.Message,
    };
}
