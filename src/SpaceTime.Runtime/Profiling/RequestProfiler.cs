using SpaceTime.Engine.Simulation;

namespace SpaceTime.Runtime.Profiling;

public sealed record RouteProfile(string Route, string Method, long Count, long Errors, double P50Ms, double P95Ms, double P99Ms, double MaxMs, double MeanMs);

/// <summary>
/// Per-route latency over a rolling window (the table the checklist's "Performance Baseline Verification" reads).
/// Keeps at most <see cref="MaxSamplesPerRoute"/> recent samples per route, so memory stays bounded.
/// </summary>
public sealed class RequestProfiler(TimeProvider time)
{
    public const int MaxSamplesPerRoute = 4096;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly Dictionary<(string Route, string Method), Queue<Sample>> _samples = [];
    private readonly Lock _lock = new();

    public void Record(string route, string method, int status, double milliseconds)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_samples.TryGetValue((route, method), out var queue))
            {
                _samples[(route, method)] = queue = new Queue<Sample>();
            }

            queue.Enqueue(new Sample(now, milliseconds, status >= 500));
            Trim(queue, now);
        }
    }

    public IReadOnlyList<RouteProfile> Snapshot()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var result = new List<RouteProfile>();
            foreach (var ((route, method), queue) in _samples)
            {
                Trim(queue, now);
                if (queue.Count == 0)
                {
                    continue;
                }

                var sorted = queue.Select(s => s.Milliseconds).Order().ToArray();
                result.Add(new RouteProfile(route, method, sorted.Length, queue.Count(s => s.Error),
                    Round(Percentiles.NearestRank(sorted, 0.50)), Round(Percentiles.NearestRank(sorted, 0.95)),
                    Round(Percentiles.NearestRank(sorted, 0.99)), Round(sorted[^1]), Round(sorted.Average())));
            }

            return [.. result.OrderBy(r => r.Route, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)];
        }
    }

    private static double Round(double value) => Math.Round(value, 3);

    private static void Trim(Queue<Sample> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && (queue.Count > MaxSamplesPerRoute || now - queue.Peek().At > Window))
        {
            queue.Dequeue();
        }
    }

    private readonly record struct Sample(DateTimeOffset At, double Milliseconds, bool Error);
}
