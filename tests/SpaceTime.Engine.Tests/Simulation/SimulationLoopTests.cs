using SpaceTime.Engine.Simulation;

namespace SpaceTime.Engine.Tests.Simulation;

public sealed class SimulationLoopTests : IAsyncDisposable
{
    // 10 ticks per second: one period is exactly 100 ms of fake time.
    private const int TicksPerSecond = 10;
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly SteppingTimeProvider _time = new();
    private readonly CountingStep _step = new();
    private readonly SimulationLoop _loop;

    public SimulationLoopTests()
    {
        _loop = new SimulationLoop(_step, TicksPerSecond, _time);
    }

    public async ValueTask DisposeAsync() => await _loop.DisposeAsync();

    private async Task StartAndSettleAsync()
    {
        _loop.Start();
        await _time.WaitUntilWaitingAsync();
    }

    [Fact]
    public async Task Start_RunsTheFirstTickImmediatelyThenWaits()
    {
        await StartAndSettleAsync();

        var stats = _loop.GetStatistics();
        Assert.Equal(1, stats.Ticks);
        Assert.Equal(1, _step.Steps);
        Assert.True(stats.Running);
        Assert.True(_loop.IsRunning);
        Assert.Equal(TicksPerSecond, stats.TargetTicksPerSecond);
    }

    [Fact]
    public async Task AdvanceOnePeriod_ProducesExactlyOneTick()
    {
        await StartAndSettleAsync();

        await _time.AdvanceWhenWaitingAsync(Period);
        await Poll.UntilAsync(() => _loop.GetStatistics().Ticks == 2, "the second tick");
        await _time.WaitUntilWaitingAsync();

        Assert.Equal(2, _loop.GetStatistics().Ticks);
        Assert.Equal(2, _step.Steps);
        Assert.Equal(0, _loop.GetStatistics().DroppedTicks);
    }

    [Fact]
    public async Task AdvanceLessThanAPeriod_ProducesNoTick()
    {
        await StartAndSettleAsync();

        await _time.AdvanceWhenWaitingAsync(Period / 2);
        // The timer is not due yet, so the loop stays parked; posted work wakes it to read the clock and wait again.
        await _loop.InvokeAsync(() => { }, TestContext.Current.CancellationToken);

        Assert.Equal(1, _loop.GetStatistics().Ticks);

        await _time.AdvanceWhenWaitingAsync(Period / 2);
        await Poll.UntilAsync(() => _loop.GetStatistics().Ticks == 2, "the tick a full period after the first");
    }

    [Fact]
    public async Task AdvancePeriodByPeriod_ProducesOneTickPerPeriod()
    {
        await StartAndSettleAsync();

        for (var i = 0; i < 25; i++)
        {
            await _time.AdvanceWhenWaitingAsync(Period);
        }

        await Poll.UntilAsync(() => _loop.GetStatistics().Ticks == 26, "26 ticks");
        await _time.WaitUntilWaitingAsync();
        var stats = _loop.GetStatistics();
        Assert.Equal(26, stats.Ticks);
        Assert.Equal(0, stats.DroppedTicks);
        Assert.Equal(0, stats.LateTicks);
        Assert.Equal(0, stats.StepErrors);
        Assert.Equal(26, _loop.GetRecentTickDurations().Length);
        Assert.Equal(0.1, _step.LastDelta, 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(SimulationLoop.MaxCatchUpTicks)]
    public async Task AdvanceSeveralPeriodsAtOnce_UpToCatchUpLimit_CatchesUpEveryTick(int periods)
    {
        await StartAndSettleAsync();

        await _time.AdvanceWhenWaitingAsync(Period * periods);
        await Poll.UntilAsync(() => _loop.GetStatistics().Ticks == 1 + periods, $"{periods} catch-up ticks");
        await _time.WaitUntilWaitingAsync();

        var stats = _loop.GetStatistics();
        Assert.Equal(1 + periods, stats.Ticks);
        Assert.Equal(0, stats.DroppedTicks);
        Assert.Equal(periods - 1, stats.LateTicks);
    }

    [Fact]
    public async Task AdvancePastTheDeadline_RecordsHowLateEachTickStarted()
    {
        var reported = new System.Collections.Concurrent.ConcurrentQueue<double>();
        _loop.TickStarted += seconds => reported.Enqueue(seconds);
        await StartAndSettleAsync();

        // 2.5 periods at once: the tick due at 1 period starts 1.5 periods late, the one due at 2 periods 0.5 late.
        await _time.AdvanceWhenWaitingAsync(Period * 2.5);
        await Poll.UntilAsync(() => _loop.GetStatistics().Ticks == 3, "two catch-up ticks");
        await _time.WaitUntilWaitingAsync();

        Assert.Equal([0, 150, 50], _loop.GetRecentTickLateness().Select(ms => Math.Round(ms, 3)));
        Assert.Equal([0, 0.15, 0.05], reported.Select(s => Math.Round(s, 6)));
        Assert.Equal(2, _loop.GetStatistics().LateTicks);
    }

    [Theory]
    [InlineData(SimulationLoop.MaxCatchUpTicks + 1)]
    [InlineData(10)]
    [InlineData(100)]
    public async Task AdvanceMorePeriodsThanCatchUpLimit_DropsTicks(int periods)
    {
        await StartAndSettleAsync();

        await _time.AdvanceWhenWaitingAsync(Period * periods);
        await Poll.UntilAsync(() => _loop.GetStatistics() is var s && s.Ticks + s.DroppedTicks == 1 + periods, "ticks and drops to cover the jump");
        await _time.WaitUntilWaitingAsync();

        var stats = _loop.GetStatistics();
        Assert.True(stats.DroppedTicks >= periods - SimulationLoop.MaxCatchUpTicks, $"dropped {stats.DroppedTicks}");
        Assert.True(stats.Ticks - 1 <= SimulationLoop.MaxCatchUpTicks, $"ran {stats.Ticks - 1} catch-up ticks");
        Assert.Equal(1 + periods, stats.Ticks + stats.DroppedTicks);

        // The loop keeps its phase afterwards: one more period is one more tick.
        await _time.AdvanceWhenWaitingAsync(Period);
        await Poll.UntilAsync(() => _loop.GetStatistics().Ticks == stats.Ticks + 1, "the tick after the drop");
    }

    [Fact]
    public async Task InvokeAsync_RunsWorkOnTheLoopThread()
    {
        await StartAndSettleAsync();

        var thread = await _loop.InvokeAsync(() => Thread.CurrentThread.Name, TestContext.Current.CancellationToken);
        var ranOn = 0;
        await _loop.InvokeAsync(() => { ranOn = Environment.CurrentManagedThreadId; }, TestContext.Current.CancellationToken);

        Assert.Equal("spacetime-simulation", thread);
        Assert.Equal(_step.ThreadId, ranOn);
        Assert.NotEqual(Environment.CurrentManagedThreadId, ranOn);
    }

    [Fact]
    public async Task InvokeAsync_WorkThrows_PropagatesTheExceptionAndLoopSurvives()
    {
        await StartAndSettleAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _loop.InvokeAsync<int>(() => throw new InvalidOperationException("boom"), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<FormatException>(() =>
            _loop.InvokeAsync(() => throw new FormatException(), TestContext.Current.CancellationToken));

        Assert.Equal("boom", error.Message);
        Assert.Equal(42, await _loop.InvokeAsync(() => 42, TestContext.Current.CancellationToken));
        Assert.True(_loop.IsRunning);
    }

    [Fact]
    public async Task InvokeAsync_ManyConcurrentCallers_AllRunInOrderPerCaller()
    {
        await StartAndSettleAsync();
        var counter = 0;

        var tasks = Enumerable.Range(0, 200).Select(_ => Task.Run(() => _loop.InvokeAsync(() => ++counter))).ToArray();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(200, counter);
        Assert.Equal(Enumerable.Range(1, 200), results.Order());
    }

    [Fact]
    public async Task InvokeAsync_Cancelled_DoesNotRunTheWork()
    {
        await StartAndSettleAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var ran = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _loop.InvokeAsync(() => { ran = true; }, cts.Token));
        await _loop.InvokeAsync(() => { }, TestContext.Current.CancellationToken);

        Assert.False(ran);
    }

    [Fact]
    public async Task ThrowingStep_CountsStepErrorsAndKeepsTicking()
    {
        _step.ThrowOnSteps = [1, 2];
        var failures = new List<Exception>();
        _loop.StepFailed += failures.Add;
        await StartAndSettleAsync();

        for (var i = 0; i < 4; i++)
        {
            await _time.AdvanceWhenWaitingAsync(Period);
        }

        await Poll.UntilAsync(() => _loop.GetStatistics().Ticks == 5, "5 ticks despite failing steps");
        await _time.WaitUntilWaitingAsync();
        var stats = _loop.GetStatistics();
        Assert.Equal(2, stats.StepErrors);
        Assert.Equal(5, _step.Steps);
        Assert.True(stats.Running);
        Assert.Equal(2, failures.Count);
        Assert.All(failures, f => Assert.Equal("step failed", f.Message));
    }

    [Fact]
    public async Task InvokeAsync_BeforeStart_Fails()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _loop.InvokeAsync(() => 1, TestContext.Current.CancellationToken));
        Assert.False(_loop.IsRunning);
    }

    [Fact]
    public async Task InvokeAsync_AfterDispose_Fails()
    {
        await StartAndSettleAsync();

        await _loop.DisposeAsync();

        Assert.False(_loop.IsRunning);
        Assert.False(_loop.GetStatistics().Running);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _loop.InvokeAsync(() => 1, TestContext.Current.CancellationToken));
        Assert.Contains("not running", error.Message);
    }

    [Fact]
    public async Task Dispose_StopsTicking()
    {
        await StartAndSettleAsync();
        await _loop.DisposeAsync();
        var ticks = _loop.GetStatistics().Ticks;

        _time.Advance(Period * 5);

        Assert.Equal(ticks, _loop.GetStatistics().Ticks);
        Assert.Equal(ticks, _step.Steps);
    }

    [Fact]
    public async Task Dispose_Twice_IsHarmless()
    {
        await StartAndSettleAsync();

        await _loop.DisposeAsync();
        await _loop.DisposeAsync();

        Assert.False(_loop.IsRunning);
    }

    [Fact]
    public async Task Start_Twice_Throws()
    {
        await StartAndSettleAsync();

        Assert.Throws<InvalidOperationException>(_loop.Start);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Constructor_TickRateOutOfRange_Throws(int ticksPerSecond)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulationLoop(_step, ticksPerSecond, _time));
    }

    [Fact]
    public void Delta_IsOneOverTheTickRate()
    {
        Assert.Equal(1 / 90.0, new SimulationLoop(_step, 90, _time).Delta, 12);
    }

    [Fact]
    public async Task Scheduling_ReportsWhatTheKernelAppliesToTheLoopThread()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the kernel's view of a thread is read from /proc");
        var step = new ThreadStatStep();
        await using var loop = new SimulationLoop(step, 90, TimeProvider.System);
        loop.Start();
        await Poll.UntilAsync(() => step.Stat is not null, "a tick on the real clock", TimeSpan.FromSeconds(10));

        // /proc/thread-self/stat, after the command name: field 19 is the nice value, 40 rt_priority, 41 policy.
        var stat = step.Stat!;
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var (nice, rtPriority, policy) = (int.Parse(fields[19 - 3]), int.Parse(fields[40 - 3]), int.Parse(fields[41 - 3]));
        var expected = loop.Scheduling.Policy switch
        {
            "realtime" => (Policy: 1, RtPriority: loop.Scheduling.Value, Nice: nice),
            "nice" => (Policy: 0, RtPriority: 0, Nice: loop.Scheduling.Value),
            _ => (Policy: 0, RtPriority: 0, Nice: 0),
        };
        Assert.Equal(expected, (policy, rtPriority, nice));
    }

    /// <summary>Keeps what the kernel says about the thread the steps run on.</summary>
    private sealed class ThreadStatStep : ISimulationStep
    {
        public string? Stat { get; private set; }

        public void Step(double delta) => Stat ??= File.ReadAllText("/proc/thread-self/stat");
    }

    private sealed class CountingStep : ISimulationStep
    {
        private int _steps;

        public int Steps => Volatile.Read(ref _steps);

        public int ThreadId { get; private set; }

        public double LastDelta { get; private set; }

        public int[] ThrowOnSteps { get; set; } = [];

        public void Step(double delta)
        {
            var step = Interlocked.Increment(ref _steps);
            ThreadId = Environment.CurrentManagedThreadId;
            LastDelta = delta;
            if (ThrowOnSteps.Contains(step))
            {
                throw new InvalidOperationException("step failed");
            }
        }
    }
}
