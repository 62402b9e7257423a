using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpaceTime.Security.Audit;

/// <summary>One audit record. <see cref="Result"/> uses the original's names (AUTH_SUCCESS, AUTH_FAILURE, RATE_LIMIT...).</summary>
public sealed record AuditEvent(
    string Event,
    string Result,
    string? Client = null,
    string? Endpoint = null,
    string? Subject = null,
    string? Role = null,
    int? Status = null,
    string? Details = null);

/// <summary>
/// The audit log: one JSON object per line in <c>audit.log</c>. Lines are written whole under a lock and flushed,
/// so concurrent requests never tear or interleave them and a crash loses nothing already written. The file is
/// rotated by size; rotated files older than the retention period are deleted.
/// </summary>
public sealed class AuditLog : IDisposable
{
    public const string FileName = "audit.log";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _maxBytes;
    private readonly TimeSpan _retention;
    private FileStream? _stream;
    private long _written;

    public AuditLog(string folder, bool enabled, double maxFileSizeMb, int retentionDays, TimeProvider time)
    {
        Folder = Path.GetFullPath(folder);
        Enabled = enabled;
        _time = time;
        _maxBytes = (long)(maxFileSizeMb * 1024 * 1024);
        _retention = TimeSpan.FromDays(retentionDays);
        if (enabled)
        {
            Directory.CreateDirectory(Folder);
            RemoveExpired();
        }
    }

    public string Folder { get; }

    public bool Enabled { get; }

    public string CurrentFile => Path.Combine(Folder, FileName);

    public long EventsWritten { get; private set; }

    public void Write(AuditEvent e)
    {
        if (!Enabled)
        {
            return;
        }

        var record = new AuditRecord(_time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            e.Event, e.Result, e.Client, e.Endpoint, e.Subject, e.Role, e.Status, e.Details);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json) + "\n");
        lock (_lock)
        {
            if (_stream is not null && _written + line.Length > _maxBytes && _written > 0)
            {
                Rotate();
            }

            _stream ??= Open();
            _stream.Write(line);
            _stream.Flush();
            _written += line.Length;
            EventsWritten++;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }

    private FileStream Open()
    {
        var stream = new FileStream(CurrentFile, FileMode.Append, FileAccess.Write, FileShare.Read);
        _written = stream.Length;
        return stream;
    }

    private void Rotate()
    {
        _stream!.Dispose();
        _stream = null;
        var stamp = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        var target = Path.Combine(Folder, $"audit-{stamp}.log");
        for (var i = 1; File.Exists(target); i++)
        {
            target = Path.Combine(Folder, $"audit-{stamp}-{i}.log");
        }

        File.Move(CurrentFile, target);
        RemoveExpired();
    }

    private void RemoveExpired()
    {
        var cutoff = _time.GetUtcNow().UtcDateTime - _retention;
        foreach (var file in Directory.EnumerateFiles(Folder, "audit-*.log"))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff)
            {
                File.Delete(file);
            }
        }
    }

    private sealed record AuditRecord(string Timestamp, string Event, string Result, string? Client, string? Endpoint, string? Subject, string? Role, int? Status, string? Details);
}
