using System.ComponentModel;
using System.Security.Cryptography;

namespace SpaceTime.Manager.Supervision;

/// <summary>
/// Runs the game as a child in its own process group, one run after another: each run is watched by a
/// <see cref="GameWatch"/> (the walk to READY, then hang detection); an exit is noticed the moment it happens and the
/// game is restarted per <see cref="RestartPolicy"/> (FAILED when the policy gives up, until the next explicit start).
/// What it knows is kept in <see cref="State"/>. One loop task owns the child; start, stop and restart are serialised.
/// </summary>
public sealed class GameSupervisor : IHostedService, IAsyncDisposable
{
    public const int SceneLoadAttempts = GameWatch.SceneLoadAttempts;
    public const int ExitHistorySize = SupervisionState.ExitHistorySize;

    public const string ProcessNotRunning = SupervisionState.ProcessNotRunning;
    public const string ApiNotReachable = SupervisionState.ApiNotReachable;
    public const string PlayerNotSpawned = SupervisionState.PlayerNotSpawned;

    private readonly ManagerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<GameSupervisor> _logger;
    private readonly ChildStartInfo _command;
    private readonly HttpClient _http;
    private readonly RestartPolicy _policy;
    private readonly GameWatch _watch;
    private readonly RotatingLogFile? _gameLog;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private GameHeadStart? _headStart;
    private CancellationTokenSource? _loopCancellation;
    private Task? _loop;

    /// <param name="options">Manager settings.</param>
    /// <param name="launcher">How to run the built-in runtime.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="output">Where the game's output lines go.</param>
    /// <param name="connector">How to reach the game (its private socket, if it opens one); default TCP to <see cref="ManagerOptions.GodotPort"/>.</param>
    /// <param name="headStart">The game already started with this supervisor's command (<see cref="StartHead"/>): its first run.</param>
    public GameSupervisor(ManagerOptions options, RuntimeLauncher launcher, TimeProvider time, ILoggerFactory loggerFactory, LogRing? output = null,
        GameApi.GameConnector? connector = null, GameHeadStart? headStart = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"Invalid manager options: {string.Join("; ", errors)}", nameof(options));
        }

        _options = options;
        _time = time;
        _logger = loggerFactory.CreateLogger<GameSupervisor>();
        ApiToken = options.ApiToken ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _command = GameCommand.Build(options, launcher, ApiToken);
        _headStart = headStart;
        // Over the game's private socket when it opens one: health checks must not queue behind outside clients
        // that fill the game's connection caps (a busy game is not a dead one).
        var handler = (connector ?? new GameApi.GameConnector(options.GodotPort, socketPath: null)).CreateHandler(h => h.ConnectTimeout = options.ApiRequestTimeout);
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        Api = new GameApi.GameApiClient(_http, new Uri($"http://127.0.0.1:{options.GodotPort}/"), ApiToken, options.ApiRequestTimeout);
        _policy = new RestartPolicy(options.ToRestartPolicy(), time);
        Lifecycle = new Lifecycle(time, loggerFactory.CreateLogger<Lifecycle>());
        State = new SupervisionState(Lifecycle, time, options.ScenePath, options.AutoLoadScene);
        _watch = new GameWatch(options, Api, State, time, _logger);
        Output = output ?? new LogRing();
        if (options.LogDir is { Length: > 0 } logDir)
        {
            _gameLog = new RotatingLogFile(Path.Combine(logDir, "spacetime-game.log"), options.LogMaxBytes, options.LogMaxFiles);
        }
    }

    /// <summary>
    /// Starts the game a supervisor built from <paramref name="options"/> would start, ahead of it (the manager does
    /// this before building its host). <see cref="ManagerOptions.ApiToken"/> must be set, so both agree on the token.
    /// </summary>
    public static GameHeadStart? StartHead(ManagerOptions options, RuntimeLauncher launcher, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var token = options.ApiToken ?? throw new ArgumentException("the API token must be chosen before the game is started", nameof(options));
        return options.NoAutostart ? null : GameHeadStart.TryStart(GameCommand.Build(options, launcher, token), time);
    }

    /// <summary>What the supervisor knows about the game: the source of <c>/health</c> and <c>/status</c>.</summary>
    public SupervisionState State { get; }

    public Lifecycle Lifecycle { get; }

    /// <summary>The last lines the game wrote to stdout and stderr.</summary>
    public LogRing Output { get; }

    public GameApi.GameApiClient Api { get; }

    /// <summary>What the game is started with (the environment holds the token: never log it).</summary>
    internal ChildStartInfo Command => _command;

    /// <summary>The token the game accepts. Never logged.</summary>
    internal string ApiToken { get; }

    /// <summary>The main scene's short name, as the documents' blocking issue names it: <c>vr_main</c>.</summary>
    public string MainSceneName => State.MainSceneName;

    /// <summary>Starts supervising (a fresh restart budget); false when it already runs.</summary>
    public async Task<bool> StartGameAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_loop is { IsCompleted: false })
            {
                return false;
            }

            await EndLoopAsync();
            StartLoop();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the game (SIGTERM to its group, SIGKILL after the grace period) and supervision; false when nothing ran.</summary>
    public async Task<bool> StopGameAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var wasRunning = _loop is { IsCompleted: false };
            await EndLoopAsync();
            Lifecycle.MoveTo(LifecycleState.Stopped, "stopped by the operator");
            return wasRunning;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the game if it runs and starts it again with a fresh restart budget.</summary>
    public async Task RestartGameAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await EndLoopAsync();
            StartLoop();
        }
        finally
        {
            _gate.Release();
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) =>
        _options.NoAutostart ? Task.CompletedTask : StartGameAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => StopGameAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await StopGameAsync();
        if (Interlocked.Exchange(ref _headStart, null) is { } unused)
        {
            await unused.DisposeAsync();
        }

        _http.Dispose();
        _gameLog?.Dispose();
    }

    public HealthSnapshot GetHealth() => State.GetHealth();

    public StatusSnapshot GetStatus() => State.GetStatus();

    private void StartLoop()
    {
        _policy.Reset();
        State.BeginSupervision();

        _loopCancellation = new CancellationTokenSource();
        var token = _loopCancellation.Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
    }

    private async Task EndLoopAsync()
    {
        if (_loop is null)
        {
            return;
        }

        await _loopCancellation!.CancelAsync();
        await _loop; // RunAsync handles its own failures
        _loopCancellation.Dispose();
        _loopCancellation = null;
        _loop = null;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        ChildProcess? child = null;
        try
        {
            while (true)
            {
                stop.ThrowIfCancellationRequested();
                State.ClearObservations();
                Lifecycle.MoveTo(LifecycleState.Starting, State.RestartCount == 0 ? "start" : $"restart {State.RestartCount}");
                SupervisorLog.Starting(_logger, _command.ToString());
                try
                {
                    child = await AdoptHeadStartAsync() ?? ChildProcess.Start(_command, _time, OnOutput);
                }
                catch (Exception e) when (e is FileNotFoundException or Win32Exception or IOException or UnauthorizedAccessException)
                {
                    SupervisorLog.StartFailed(_logger, e.Message);
                    State.Fail($"the game could not be started: {e.Message}");
                    return;
                }

                State.SetChild(child);
                SupervisorLog.Started(_logger, child.Pid);
                var (reason, exit) = await SuperviseRunAsync(child, stop);
                SupervisorLog.RunEnded(_logger, child.Pid, exit.Runtime.TotalSeconds, reason);
                var decision = _policy.OnFailure(child.StartedAt);
                State.RecordExit(exit, reason, decision.GiveUp ? null : decision.Delay);
                await child.DisposeAsync();
                child = null;
                if (decision.GiveUp)
                {
                    State.Fail($"gave up after {decision.FailuresInWindow} failures within {_options.RestartWindow} (max restarts {_options.MaxRestarts}); last: {reason}");
                    return;
                }

                SupervisorLog.RestartScheduled(_logger, decision.Delay.TotalSeconds, decision.FailuresInWindow);
                State.Degrade($"{reason}; restarting in {decision.Delay.TotalSeconds:0.###} s");
                await Task.Delay(decision.Delay, _time, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stop requested.
        }
        catch (Exception e)
        {
            // The manager outlives whatever its child does.
            SupervisorLog.SupervisionError(_logger, e.Message, e);
            State.Fail($"supervision error: {e.Message}");
        }
        finally
        {
            if (child is not null)
            {
                await EndChildAsync(child);
            }

            State.ClearObservations();
        }
    }

    /// <summary>Runs the lifecycle and health watch until the child exits or is found hung; returns why the run ended.</summary>
    private async Task<(string Reason, ChildExit Exit)> SuperviseRunAsync(ChildProcess child, CancellationToken stop)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var watch = _watch.RunAsync(child.Pid, run.Token);
        var first = await Task.WhenAny(child.Exited, watch);
        await run.CancelAsync();
        if (first == child.Exited)
        {
            try
            {
                await watch;
            }
            catch (OperationCanceledException)
            {
                // The watch ends with the run.
            }

            stop.ThrowIfCancellationRequested();
            var exit = await child.Exited;
            State.ClearObservations();
            // What the game left behind in its group (a crash does not take its children along).
            await child.KillRemainingAsync(CancellationToken.None);
            return ($"Godot process exited unexpectedly ({exit.Description})", exit);
        }

        var hung = await watch; // throws when stopping
        State.ClearObservations();
        SupervisorLog.Stopping(_logger, child.Pid, _options.StopGrace.TotalSeconds);
        return (hung, await child.StopAsync(_options.StopGrace, CancellationToken.None));
    }

    private async Task EndChildAsync(ChildProcess child)
    {
        try
        {
            if (!child.HasExited)
            {
                SupervisorLog.Stopping(_logger, child.Pid, _options.StopGrace.TotalSeconds);
                var exit = await child.StopAsync(_options.StopGrace, CancellationToken.None);
                State.RecordExit(exit, "stopped by the operator", restartDelay: null);
            }

            await child.DisposeAsync();
        }
        catch (IOException e)
        {
            SupervisorLog.StopFailed(_logger, e.Message);
        }
    }

    /// <summary>The game started ahead of this supervisor, when it was started with this supervisor's command (else it is stopped).</summary>
    private async Task<ChildProcess?> AdoptHeadStartAsync()
    {
        if (Interlocked.Exchange(ref _headStart, null) is not { } headStart)
        {
            return null;
        }

        if (headStart.StartedWith(_command))
        {
            return headStart.Adopt(OnOutput);
        }

        await headStart.DisposeAsync();
        return null;
    }

    private void OnOutput(LogLine line)
    {
        Output.Add(line);
        try
        {
            _gameLog?.WriteLine(line.ToString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // A full disk must not take the output reader (and with it the manager) down; the ring still has the line.
        }
    }
}
