using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Win32.SafeHandles;
using SpaceTime.Security.Storage;

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

/// <summary>One record as written: the event with its time and the instance that wrote it.</summary>
public sealed record AuditRecord(string Timestamp, string? InstanceId, string Event, string Result, string? Client, string? Endpoint, string? Subject, string? Role, int? Status, string? Details);

/// <summary>Receives each record once it is in the file (the PostgreSQL outbox); throws when it cannot keep it.</summary>
public interface IAuditForwarder
{
    void Forward(AuditRecord record);
}

/// <summary>
/// The audit trail of a data dir: one JSON object per line in <c>audit.log</c>, shared by every process that uses
/// the data dir (the manager and its game, or two <c>spacetime serve</c>). Each record is appended under an
/// exclusive <c>flock</c> on <c>audit.log.lock</c> with one positioned write at the end of the file, so lines from
/// different processes never tear or overwrite each other and the file's order is the order of commit. Rotation
/// happens under the same lock; a counter in the lock file tells the other processes to reopen. A record is
/// acknowledged once it is in the kernel (no fsync: a killed process loses nothing written; a power cut is the
/// file system's business). A torn last line left by a failed or killed write is cut off before the next append.
/// </summary>
public sealed class AuditLog : IDisposable
{
    public const string FileName = "audit.log";
    public const string StoreName = "audit trail";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _maxBytes;
    private readonly TimeSpan _retention;
    private readonly string? _instanceId;
    private readonly StorageHealth? _storage;
    private AdvisoryFileLock? _fileLock;
    private SafeFileHandle? _file;
    private long _generation = -1;
    private long _written;

    public AuditLog(string folder, bool enabled, double maxFileSizeMb, int retentionDays, TimeProvider time,
        string? instanceId = null, StorageHealth? storage = null)
    {
        Folder = Path.GetFullPath(folder);
        Enabled = enabled;
        _time = time;
        _maxBytes = (long)(maxFileSizeMb * 1024 * 1024);
        _retention = TimeSpan.FromDays(retentionDays);
        _instanceId = instanceId;
        _storage = storage;
        if (enabled)
        {
            Directory.CreateDirectory(Folder);
            RemoveExpired();
        }
    }

    public string Folder { get; }

    public bool Enabled { get; }

    public string CurrentFile => Path.Combine(Folder, FileName);

    /// <summary>Records this process appended.</summary>
    public long EventsWritten => Interlocked.Read(ref _written);

    /// <summary>Where records also go once written (PostgreSQL); set by the host before the first request.</summary>
    public IAuditForwarder? Forwarder { get; set; }

    /// <summary>
    /// Best effort, for records that must not change the answer (an authentication failure stays a 401): a record
    /// that cannot be written marks storage failed and is dropped.
    /// </summary>
    public void Write(AuditEvent e)
    {
        try
        {
            WriteDurable(e);
        }
        catch (StorageUnavailableException)
        {
            // Storage health now says why; the request's own answer stands.
        }
    }

    /// <summary>For records a request's answer depends on: throws when the record cannot be made durable.</summary>
    /// <exception cref="StorageUnavailableException">The file (or the forwarder's outbox) cannot be written.</exception>
    public void WriteDurable(AuditEvent e)
    {
        if (!Enabled)
        {
            return;
        }

        AuditRecord record;
        lock (_lock)
        {
            try
            {
                _fileLock ??= new AdvisoryFileLock(CurrentFile + ".lock");
                using (_fileLock.Acquire())
                {
                    // The time is taken under the lock, so the file's order is also the timestamps' order.
                    record = new AuditRecord(_time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                        _instanceId, e.Event, e.Result, e.Client, e.Endpoint, e.Subject, e.Role, e.Status, e.Details);
                    Append(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json) + "\n"));
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                CloseFile();
                _storage?.Failed(StoreName, error);
                throw new StorageUnavailableException(StoreName, StorageUnavailableException.Describe(error), error);
            }
        }

        _storage?.Succeeded(StoreName);
        Interlocked.Increment(ref _written);
        Forwarder?.Forward(record);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            CloseFile();
            _fileLock?.Dispose();
            _fileLock = null;
        }
    }

    /// <summary>Appends one line; the caller holds the file lock.</summary>
    private void Append(byte[] line)
    {
        var generation = _fileLock!.ReadCounter();
        if (_file is null || generation != _generation || !File.Exists(CurrentFile))
        {
            CloseFile();
            _file = File.OpenHandle(CurrentFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            _generation = generation;
        }

        var length = RepairTornTail(_file);
        if (length > 0 && length + line.Length > _maxBytes)
        {
            Rotate();
            length = 0;
        }

        try
        {
            RandomAccess.Write(_file, line, length);
        }
        catch (IOException)
        {
            // A partial line (disk full mid-write) is not a record: cut it off so the file stays whole lines.
            TryTruncate(_file, length);
            throw;
        }
    }

    /// <summary>The file's length after cutting off a last line without its newline (a write that never finished).</summary>
    private static long RepairTornTail(SafeFileHandle file)
    {
        var length = RandomAccess.GetLength(file);
        if (length == 0)
        {
            return 0;
        }

        Span<byte> last = stackalloc byte[1];
        RandomAccess.Read(file, last, length - 1);
        if (last[0] == (byte)'\n')
        {
            return length;
        }

        var window = new byte[(int)Math.Min(length, 1024 * 1024)];
        var start = length - window.Length;
        RandomAccess.Read(file, window, start);
        var newline = Array.LastIndexOf(window, (byte)'\n');
        var keep = newline < 0 ? start : start + newline + 1;
        RandomAccess.SetLength(file, keep);
        return keep;
    }

    private static void TryTruncate(SafeFileHandle file, long length)
    {
        try
        {
            RandomAccess.SetLength(file, length);
        }
        catch (IOException)
        {
            // The next append cuts the torn tail instead.
        }
    }

    private void Rotate()
    {
        CloseFile();
        var stamp = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        var target = Path.Combine(Folder, $"audit-{stamp}.log");
        for (var i = 1; File.Exists(target); i++)
        {
            target = Path.Combine(Folder, $"audit-{stamp}-{i}.log");
        }

        File.Move(CurrentFile, target);
        _generation = _fileLock!.ReadCounter() + 1;
        _fileLock.WriteCounter(_generation);
        _file = File.OpenHandle(CurrentFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        RemoveExpired();
    }

    private void CloseFile()
    {
        _file?.Dispose();
        _file = null;
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
}
