using System.Globalization;
using System.Text;

namespace SpaceTime.Manager.Supervision;

/// <summary>
/// A log file rotated by size: when a line would take <c>file</c> past <see cref="MaxBytes"/>, it becomes
/// <c>file.1</c>, <c>file.1</c> becomes <c>file.2</c> and so on; the oldest beyond <see cref="MaxBackups"/> is deleted.
/// Safe to use from any thread; each line is flushed, so nothing is lost when the manager is killed.
/// </summary>
public sealed class RotatingLogFile : IDisposable
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;
    public const int DefaultMaxBackups = 5;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Lock _sync = new();
    private FileStream? _stream;
    private long _length;
    private bool _disposed;

    public RotatingLogFile(string path, long maxBytes = DefaultMaxBytes, int maxBackups = DefaultMaxBackups)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBackups);
        Path = System.IO.Path.GetFullPath(path);
        MaxBytes = maxBytes;
        MaxBackups = maxBackups;
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }
    }

    public string Path { get; }

    public long MaxBytes { get; }

    public int MaxBackups { get; }

    /// <summary>The path of backup <paramref name="index"/> (1 is the newest).</summary>
    public string BackupPath(int index) => $"{Path}.{index.ToString(CultureInfo.InvariantCulture)}";

    public void WriteLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var bytes = Utf8.GetBytes(line + "\n");
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var stream = _stream ??= Open();
            if (_length > 0 && _length + bytes.Length > MaxBytes)
            {
                stream = Rotate();
            }

            stream.Write(bytes);
            stream.Flush();
            _length += bytes.Length;
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _disposed = true;
            _stream?.Dispose();
            _stream = null;
        }
    }

    private FileStream Open()
    {
        var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _length = stream.Length;
        return stream;
    }

    private FileStream Rotate()
    {
        _stream?.Dispose();
        _stream = null;
        if (MaxBackups == 0)
        {
            File.Delete(Path);
        }
        else
        {
            for (var i = MaxBackups - 1; i >= 1; i--)
            {
                if (File.Exists(BackupPath(i)))
                {
                    File.Move(BackupPath(i), BackupPath(i + 1), overwrite: true);
                }
            }

            File.Move(Path, BackupPath(1), overwrite: true);
        }

        return _stream = Open();
    }
}
