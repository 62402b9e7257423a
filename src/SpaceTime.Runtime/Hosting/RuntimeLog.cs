namespace SpaceTime.Runtime.Hosting;

/// <summary>The runtime's log messages (source-generated, structured).</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1, LogLevel.Information, "SpaceTime runtime starting: environment {Environment}, project {Project}, {TickRate} ticks/s, started {StartedAt:O}")]
    public static partial void Starting(ILogger logger, string environment, string project, int tickRate, DateTimeOffset startedAt);

    [LoggerMessage(2, LogLevel.Information, "Scene {ScenePath} loaded in {DurationMs:F1} ms ({NodeCount} nodes)")]
    public static partial void SceneLoaded(ILogger logger, string scenePath, double durationMs, int nodeCount);

    [LoggerMessage(3, LogLevel.Warning, "Scene {ScenePath} failed to load: {Reason}")]
    public static partial void SceneLoadFailed(ILogger logger, string scenePath, string reason);

    [LoggerMessage(4, LogLevel.Information, "Player {Player} spawned at ({X:F2}, {Y:F2}, {Z:F2})")]
    public static partial void PlayerSpawned(ILogger logger, string player, float x, float y, float z);

    [LoggerMessage(5, LogLevel.Error, "A simulation step failed; the loop keeps running")]
    public static partial void StepFailed(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Information, "HTTP API listening on {Url}")]
    public static partial void Listening(ILogger logger, string url);

    [LoggerMessage(7, LogLevel.Warning, "Port {Port} is in use; trying {NextPort}")]
    public static partial void PortInUse(ILogger logger, int port, int nextPort);

    [LoggerMessage(8, LogLevel.Error, "Could not record scene history, so the load is not acknowledged: {Reason}")]
    public static partial void HistoryWriteFailed(ILogger logger, string reason);

    [LoggerMessage(10, LogLevel.Warning, "HTTP API is off in environment {Environment} (set GODOT_ENABLE_HTTP_API=true to serve it); the game runs without it")]
    public static partial void HttpApiOff(ILogger logger, string environment);

    [LoggerMessage(9, LogLevel.Information, "SpaceTime runtime stopping")]
    public static partial void Stopping(ILogger logger);
}
