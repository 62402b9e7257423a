using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SpaceTime.Manager.Logging;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Tests.Supervision;

/// <summary>The supervisor against real child processes: the real <c>spacetime serve</c>, and shell scripts that misbehave.</summary>
public sealed class GameSupervisorTests : IAsyncDisposable
{
    /// <summary>Generous: a loaded 2-core machine starts a .NET child in a few seconds, not one.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder = new();
    private readonly List<GameSupervisor> _supervisors = [];
    private readonly List<int> _suspendedGroups = [];
    private readonly ILoggerFactory _loggers;

    public GameSupervisorTests()
    {
        var file = new RotatingLogFile(Path.Combine(_folder.Path, "logs", RotatingFileLoggerProvider.FileName));
        _loggers = LoggerFactory.Create(b => b.AddProvider(new RotatingFileLoggerProvider(file, TimeProvider.System)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pgid in _suspendedGroups)
        {
            // Whatever a failed test left stopped: wake it so it can die, then kill it.
            ProcessGroup.Signal(pgid, Signals.Cont);
            ProcessGroup.Signal(pgid, Signals.Kill);
        }

        foreach (var supervisor in _supervisors)
        {
            await supervisor.DisposeAsync();
        }

        _loggers.Dispose();
        _folder.Dispose();
    }

    private GameSupervisor Create(Action<ManagerOptions>? configure = null)
    {
        var options = new ManagerOptions
        {
            GodotPort = LoopbackPort.Free(),
            ProjectPath = Path.Combine(AppContext.BaseDirectory, "project"),
            DataDir = Path.Combine(_folder.Path, "data"),
            LogDir = Path.Combine(_folder.Path, "logs"),
            // Far longer than any test: only the exit notification can explain a prompt restart.
            CheckInterval = TimeSpan.FromSeconds(60),
            StopGrace = TimeSpan.FromSeconds(5),
            TelemetryPort = -1,
            DiscoveryPort = 0,
            GameEnvironment = { ["GODOT_ENV"] = "development" },
        };
        configure?.Invoke(options);
        var supervisor = new GameSupervisor(options, RuntimeLauncher.DotnetAssembly(Path.Combine(AppContext.BaseDirectory, "spacetime.dll")), TimeProvider.System, _loggers);
        _supervisors.Add(supervisor);
        return supervisor;
    }

    private static Task<StatusSnapshot> WaitAsync(GameSupervisor supervisor, Func<StatusSnapshot, bool> done, string what) =>
        Poll.ReadUntilAsync(supervisor.GetStatus, done, what, Deadline, Describe(supervisor));

    private static Func<string> Describe(GameSupervisor supervisor) => () =>
    {
        var status = supervisor.GetStatus();
        return $"state {status.State.ToWireName()}, pid {status.Pid}, restarts {status.RestartCount}, failure '{status.FailureReason}', degraded '{status.DegradedReason}'"
            + $"\ntransitions: {string.Join(" | ", status.Transitions.Select(t => $"{t.To.ToWireName()} ({t.Reason})"))}"
            + $"\nexits: {string.Join(" | ", status.RestartHistory.Select(e => $"{e.Pid}: {e.Reason}"))}"
            + $"\noutput:\n{string.Join('\n', supervisor.Output.Tail(30))}";
    };

    private static void Report(string text) => TestContext.Current.SendDiagnosticMessage(text);

    [Fact]
    public async Task StartGame_RealRuntime_WalksTheLifecycleToReadyAndReportsHealthy()
    {
        var supervisor = Create();
        var clock = Stopwatch.StartNew();

        Assert.True(await supervisor.StartGameAsync(TestContext.Current.CancellationToken));
        var status = await WaitAsync(supervisor, s => s.State == LifecycleState.Ready, "READY");
        var elapsed = clock.Elapsed;
        Report($"cold start -> READY: {elapsed.TotalMilliseconds:F0} ms");

        LifecycleState[] way = [LifecycleState.Starting, LifecycleState.ApiWaiting, LifecycleState.SceneLoading, LifecycleState.PlayerWaiting, LifecycleState.Ready];
        Assert.Equal(way, status.Transitions.Select(t => t.To));
        var health = supervisor.GetHealth();
        Assert.True(health.OverallHealthy, string.Join("; ", health.BlockingIssues));
        Assert.Empty(health.BlockingIssues);
        Assert.Equal(new GodotProcessHealth(true, status.Pid), health.GodotProcess);
        Assert.Equal(new SceneHealth(true, "vr_main", "res://vr_main.tscn"), health.Scene);
        Assert.Equal("healthy", health.Server);
        Assert.Equal("READY", health.State);
        Assert.True(health.Player.Spawned);
        Assert.Equal(status.Pid, ProcessGroup.GroupOf(status.Pid!.Value));
        Assert.Contains(supervisor.Output.Tail(1000), l => l.Text.Contains("Now listening on", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(_folder.Path, "logs", "spacetime-game.log")));
        Assert.DoesNotContain(supervisor.ApiToken, File.ReadAllText(Path.Combine(_folder.Path, "logs", RotatingFileLoggerProvider.FileName)), StringComparison.Ordinal);

        Assert.True(await supervisor.StopGameAsync(TestContext.Current.CancellationToken));

        Assert.Equal(LifecycleState.Stopped, supervisor.GetStatus().State);
        Assert.Empty(ProcessGroup.LiveMembers(status.Pid.Value));
        Assert.Contains(GameSupervisor.ProcessNotRunning, supervisor.GetHealth().BlockingIssues);
        Assert.Equal("stopped by the operator", supervisor.GetStatus().LastExit?.Reason);
    }

    [Fact]
    public async Task ChildKilled_WithSigkill_IsNoticedAtOnceAndReadyAgain()
    {
        var supervisor = Create();
        await supervisor.StartGameAsync(TestContext.Current.CancellationToken);
        var first = await WaitAsync(supervisor, s => s.State == LifecycleState.Ready, "READY");
        var pid = first.Pid!.Value;

        var clock = Stopwatch.StartNew();
        Assert.True(ProcessGroup.SignalProcess(pid, Signals.Kill));
        var noticed = await WaitAsync(supervisor, s => s.LastExit?.Pid == pid, "the exit to be noticed");
        var detection = clock.Elapsed;
        var again = await WaitAsync(supervisor, s => s.State == LifecycleState.Ready && s.Pid is { } p && p != pid, "READY with a new pid");
        var recovery = clock.Elapsed;
        Report($"kill -9 -> noticed: {detection.TotalMilliseconds:F0} ms; -> READY again: {recovery.TotalMilliseconds:F0} ms (back-off {noticed.LastExit!.RestartDelay?.TotalSeconds} s)");

        // The check interval is 60 s: only the exit notification explains this.
        Assert.True(detection < TimeSpan.FromSeconds(10), $"the exit took {detection} to notice");
        Assert.Equal(Signals.Kill, noticed.LastExit.Signal);
        Assert.Null(noticed.LastExit.ExitCode);
        Assert.StartsWith("Godot process exited unexpectedly (killed by SIGKILL)", noticed.LastExit.Reason, StringComparison.Ordinal);
        Assert.Equal(1, again.RestartCount);
        Assert.True(supervisor.GetHealth().OverallHealthy);
    }

    [Fact]
    public async Task ChildCrashingInALoop_MoreThanMaxRestartsInTheWindow_EndsFailedUntilStartedAgain()
    {
        var script = _folder.Script("crash.sh", "echo crashing; exit 3");
        var supervisor = Create(o =>
        {
            o.GodotPath = script;
            o.RestartDelay = TimeSpan.FromMilliseconds(50);
            o.MaxRestarts = 3;
        });

        await supervisor.StartGameAsync(TestContext.Current.CancellationToken);
        var failed = await WaitAsync(supervisor, s => s.State == LifecycleState.Failed, "FAILED");

        Assert.Equal(3, failed.RestartCount);
        Assert.Equal(4, failed.RestartHistory.Count);
        Assert.All(failed.RestartHistory, e => Assert.Equal(3, e.ExitCode));
        Assert.Null(failed.RestartHistory[^1].RestartDelay);
        Assert.Equal([0.05, 0.1, 0.2], failed.RestartHistory.Take(3).Select(e => e.RestartDelay!.Value.TotalSeconds));
        var health = supervisor.GetHealth();
        Assert.False(health.OverallHealthy);
        Assert.Equal(("unhealthy", "FAILED"), (health.Server, health.State));
        Assert.Contains(GameSupervisor.ProcessNotRunning, health.BlockingIssues);
        Assert.Contains(health.BlockingIssues, i => i.StartsWith("Supervisor FAILED: gave up after 4 failures", StringComparison.Ordinal) && i.Contains("exit code 3", StringComparison.Ordinal));
        Assert.Contains(supervisor.Output.Tail(10), l => l.Text == "crashing");

        // FAILED stays FAILED: no restart happens by itself...
        var history = supervisor.GetStatus().RestartHistory.Count;
        Assert.Equal(LifecycleState.Failed, supervisor.GetStatus().State);
        // ...until an explicit start, which gets a fresh budget.
        Assert.True(await supervisor.StartGameAsync(TestContext.Current.CancellationToken));
        var again = await WaitAsync(supervisor, s => s.State == LifecycleState.Failed && s.RestartHistory.Count == history + 4, "FAILED again after a fresh budget");
        Assert.Equal(6, again.RestartCount);
    }

    [Fact]
    public async Task ChildHung_WithSigstop_IsDetectedByTheChecksAndReplaced()
    {
        var supervisor = Create(o =>
        {
            o.CheckInterval = TimeSpan.FromMilliseconds(300);
            o.HangThreshold = 2;
            o.ApiRequestTimeout = TimeSpan.FromSeconds(2);
            o.StopGrace = TimeSpan.FromSeconds(2);
        });
        await supervisor.StartGameAsync(TestContext.Current.CancellationToken);
        var first = await WaitAsync(supervisor, s => s.State == LifecycleState.Ready, "READY");
        var pid = first.Pid!.Value;

        var clock = Stopwatch.StartNew();
        _suspendedGroups.Add(pid);
        Assert.True(ProcessGroup.Signal(pid, Signals.Stop));
        var replaced = await WaitAsync(supervisor, s => s.State == LifecycleState.Ready && s.Pid is { } p && p != pid, "READY with a new pid");
        Report($"SIGSTOP -> replaced and READY: {clock.Elapsed.TotalMilliseconds:F0} ms");

        var hung = Assert.Single(replaced.RestartHistory);
        Assert.Equal(pid, hung.Pid);
        Assert.Contains("(hung)", hung.Reason, StringComparison.Ordinal);
        Assert.Contains(replaced.Transitions, t => t.To == LifecycleState.Degraded && t.Reason == GameSupervisor.ApiNotReachable);
        Assert.Empty(ProcessGroup.LiveMembers(pid));
    }

    [Fact]
    public async Task StopGame_ChildWithAGrandchild_KillsTheWholeProcessGroup()
    {
        var script = _folder.Script("spawner.sh", "sleep 300 &\nsleep 300");
        var supervisor = Create(o => o.GodotPath = script);
        await supervisor.StartGameAsync(TestContext.Current.CancellationToken);
        var running = await WaitAsync(supervisor, s => s.Pid is { } p && ProcessGroup.LiveMembers(p).Count >= 3, "sh and both sleeps");
        var pgid = running.Pid!.Value;
        Assert.Equal(LifecycleState.ApiWaiting, running.State);

        Assert.True(await supervisor.StopGameAsync(TestContext.Current.CancellationToken));

        Assert.Empty(ProcessGroup.LiveMembers(pgid));
        Assert.Equal(LifecycleState.Stopped, supervisor.GetStatus().State);
        Assert.Equal(new GodotProcessHealth(false, null), supervisor.GetHealth().GodotProcess);
        Assert.Equal(0, supervisor.GetStatus().RestartCount);
    }

    [Fact]
    public async Task StartGame_MissingExecutable_FailsAtOnceWithTheReason()
    {
        var supervisor = Create(o => o.GodotPath = Path.Combine(_folder.Path, "no-such-godot"));

        await supervisor.StartGameAsync(TestContext.Current.CancellationToken);
        var failed = await WaitAsync(supervisor, s => s.State == LifecycleState.Failed, "FAILED");

        Assert.Contains("no-such-godot", failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains(supervisor.GetHealth().BlockingIssues, i => i.Contains("could not be started", StringComparison.Ordinal));
    }
}
