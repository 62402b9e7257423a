namespace SpaceTime.Records;

/// <summary>What delivery to PostgreSQL last found, for <c>/health</c>'s <c>database</c> check.</summary>
public sealed class DatabaseHealth
{
    private volatile string? _problem;
    private volatile bool _reached;

    /// <summary>Null when no database is configured.</summary>
    public string? Display { get; init; }

    public bool Configured => Display is not null;

    public string? Problem => _problem;

    public DateTimeOffset? Since { get; private set; }

    /// <summary>
    /// The <c>database</c> health check: pass once delivery has reached the database (its tables made), warn before
    /// that and while records wait in the outbox.
    /// </summary>
    public (string Status, string Message) Check() => Problem is { } problem
        ? ("warn", $"{Display} unreachable since {Since:O} ({problem}); records wait in the outbox")
        : _reached ? ("pass", $"{Display} reachable") : ("warn", $"{Display} not reached yet; records wait in the outbox");

    /// <summary>Returns true when this starts an outage (log once).</summary>
    public bool Unreachable(string problem, DateTimeOffset now)
    {
        var starts = _problem is null;
        if (starts)
        {
            Since = now;
        }

        _problem = problem;
        return starts;
    }

    /// <summary>Returns true when this ends an outage.</summary>
    public bool Reachable()
    {
        var ends = _problem is not null;
        _reached = true;
        _problem = null;
        Since = null;
        return ends;
    }
}
