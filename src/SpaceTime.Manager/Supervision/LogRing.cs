namespace SpaceTime.Manager.Supervision;

/// <summary>The last <see cref="Capacity"/> lines in memory, for <c>GET /logs?tail=N</c>. Safe to use from any thread.</summary>
public sealed class LogRing
{
    public const int DefaultCapacity = 1000;

    private readonly Lock _sync = new();
    private readonly LogLine[] _lines;
    private int _next;
    private int _count;
    private long _total;

    public LogRing(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _lines = new LogLine[capacity];
    }

    public int Capacity => _lines.Length;

    /// <summary>Lines held now (at most <see cref="Capacity"/>).</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _count;
            }
        }
    }

    /// <summary>Lines ever added, including those since overwritten.</summary>
    public long TotalAdded
    {
        get
        {
            lock (_sync)
            {
                return _total;
            }
        }
    }

    public void Add(LogLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lock (_sync)
        {
            _lines[_next] = line;
            _next = (_next + 1) % _lines.Length;
            _count = Math.Min(_count + 1, _lines.Length);
            _total++;
        }
    }

    /// <summary>The newest <paramref name="count"/> lines, oldest first.</summary>
    public IReadOnlyList<LogLine> Tail(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_sync)
        {
            var take = Math.Min(count, _count);
            var result = new LogLine[take];
            var start = (_next - take + _lines.Length) % _lines.Length;
            for (var i = 0; i < take; i++)
            {
                result[i] = _lines[(start + i) % _lines.Length];
            }

            return result;
        }
    }
}
