using Npgsql;

namespace SpaceTime.Records;

/// <summary>
/// The PostgreSQL that keeps scene history and the audit trail when <c>DATABASE_URL</c>
/// (<c>postgresql://user:password@host:port/name?sslmode=require</c>) or <c>DB_HOST</c> (with <c>DB_PORT</c>,
/// <c>DB_NAME</c>, <c>DB_USER</c>, <c>DB_PASSWORD</c>) is set. <see cref="Display"/> never carries the password.
/// </summary>
public sealed class DatabaseSettings
{
    private DatabaseSettings(NpgsqlConnectionStringBuilder builder)
    {
        // Short timeouts: a load never waits on the database (records go through the outbox), only delivery does.
        builder.Timeout = 5;
        builder.CommandTimeout = 30;
        builder.ApplicationName = "spacetime";
        ConnectionString = builder.ConnectionString;
        Display = $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
    }

    public string ConnectionString { get; }

    /// <summary>Where, without the password: for logs, health and <c>/status</c>.</summary>
    public string Display { get; }

    /// <summary>Null when no database is configured (records stay in the data dir's SQLite).</summary>
    /// <exception cref="ArgumentException">DATABASE_URL or DB_PORT is malformed (named, without the password).</exception>
    public static DatabaseSettings? From(Func<string, string?> variable)
    {
        if (variable("DATABASE_URL") is { Length: > 0 } url)
        {
            return new DatabaseSettings(FromUrl(url));
        }

        if (variable("DB_HOST") is not { Length: > 0 } host)
        {
            return null;
        }

        var port = variable("DB_PORT") is { Length: > 0 } p
            ? int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and < 65536 ? parsed
                : throw new ArgumentException($"DB_PORT: '{p}' is not a port", nameof(variable))
            : 5432;
        return new DatabaseSettings(new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = port,
            Database = variable("DB_NAME") is { Length: > 0 } name ? name : "spacetime",
            Username = variable("DB_USER") is { Length: > 0 } user ? user : "spacetime",
            Password = variable("DB_PASSWORD"),
        });
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres") || uri.Host.Length == 0)
        {
            // The value may hold a password: it is not repeated.
            throw new ArgumentException("DATABASE_URL: not a postgresql://user:password@host:port/name URL", nameof(url));
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } db ? Uri.UnescapeDataString(db) : "spacetime",
            Username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "spacetime",
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        };
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = (pair.Split('=', 2)[0], pair.Contains('=') ? Uri.UnescapeDataString(pair.Split('=', 2)[1]) : "");
            if (key == "sslmode" && Enum.TryParse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode))
            {
                builder.SslMode = mode;
            }
        }

        return builder;
    }
}
