namespace SpaceTime.Manager.Supervision;

public sealed record GodotProcessHealth(bool Running, int? Pid);

public sealed record GodotApiHealth(bool Reachable);

/// <summary>The scene part of <c>GET /health</c>.</summary>
/// <param name="Loaded">Whether the main scene is the game's current scene.</param>
/// <param name="Name">The scene file's name without extension (<c>vr_main</c>), as the documents' health clients compare it.</param>
/// <param name="Path">The scene's resource path (<c>res://vr_main.tscn</c>).</param>
public sealed record SceneHealth(bool Loaded, string? Name, string? Path)
{
    /// <summary>The health entry for the scene at <paramref name="path"/>: its name is the file name without extension.</summary>
    public static SceneHealth For(bool loaded, string? path) =>
        new(loaded, path is null ? null : System.IO.Path.GetFileNameWithoutExtension(path), path);
}

public sealed record PlayerHealth(bool Spawned);

/// <summary>
/// What <c>GET /health</c> reports: the documents' shape (<c>server</c> is <c>healthy</c>, <c>degraded</c> or
/// <c>unhealthy</c>), with each failing condition named in <see cref="BlockingIssues"/> and the supervisor's lifecycle
/// state in <c>state</c>.
/// </summary>
public sealed record HealthSnapshot(
    DateTimeOffset Timestamp,
    GodotProcessHealth GodotProcess,
    GodotApiHealth GodotApi,
    SceneHealth Scene,
    PlayerHealth Player,
    bool OverallHealthy,
    IReadOnlyList<string> BlockingIssues,
    [property: System.Text.Json.Serialization.JsonIgnore] LifecycleState Lifecycle)
{
    /// <summary>
    /// The documents' verdict: healthy (READY, nothing blocking), degraded (the game runs but is not all there, or the
    /// shared Redis is unreachable while tokens keep working from the local view, or PostgreSQL is unreachable while
    /// records wait in the outbox), or unhealthy.
    /// </summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Server => OverallHealthy ? Redis is { Status: "warn" } || Database is { Status: "warn" } ? "degraded" : "healthy"
        : Lifecycle is LifecycleState.Ready or LifecycleState.Degraded ? "degraded" : "unhealthy";

    /// <summary>The supervisor's lifecycle state (<c>READY</c>, <c>PLAYER_WAITING</c>, <c>FAILED</c>...).</summary>
    public string State => Lifecycle.ToWireName();

    /// <summary>The data dir's storage as this manager's writes find it: "pass", or "fail" with the problem.</summary>
    public StorageHealthJson? Storage { get; init; }

    /// <summary>The shared security state in Redis, when one is used: "pass", or "warn" while it is unreachable.</summary>
    public ServiceCheckJson? Redis { get; init; }

    /// <summary>PostgreSQL, when records go there: "pass", or "warn" while it is unreachable (records wait in the outbox).</summary>
    public ServiceCheckJson? Database { get; init; }
}

/// <summary>The <c>redis</c> and <c>database</c> entries of the manager's <c>/health</c>.</summary>
public sealed record ServiceCheckJson(string Status, string Message);

public sealed record StorageHealthJson(string Status, string? Store, string? Problem);

/// <summary>One run of the game that ended: how, and what the supervisor did next.</summary>
/// <param name="Pid">The pid (and process group) of the run.</param>
/// <param name="StartedAt">When the run started.</param>
/// <param name="ExitedAt">When its exit was noticed.</param>
/// <param name="ExitCode">The exit code; null when a signal ended it.</param>
/// <param name="Signal">The signal that ended it, if any.</param>
/// <param name="Reason">Why the run ended, e.g. "Godot process exited unexpectedly (exit code 3)".</param>
/// <param name="RestartDelay">The back-off before the next start; null when the supervisor did not restart (stop or give-up).</param>
public sealed record ChildExitRecord(
    int Pid,
    DateTimeOffset StartedAt,
    DateTimeOffset ExitedAt,
    int? ExitCode,
    int? Signal,
    string Reason,
    TimeSpan? RestartDelay);

/// <summary>What <c>GET /status</c> reports.</summary>
public sealed record StatusSnapshot(
    LifecycleState State,
    DateTimeOffset StateSince,
    int? Pid,
    DateTimeOffset? StartedAt,
    TimeSpan? Uptime,
    int RestartCount,
    IReadOnlyList<ChildExitRecord> RestartHistory,
    ChildExitRecord? LastExit,
    string? FailureReason,
    string? DegradedReason,
    IReadOnlyList<LifecycleTransition> Transitions,
    IReadOnlyDictionary<LifecycleState, long> StateEntries);
