namespace SpaceTime.Manager.Supervision;

/// <summary>The supervisor's log messages. Never given the API token or the child's environment.</summary>
internal static partial class SupervisorLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Starting the game: {CommandLine}")]
    public static partial void Starting(ILogger logger, string commandLine);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Game started, pid {Pid} (process group {Pid})")]
    public static partial void Started(ILogger logger, int pid);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "The game could not be started: {Error}")]
    public static partial void StartFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Game run of pid {Pid} ended after {RuntimeSeconds:F1} s: {Reason}")]
    public static partial void RunEnded(ILogger logger, int pid, double runtimeSeconds, string reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Restarting the game in {DelaySeconds:F1} s ({Failures} failures in the window)")]
    public static partial void RestartScheduled(ILogger logger, double delaySeconds, int failures);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Scene load {Attempt}/{Attempts} of {Scene} failed: {Error}")]
    public static partial void SceneLoadFailed(ILogger logger, int attempt, int attempts, string scene, string? error);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Health check {Failures}/{Threshold} failed: the game API did not answer ({Error})")]
    public static partial void CheckFailed(ILogger logger, int failures, int threshold, string? error);

    [LoggerMessage(EventId = 207, Level = LogLevel.Information, Message = "Stopping the game (pid {Pid}): SIGTERM to its group, SIGKILL after {GraceSeconds:F1} s")]
    public static partial void Stopping(ILogger logger, int pid, double graceSeconds);

    [LoggerMessage(EventId = 208, Level = LogLevel.Error, Message = "Supervision error: {Error}")]
    public static partial void SupervisionError(ILogger logger, string error, Exception exception);

    [LoggerMessage(EventId = 209, Level = LogLevel.Error, Message = "The game's process group could not be ended: {Error}")]
    public static partial void StopFailed(ILogger logger, string error);
}
