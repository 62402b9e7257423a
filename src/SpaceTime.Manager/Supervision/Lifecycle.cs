namespace SpaceTime.Manager.Supervision;

/// <summary>One change of <see cref="LifecycleState"/>.</summary>
public sealed record LifecycleTransition(LifecycleState From, LifecycleState To, DateTimeOffset At, string Reason);

/// <summary>
/// The current <see cref="LifecycleState"/>, with every transition logged, counted per target state and kept
/// in a bounded history. Safe to read from any thread.
/// </summary>
public sealed partial class Lifecycle
{
    public const int HistorySize = 100;

    private readonly Lock _sync = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Queue<LifecycleTransition> _history = new();
    private readonly Dictionary<LifecycleState, long> _entered = [];
    private long _transitions;

    public Lifecycle(TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
        Since = time.GetUtcNow();
    }

    public LifecycleState Current { get; private set; } = LifecycleState.Stopped;

    public DateTimeOffset Since { get; private set; }

    /// <summary>Fires after each transition, outside the lock.</summary>
    public event Action<LifecycleTransition>? Changed;

    public long TransitionCount
    {
        get
        {
            lock (_sync)
            {
                return _transitions;
            }
        }
    }

    /// <summary>Completes with the state once the lifecycle is in one that <paramref name="done"/> accepts (at once when it already is).</summary>
    public async Task<LifecycleState> WaitForAsync(Func<LifecycleState, bool> done, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource<LifecycleState>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(LifecycleTransition t)
        {
            if (done(t.To))
            {
                reached.TrySetResult(t.To);
            }
        }

        Changed += OnChanged;
        try
        {
            var current = Current;
            return done(current) ? current : await reached.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Changed -= OnChanged;
        }
    }

    /// <summary>Moves to <paramref name="to"/>; a move to the current state changes nothing and returns false.</summary>
    public bool MoveTo(LifecycleState to, string reason)
    {
        LifecycleTransition transition;
        lock (_sync)
        {
            if (Current == to)
            {
                return false;
            }

            transition = new LifecycleTransition(Current, to, _time.GetUtcNow(), reason);
            Current = to;
            Since = transition.At;
            _transitions++;
            _entered[to] = _entered.GetValueOrDefault(to) + 1;
            _history.Enqueue(transition);
            while (_history.Count > HistorySize)
            {
                _history.Dequeue();
            }
        }

        var level = to switch
        {
            LifecycleState.Failed => LogLevel.Error,
            LifecycleState.Degraded => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        LogTransition(_logger, level, transition.From.ToWireName(), to.ToWireName(), reason);
        Changed?.Invoke(transition);
        return true;
    }

    /// <summary>How many times each state was entered.</summary>
    public IReadOnlyDictionary<LifecycleState, long> EnteredCounts()
    {
        lock (_sync)
        {
            return new Dictionary<LifecycleState, long>(_entered);
        }
    }

    /// <summary>The last <see cref="HistorySize"/> transitions, oldest first.</summary>
    public IReadOnlyList<LifecycleTransition> History()
    {
        lock (_sync)
        {
            return [.. _history];
        }
    }

    [LoggerMessage(EventId = 100, Message = "Lifecycle {From} -> {To}: {Reason}")]
    private static partial void LogTransition(ILogger logger, LogLevel level, string from, string to, string reason);
}
