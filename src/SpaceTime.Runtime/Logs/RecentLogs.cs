using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Worlds;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Http;

namespace SpaceTime.Runtime.Logs;

/// <summary>A warning or error the runtime logged, with the scene and scene tick it happened at.</summary>
public sealed record LogEntry(DateTimeOffset Timestamp, string Level, string Category, string Message, string? Exception, string? Scene, long Tick);

/// <summary>
/// The last warnings and errors, in memory, for agents (<c>GET /logs</c>, the <c>logs</c> tool): cheaper to read than the
/// log files, and each entry says which scene and tick it belongs to.
/// </summary>
public sealed class RecentLogs(TimeProvider time) : ILoggerProvider
{
    public const int Capacity = 500;

    private readonly Queue<LogEntry> _entries = new();
    private readonly Lock _sync = new();
    private HeadlessGame? _game;

    /// <summary>Tags later entries with the game's scene and tick (the game starts after logging does).</summary>
    public void Attach(HeadlessGame game) => _game = game;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Add(LogLevel level, string category, string message, Exception? exception)
    {
        var entry = new LogEntry(time.GetUtcNow(), level.ToString().ToLowerInvariant(), category, message, exception?.Message, _game?.ActiveScenePath, _game?.SceneTick ?? 0);
        lock (_sync)
        {
            if (_entries.Count == Capacity)
            {
                _entries.Dequeue();
            }

            _entries.Enqueue(entry);
        }
    }

    /// <summary>Newest last.</summary>
    public IReadOnlyList<LogEntry> Recent(int limit, LogLevel minimum)
    {
        lock (_sync)
        {
            return [.. _entries.Where(e => Enum.Parse<LogLevel>(e.Level, ignoreCase: true) >= minimum).TakeLast(limit)];
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(RecentLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Add(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}

public sealed record LogsResponse(IReadOnlyList<LogEntry> Entries, int Count);

/// <summary><c>GET /logs?level=warning|error&amp;limit=N</c>: recent warnings and errors with scene and tick.</summary>
public static class LogsApi
{
    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/logs", GetLogs).WithTags("Logs").RequirePermission(Permissions.DebugRead);
        return app;
    }

    public static Results<Ok<LogsResponse>, ProblemHttpResult> GetLogs(RecentLogs logs, string? level = null, int limit = 100)
    {
        if (limit is < 1 or > RecentLogs.Capacity)
        {
            return ApiProblems.BadRequest($"'limit' must be from 1 to {RecentLogs.Capacity}");
        }

        var minimum = level?.ToLowerInvariant() switch
        {
            null or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (minimum == LogLevel.None)
        {
            return ApiProblems.BadRequest("'level' must be warning, error or critical");
        }

        var entries = logs.Recent(limit, minimum);
        return TypedResults.Ok(new LogsResponse(entries, entries.Count));
    }
}
