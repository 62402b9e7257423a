namespace SpaceTime.Security.Configuration;

/// <summary>The documents' log levels (<c>GODOT_LOG_LEVEL</c>: ERROR, WARN, INFO, DEBUG) as .NET log levels.</summary>
public static class LogLevels
{
    public static bool TryParse(string? text, out LogLevel level)
    {
        LogLevel? parsed = text?.Trim().ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" or "fatal" => LogLevel.Critical,
            "none" => LogLevel.None,
            _ => null,
        };
        level = parsed ?? LogLevel.Information;
        return parsed is not null;
    }
}
