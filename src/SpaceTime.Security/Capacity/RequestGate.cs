using System.Globalization;
using System.Threading.RateLimiting;
using SpaceTime.Security.Http;

namespace SpaceTime.Security.Capacity;

/// <summary>
/// Bounds the requests processed at once (<see cref="HttpApiSettings.MaxConcurrentRequests"/>). A request beyond it
/// waits for a slot in a bounded queue (<see cref="HttpApiSettings.RequestQueueLimit"/>) for at most
/// <see cref="HttpApiSettings.RequestQueueTimeoutMs"/>, else it is answered at once with 503, <c>Retry-After</c> and
/// problem+json: overload is answered quickly instead of stalling every client. Probes (<c>/health</c>, <c>/livez</c>)
/// are never held here, so monitoring and the manager see a live server while the API is saturated.
/// </summary>
public sealed class RequestGate : IDisposable
{
    /// <summary>What a refused client is told to wait, in seconds.</summary>
    public const int RetryAfterSeconds = 1;

    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _queueTimeout;
    private readonly Func<PathString, bool> _applies;
    private readonly int _permits;
    private long _refused;

    /// <param name="settings">The limits.</param>
    /// <param name="applies">Which request paths the gate holds (probes are exempt whatever it says).</param>
    public RequestGate(HttpApiSettings settings, Func<PathString, bool>? applies = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _permits = settings.MaxConcurrentRequests;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.MaxConcurrentRequests,
            QueueLimit = settings.RequestQueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _queueTimeout = TimeSpan.FromMilliseconds(settings.RequestQueueTimeoutMs);
        _applies = applies ?? (_ => true);
    }

    /// <summary>Requests answered 503 because the server was at capacity.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Requests holding a slot now.</summary>
    public long InFlight => _permits - (_limiter.GetStatistics()?.CurrentAvailablePermits ?? _permits);

    /// <summary>Requests waiting for a slot now.</summary>
    public long Queued => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    public bool Applies(PathString path) => !SecurityPipeline.IsProbe(path) && _applies(path);

    /// <summary>A slot for one request, or null when the server is at capacity (queue full, or no slot within the queue timeout).</summary>
    public async ValueTask<RateLimitLease?> EnterAsync(CancellationToken cancellationToken)
    {
        var lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        if (_queueTimeout > TimeSpan.Zero)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_queueTimeout);
            try
            {
                lease = await _limiter.AcquireAsync(1, timeout.Token);
                if (lease.IsAcquired)
                {
                    return lease;
                }

                lease.Dispose();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Waited as long as allowed: refuse below.
            }
        }

        Interlocked.Increment(ref _refused);
        return null;
    }

    public void Dispose() => _limiter.Dispose();

    /// <summary>503 with <c>Retry-After</c>, as problem+json.</summary>
    internal static Task RefuseAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, "The server is at capacity; retry shortly",
                new Dictionary<string, object?> { ["reason"] = "overloaded", ["retry_after_seconds"] = RetryAfterSeconds })
            .ExecuteAsync(context);
    }
}
