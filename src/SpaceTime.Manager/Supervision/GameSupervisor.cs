using System.ComponentModel;
using System.Security.Cryptography;

namespace SpaceTime.Manager.Supervision;

/// <summary>
/// Runs the game as a child in its own process group and walks it to READY: waits for its API, loads the main
/// scene (3 tries), waits for the player. Then it watches: an exit is noticed the moment it happens and the game
/// is restarted per <see cref="RestartPolicy"/> (FAILED when the policy gives up, until the next explicit start);
/// an API that stops answering for <see cref="ManagerOptions.HangThreshold"/> checks while the process lives
/// means a hung game, which is killed and restarted. One loop task owns the child; start, stop and restart are serialised.
/// </summary>
public sealed class GameSupervisor : IHostedService, IAsyncDisposable
{
    public const int SceneLoadAttempts = 3;
    public const int ExitHistorySize = 50;

    public const string ProcessNotRunning = "Godot process not running";
    public const string ApiNotReachable = "Godot API not reachable";
    public const string PlayerNotSpawned = "Player node not spawned";

    private static readonly TimeSpan SceneRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartupPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ManagerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<GameSupervisor> _logger;
    private readonly ChildStartInfo _command;
    private readonly HttpClient _http;
    private readonly RestartPolicy _policy;
    private readonly RotatingLogFile? _gameLog;
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Observations, written by the loop and read by snapshots.
    private readonly Lock _sync = new();
    private readonly Queue<ChildExitRecord> _exits = new();
    private ChildProcess? _child;
    private bool _apiReachable;
    private bool _sceneLoaded;
    private string? _scenePath;
    private bool _playerSpawned;
    private string? _degradedReason;
    private string? _failureReason;
    private int _restartCount;

    private CancellationTokenSource? _loopCancellation;
    private Task? _loop;

    public GameSupervisor(ManagerOptions options, RuntimeLauncher launcher, TimeProvider time, ILoggerFactory loggerFactory, LogRing? output = null)
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
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = options.ApiRequestTimeout,
            // A replaced game listens on the same port: do not keep connections to the old one for long.
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        Api = new GameApi.GameApiClient(_http, new Uri($"http://127.0.0.1:{options.GodotPort}/"), ApiToken, options.ApiRequestTimeout);
        _policy = new RestartPolicy(options.ToRestartPolicy(), time);
        Lifecycle = new Lifecycle(time, loggerFactory.CreateLogger<Lifecycle>());
        Output = output ?? new LogRing();
        if (options.LogDir is { Length: > 0 } logDir)
        {
            _gameLog = new RotatingLogFile(Path.Combine(logDir, "spacetime-game.log"), options.LogMaxBytes, options.LogMaxFiles);
        }
    }

    public Lifecycle Lifecycle { get; }

    /// <summary>The last lines the game wrote to stdout and stderr.</summary>
    public LogRing Output { get; }

    public GameApi.GameApiClient Api { get; }

    /// <summary>What the game is started with (the environment holds the token: never log it).</summary>
    internal ChildStartInfo Command => _command;

    /// <summary>The token the game accepts. Never logged.</summary>
    internal string ApiToken { get; }

    /// <summary>The main scene's short name, as the documents' blocking issue names it: <c>vr_main</c>.</summary>
    public string MainSceneName => Path.GetFileNameWithoutExtension(_options.ScenePath);

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
        _http.Dispose();
        _gameLog?.Dispose();
    }

    public HealthSnapshot GetHealth()
    {
        lock (_sync)
        {
            var running = _child is { HasExited: false };
            var issues = new List<string>();
            if (!running)
            {
                issues.Add(ProcessNotRunning);
            }

            if (!_apiReachable)
            {
                issues.Add(ApiNotReachable);
            }

            if (!_sceneLoaded)
            {
                issues.Add($"Main scene ({MainSceneName}) not loaded");
            }

            if (!_playerSpawned)
            {
                issues.Add(PlayerNotSpawned);
            }

            var state = Lifecycle.Current;
            switch (state)
            {
                case LifecycleState.Failed:
                    issues.Add($"Supervisor FAILED: {_failureReason}");
                    break;
                case LifecycleState.Stopped:
                    issues.Add("Supervisor STOPPED: the game is not started");
                    break;
                case LifecycleState.Degraded:
                    issues.Add($"Supervisor DEGRADED: {_degradedReason}");
                    break;
                case LifecycleState.Ready:
                    break;
                default:
                    issues.Add($"Supervisor {state.ToWireName()}: the game is starting");
                    break;
            }

            return new HealthSnapshot(
                _time.GetUtcNow(),
                new GodotProcessHealth(running, running ? _child!.Pid : null),
                new GodotApiHealth(_apiReachable),
                SceneHealth.For(_sceneLoaded, _scenePath),
                new PlayerHealth(_playerSpawned),
                issues.Count == 0,
                issues,
                state);
        }
    }

    public StatusSnapshot GetStatus()
    {
        lock (_sync)
        {
            var child = _child is { HasExited: false } c ? c : null;
            var now = _time.GetUtcNow();
            ChildExitRecord[] exits = [.. _exits];
            return new StatusSnapshot(
                Lifecycle.Current,
                Lifecycle.Since,
                child?.Pid,
                child?.StartedAt,
                child is null ? null : now - child.StartedAt,
                _restartCount,
                exits,
                exits.Length > 0 ? exits[^1] : null,
                _failureReason,
                Lifecycle.Current == LifecycleState.Degraded ? _degradedReason : null,
                Lifecycle.History(),
                Lifecycle.EnteredCounts());
        }
    }

    private void StartLoop()
    {
        _policy.Reset();
        lock (_sync)
        {
            _failureReason = null;
        }

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
                ClearObservations();
                Lifecycle.MoveTo(LifecycleState.Starting, _restartCount == 0 ? "start" : $"restart {_restartCount}");
                SupervisorLog.Starting(_logger, _command.ToString());
                try
                {
                    child = ChildProcess.Start(_command, _time, OnOutput);
                }
                catch (Exception e) when (e is FileNotFoundException or Win32Exception or IOException or UnauthorizedAccessException)
                {
                    SupervisorLog.StartFailed(_logger, e.Message);
                    Fail($"the game could not be started: {e.Message}");
                    return;
                }

                lock (_sync)
                {
                    _child = child;
                }

                SupervisorLog.Started(_logger, child.Pid);
                var (reason, exit) = await SuperviseRunAsync(child, stop);
                SupervisorLog.RunEnded(_logger, child.Pid, exit.Runtime.TotalSeconds, reason);
                var decision = _policy.OnFailure(child.StartedAt);
                Record(exit, reason, decision.GiveUp ? null : decision.Delay);
                await child.DisposeAsync();
                child = null;
                if (decision.GiveUp)
                {
                    Fail($"gave up after {decision.FailuresInWindow} failures within {_options.RestartWindow} (max restarts {_options.MaxRestarts}); last: {reason}");
                    return;
                }

                SupervisorLog.RestartScheduled(_logger, decision.Delay.TotalSeconds, decision.FailuresInWindow);
                Degrade($"{reason}; restarting in {decision.Delay.TotalSeconds:0.###} s");
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
            Fail($"supervision error: {e.Message}");
        }
        finally
        {
            if (child is not null)
            {
                await EndChildAsync(child);
            }

            ClearObservations();
        }
    }

    /// <summary>Runs the lifecycle and health watch until the child exits or is found hung; returns why the run ended.</summary>
    private async Task<(string Reason, ChildExit Exit)> SuperviseRunAsync(ChildProcess child, CancellationToken stop)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var watch = WatchAsync(child, run.Token);
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
            ClearObservations();
            // What the game left behind in its group (a crash does not take its children along).
            await child.KillRemainingAsync(CancellationToken.None);
            return ($"Godot process exited unexpectedly ({exit.Description})", exit);
        }

        var hung = await watch; // throws when stopping
        ClearObservations();
        SupervisorLog.Stopping(_logger, child.Pid, _options.StopGrace.TotalSeconds);
        return (hung, await child.StopAsync(_options.StopGrace, CancellationToken.None));
    }

    /// <summary>The lifecycle walk, then the health watch. Returns only when the game is judged hung.</summary>
    private async Task<string> WatchAsync(ChildProcess child, CancellationToken cancellationToken)
    {
        try
        {
            Lifecycle.MoveTo(LifecycleState.ApiWaiting, $"pid {child.Pid} started; waiting for the API at {Api.BaseAddress}");
            if (!await WaitForApiAsync(cancellationToken))
            {
                return $"{ApiNotReachable} within {_options.ApiStartTimeout.TotalSeconds:0.###} s of the start";
            }

            if (_options.AutoLoadScene)
            {
                Lifecycle.MoveTo(LifecycleState.SceneLoading, $"loading {_options.ScenePath}");
                if (await LoadSceneAsync(SceneLoadAttempts, cancellationToken) is { } sceneError)
                {
                    Degrade($"Main scene ({MainSceneName}) not loaded after {SceneLoadAttempts} tries: {sceneError}");
                }
                else
                {
                    Lifecycle.MoveTo(LifecycleState.PlayerWaiting, $"{_options.ScenePath} loaded; waiting for the player");
                    if (await WaitForPlayerAsync(cancellationToken))
                    {
                        Ready("scene loaded, player spawned");
                    }
                    else
                    {
                        Degrade($"{PlayerNotSpawned} within {_options.PlayerTimeout.TotalSeconds:0.###} s");
                    }
                }
            }
            else
            {
                Ready("API reachable (scene auto-load off)");
            }

            return await WatchHealthAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SupervisorLog.SupervisionError(_logger, e.Message, e);
            return $"supervision error: {e.Message}";
        }
    }

    private async Task<bool> WaitForApiAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            if ((await Api.GetHealthAsync(cancellationToken)).Reachable)
            {
                Observe(reachable: true);
                return true;
            }

            if (_time.GetElapsedTime(started) >= _options.ApiStartTimeout)
            {
                return false;
            }

            await Task.Delay(StartupPollInterval, _time, cancellationToken);
        }
    }

    /// <summary>Returns null when the scene is loaded, else the last error.</summary>
    private async Task<string?> LoadSceneAsync(int attempts, CancellationToken cancellationToken)
    {
        string? error = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var result = await Api.LoadSceneAsync(_options.ScenePath, cancellationToken);
            if (result.Loaded)
            {
                lock (_sync)
                {
                    _sceneLoaded = true;
                    _scenePath = result.Scene ?? _options.ScenePath;
                }

                return null;
            }

            error = result.StatusCode is { } code ? $"HTTP {code}: {result.Error}" : result.Error;
            SupervisorLog.SceneLoadFailed(_logger, attempt, attempts, _options.ScenePath, error);
            if (attempt < attempts)
            {
                await Task.Delay(SceneRetryDelay, _time, cancellationToken);
            }
        }

        return error;
    }

    private async Task<bool> WaitForPlayerAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            if (await Api.GetPlayerAsync(cancellationToken) is { Spawned: true })
            {
                lock (_sync)
                {
                    _playerSpawned = true;
                }

                return true;
            }

            if (_time.GetElapsedTime(started) >= _options.PlayerTimeout)
            {
                return false;
            }

            await Task.Delay(StartupPollInterval, _time, cancellationToken);
        }
    }

    private async Task<string> WatchHealthAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            await Task.Delay(_options.CheckInterval, _time, cancellationToken);
            var health = await Api.GetHealthAsync(cancellationToken);
            if (!health.Reachable)
            {
                failures++;
                Observe(reachable: false);
                SupervisorLog.CheckFailed(_logger, failures, _options.HangThreshold, health.Error);
                if (failures >= _options.HangThreshold)
                {
                    return $"{ApiNotReachable} for {failures} consecutive checks while the process runs (hung)";
                }

                Degrade(ApiNotReachable);
                continue;
            }

            failures = 0;
            Observe(reachable: true);
            if (await Api.GetStatusAsync(cancellationToken) is { } status)
            {
                lock (_sync)
                {
                    _sceneLoaded = status.Scene is { Loaded: true } scene && string.Equals(scene.Path, _options.ScenePath, StringComparison.Ordinal);
                    _scenePath = status.Scene?.Path;
                    _playerSpawned = status.Player is { Spawned: true };
                }
            }

            if (_options.AutoLoadScene && !IsSceneLoaded())
            {
                await LoadSceneAsync(1, cancellationToken);
            }

            EvaluateReadiness();
        }
    }

    private void EvaluateReadiness()
    {
        string? missing;
        lock (_sync)
        {
            missing = !_options.AutoLoadScene ? null
                : !_sceneLoaded ? $"Main scene ({MainSceneName}) not loaded"
                : !_playerSpawned ? PlayerNotSpawned
                : null;
        }

        if (missing is null)
        {
            Ready("health checks pass");
        }
        else
        {
            Degrade(missing);
        }
    }

    private bool IsSceneLoaded()
    {
        lock (_sync)
        {
            return _sceneLoaded;
        }
    }

    private async Task EndChildAsync(ChildProcess child)
    {
        try
        {
            if (!child.HasExited)
            {
                SupervisorLog.Stopping(_logger, child.Pid, _options.StopGrace.TotalSeconds);
                var exit = await child.StopAsync(_options.StopGrace, CancellationToken.None);
                Record(exit, "stopped by the operator", restartDelay: null);
            }

            await child.DisposeAsync();
        }
        catch (IOException e)
        {
            SupervisorLog.StopFailed(_logger, e.Message);
        }
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

    private void Record(ChildExit exit, string reason, TimeSpan? restartDelay)
    {
        lock (_sync)
        {
            _exits.Enqueue(new ChildExitRecord(exit.Pid, exit.StartedAt, exit.ExitedAt, exit.ExitCode, exit.Signal, reason, restartDelay));
            while (_exits.Count > ExitHistorySize)
            {
                _exits.Dequeue();
            }

            if (restartDelay is not null)
            {
                _restartCount++;
            }

            if (_child?.Pid == exit.Pid)
            {
                _child = null;
            }
        }
    }

    private void Observe(bool reachable)
    {
        lock (_sync)
        {
            _apiReachable = reachable;
        }
    }

    private void ClearObservations()
    {
        lock (_sync)
        {
            _apiReachable = false;
            _sceneLoaded = false;
            _scenePath = null;
            _playerSpawned = false;
        }
    }

    private void Ready(string reason)
    {
        lock (_sync)
        {
            _degradedReason = null;
        }

        Lifecycle.MoveTo(LifecycleState.Ready, reason);
    }

    private void Degrade(string reason)
    {
        lock (_sync)
        {
            _degradedReason = reason;
        }

        Lifecycle.MoveTo(LifecycleState.Degraded, reason);
    }

    private void Fail(string reason)
    {
        lock (_sync)
        {
            _failureReason = reason;
            _child = null;
        }

        Lifecycle.MoveTo(LifecycleState.Failed, reason);
    }
}
