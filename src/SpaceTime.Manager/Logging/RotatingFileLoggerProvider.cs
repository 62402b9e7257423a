using System.Globalization;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Logging;

/// <summary>
/// Writes the manager's own log to a size-rotated file (<c>spacetime-manager.log</c>), and to a <see cref="LogRing"/>
/// when one is given, one line per entry: time, level, category, message (and exception).
/// </summary>
public sealed class RotatingFileLoggerProvider : ILoggerProvider
{
    public const string FileName = "spacetime-manager.log";

    private readonly RotatingLogFile _file;
    private readonly LogRing? _ring;
    private readonly TimeProvider _time;
    private readonly LogLevel _minimum;

    public RotatingFileLoggerProvider(RotatingLogFile file, TimeProvider time, LogRing? ring = null, LogLevel minimum = LogLevel.Information)
    {
        _file = file;
        _time = time;
        _ring = ring;
        _minimum = minimum;
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose() => _file.Dispose();

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var now = _time.GetUtcNow();
        var text = exception is null ? message : $"{message}{Environment.NewLine}{exception}";
        var line = $"{now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} {Short(level)} {category}: {text}";
        _ring?.Add(new LogLine(now, "manager", $"{Short(level)} {category}: {message}"));
        try
        {
            _file.WriteLine(line);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Logging must never take the manager down.
        }
    }

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class FileLogger(RotatingFileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
