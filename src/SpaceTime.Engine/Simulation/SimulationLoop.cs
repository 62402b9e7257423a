using System.Collections.Concurrent;

namespace SpaceTime.Engine.Simulation;

/// <summary>What the loop advances each tick.</summary>
public interface ISimulationStep
{
    /// <summary>Advances the simulation by <paramref name="delta"/> seconds. Runs on the loop thread.</summary>
    void Step(double delta);
}

/// <summary>
/// A fixed-step simulation loop on its own thread. Ticks at <see cref="TicksPerSecond"/> against an injected
/// <see cref="TimeProvider"/>, measures each tick, and runs work posted from other threads between ticks,
/// so the simulation state is only ever touched by one thread.
/// </summary>
public sealed class SimulationLoop : IAsyncDisposable
{
    /// <summary>How far (in periods) the loop may fall behind before it skips ticks instead of catching up.</summary>
    public const int MaxCatchUpTicks = 3;

    private const int HistorySize = 1024;

    /// <summary>
    /// How long before a tick is due the loop stops sleeping and spins: a kernel wait wakes a little late (timer slack,
    /// scheduling, whole milliseconds), a spinning thread starts the tick on time. No posted work starts in this window,
    /// so none can push the tick back.
    /// </summary>
    private static readonly TimeSpan SpinWindow = TimeSpan.FromMilliseconds(1.5);

    /// <summary>
    /// The spin window of a real-time loop thread: it is woken at once and without timer slack, so spinning only covers
    /// the kernel wait's whole milliseconds.
    /// </summary>
    private static readonly TimeSpan RealtimeSpinWindow = TimeSpan.FromMilliseconds(0.3);

    private readonly ISimulationStep _step;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<Action> _work = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _period;
    private readonly long[] _tickStarts = new long[HistorySize];
    private readonly long[] _tickDurations = new long[HistorySize];
    private readonly long[] _tickLateness = new long[HistorySize];
    private long _spinWindow;
    private readonly Lock _historyLock = new();
    private readonly Thread _thread;
    private ITimer? _timer;
    private long _startedAt;
    private long _ticks;
    private long _lateTicks;
    private long _droppedTicks;
    private long _stepErrors;
    private long _lastDuration;
    private long _lastTickStart;
    private long _maxDuration;
    private long _totalDuration;
    private volatile bool _stopping;
    private int _state; // 0 new, 1 running, 2 stopped
    private int _finalDrain;

    public SimulationLoop(ISimulationStep step, int ticksPerSecond, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ticksPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ticksPerSecond, 1000);
        _step = step;
        _time = time ?? TimeProvider.System;
        TicksPerSecond = ticksPerSecond;
        _period = (long)Math.Round(_time.TimestampFrequency / (double)ticksPerSecond);
        // Spinning needs a clock that moves by itself; a test's manual clock is only ever waited on.
        _spinWindow = ReferenceEquals(_time, TimeProvider.System) ? (long)(SpinWindow.TotalSeconds * _time.TimestampFrequency) : 0;
        _thread = new Thread(Run) { IsBackground = true, Name = "spacetime-simulation", Priority = ThreadPriority.AboveNormal };
    }

    public int TicksPerSecond { get; }

    public double Delta => 1.0 / TicksPerSecond;

    public bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>Raised on the loop thread when a step throws; the loop keeps running.</summary>
    public event Action<Exception>? StepFailed;

    /// <summary>Raised on the loop thread after each tick with its duration in seconds; handlers must be quick.</summary>
    public event Action<double>? TickCompleted;

    /// <summary>
    /// Raised on the loop thread as each tick starts, with how late it started (seconds after it was due; 0 when on
    /// time); handlers must be quick.
    /// </summary>
    public event Action<double>? TickStarted;

    /// <summary>How the loop thread is scheduled (raised where the platform and the process's limits allow; see <c>LoopThreadPriority</c>).</summary>
    public LoopScheduling Scheduling { get; private set; } = LoopScheduling.Default;

    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("the simulation loop was already started");
        }

        _startedAt = _time.GetTimestamp();
        _timer = _time.CreateTimer(_ => _wake.Set(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the loop thread between ticks and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<T> work, CancellationToken cancellationToken = default)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Volatile.Read(ref _state) != 1 || _stopping)
        {
            completion.SetException(new InvalidOperationException("the simulation loop is not running"));
            return completion.Task;
        }

        var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        _work.Enqueue(() =>
        {
            registration.Dispose();
            if (completion.Task.IsCompleted)
            {
                return;
            }

            try
            {
                completion.TrySetResult(work());
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        });
        _wake.Set();
        if (Volatile.Read(ref _finalDrain) == 1)
        {
            // The loop thread is past its last look at the queue (or about to take it): if that look
            // missed this item, nothing will run it, so fail it here (a no-op if it did run).
            completion.TrySetException(new InvalidOperationException("the simulation loop is not running"));
        }

        return completion.Task;
    }

    public Task InvokeAsync(Action work, CancellationToken cancellationToken = default) =>
        InvokeAsync(() =>
        {
            work();
            return true;
        }, cancellationToken);

    public LoopStatistics GetStatistics()
    {
        var now = _time.GetTimestamp();
        var ticks = Interlocked.Read(ref _ticks);
        double achieved;
        lock (_historyLock)
        {
            // Ticks started within the last second: walk back from the newest (about a second's worth of entries, not
            // the whole history, since the lock is shared with every caller and the loop thread).
            ticks = Interlocked.Read(ref _ticks);
            var window = _time.TimestampFrequency;
            var count = 0;
            var available = Math.Min(ticks, HistorySize);
            while (count < available && now - _tickStarts[(ticks - 1 - count) % HistorySize] <= window)
            {
                count++;
            }

            var elapsed = Math.Min(now - _startedAt, window);
            achieved = elapsed > 0 && ticks > 0 ? count * (double)_time.TimestampFrequency / elapsed : 0;
        }

        return new LoopStatistics(
            TicksPerSecond,
            ticks,
            Math.Min(achieved, TicksPerSecond * 1.05),
            ToMilliseconds(Interlocked.Read(ref _lastDuration)),
            ticks > 0 ? ToMilliseconds(Interlocked.Read(ref _totalDuration)) / ticks : 0,
            ToMilliseconds(Interlocked.Read(ref _maxDuration)),
            Interlocked.Read(ref _lateTicks),
            Interlocked.Read(ref _droppedTicks),
            Interlocked.Read(ref _stepErrors),
            IsRunning,
            ticks > 0 ? (now - Interlocked.Read(ref _lastTickStart)) / (double)_time.TimestampFrequency : null);
    }

    /// <summary>Durations (ms) of up to the last 1,024 ticks, oldest first.</summary>
    public double[] GetRecentTickDurations() => ReadHistory(_tickDurations);

    /// <summary>How late (ms after they were due) up to the last 1,024 ticks started, oldest first.</summary>
    public double[] GetRecentTickLateness() => ReadHistory(_tickLateness);

    private double[] ReadHistory(long[] history)
    {
        lock (_historyLock)
        {
            var ticks = Interlocked.Read(ref _ticks);
            var count = (int)Math.Min(ticks, HistorySize);
            var result = new double[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = ToMilliseconds(history[(ticks - count + i) % HistorySize]);
            }

            return result;
        }
    }

    public async ValueTask DisposeAsync()
    {
        var previous = Interlocked.Exchange(ref _state, 2);
        if (previous == 1)
        {
            _stopping = true;
            _wake.Set();
            await _stopped.Task.ConfigureAwait(false);
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        _wake.Dispose();
    }

    private double ToMilliseconds(long timestampTicks) => timestampTicks * 1000.0 / _time.TimestampFrequency;

    private void Run()
    {
        Scheduling = LoopThreadPriority.RaiseCurrentThread();
        if (_spinWindow > 0 && Scheduling.IsRealtime)
        {
            _spinWindow = (long)(RealtimeSpinWindow.TotalSeconds * _time.TimestampFrequency);
        }

        var next = _time.GetTimestamp();
        try
        {
            while (!_stopping)
            {
                var now = _time.GetTimestamp();
                if (now < next - _spinWindow)
                {
                    // Posted work runs while the tick is not close; what is left waits for the next gap.
                    if (!RunPendingWork(next - _spinWindow))
                    {
                        WaitFor(next - _spinWindow - now);
                    }

                    continue;
                }

                if (now < next)
                {
                    now = SpinUntil(next);
                    if (_stopping)
                    {
                        break;
                    }
                }

                var behind = now - next;
                if (behind >= _period * MaxCatchUpTicks)
                {
                    // Too far behind to catch up without a burst of ticks: skip them, keep the phase.
                    var skipped = behind / _period;
                    Interlocked.Add(ref _droppedTicks, skipped);
                    next += skipped * _period;
                }
                else if (behind > _period / 4)
                {
                    Interlocked.Increment(ref _lateTicks);
                }

                RunTick(now, behind);
                next += _period;
                if (_time.GetTimestamp() >= next - _spinWindow && _work.TryDequeue(out var item))
                {
                    // Behind, with no gap before the next tick: one posted item runs anyway, so work never starves.
                    item();
                }
            }
        }
        finally
        {
            DrainPendingWork();
            Volatile.Write(ref _finalDrain, 1);
            DrainPendingWork();
            _stopped.TrySetResult();
        }
    }

    private void RunTick(long start, long lateness)
    {
        TickStarted?.Invoke(lateness / (double)_time.TimestampFrequency);
        try
        {
            _step.Step(Delta);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _stepErrors);
            StepFailed?.Invoke(e);
        }

        var duration = _time.GetTimestamp() - start;
        lock (_historyLock)
        {
            var slot = (int)(_ticks % HistorySize);
            _tickStarts[slot] = start;
            _tickDurations[slot] = duration;
            _tickLateness[slot] = lateness;
            Interlocked.Exchange(ref _lastTickStart, start);
            Interlocked.Increment(ref _ticks);
        }

        TickCompleted?.Invoke(duration / (double)_time.TimestampFrequency);
        Interlocked.Exchange(ref _lastDuration, duration);
        Interlocked.Add(ref _totalDuration, duration);
        if (duration > Interlocked.Read(ref _maxDuration))
        {
            Interlocked.Exchange(ref _maxDuration, duration);
        }
    }

    private void WaitFor(long timestampTicks)
    {
        _wake.Reset();
        if (!_work.IsEmpty || _stopping)
        {
            return;
        }

        var due = TimeSpan.FromSeconds(timestampTicks / (double)_time.TimestampFrequency);
        if (ReferenceEquals(_time, TimeProvider.System))
        {
            // A kernel timed wait is far more precise than the timer queue (which often fires milliseconds late). It
            // counts whole milliseconds, so wait at least one: the spin window covers what is left over.
            _wake.Wait(Math.Max(1, (int)due.TotalMilliseconds));
            return;
        }

        _timer!.Change(due, Timeout.InfiniteTimeSpan);
        _wake.Wait();
    }

    /// <summary>Runs posted work until the queue is empty or <paramref name="until"/> has come; true if it ran any.</summary>
    private bool RunPendingWork(long until)
    {
        var ran = false;
        while (_time.GetTimestamp() < until && _work.TryDequeue(out var item))
        {
            item();
            ran = true;
        }

        return ran;
    }

    /// <summary>Busy-waits (at most <see cref="SpinWindow"/>) until <paramref name="due"/>; returns the time then.</summary>
    private long SpinUntil(long due)
    {
        long now;
        while ((now = _time.GetTimestamp()) < due && !_stopping)
        {
            Thread.SpinWait(20);
        }

        return now;
    }

    private void DrainPendingWork()
    {
        // Work accepted before the stop still runs, so no caller waits forever.
        while (_work.TryDequeue(out var item))
        {
            item();
        }
    }
}

/// <summary>A snapshot of the loop's counters. Durations in milliseconds, rates in ticks per second.</summary>
public sealed record LoopStatistics(
    int TargetTicksPerSecond,
    long Ticks,
    double AchievedTicksPerSecond,
    double LastTickMs,
    double AverageTickMs,
    double MaxTickMs,
    long LateTicks,
    long DroppedTicks,
    long StepErrors,
    bool Running,
    double? SecondsSinceLastTick);
