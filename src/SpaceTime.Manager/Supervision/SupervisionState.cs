using SpaceTime.Manager.GameApi;

namespace SpaceTime.Manager.Supervision;

/// <summary>
/// What the supervisor knows about the game, shared between the run loop and the watch that write it and the
/// endpoints that read it: the running child, what the last checks saw, the ended runs, and the lifecycle moves
/// (READY, DEGRADED, FAILED) with their reasons. Snapshots are taken under one lock, so a reader never sees half an update.
/// </summary>
public sealed class SupervisionState(Lifecycle lifecycle, TimeProvider time, string mainScenePath, bool autoLoadScene)
{
    public const int ExitHistorySize = 50;

    public const string ProcessNotRunning = "Godot process not running";
    public const string ApiNotReachable = "Godot API not reachable";
    public const string PlayerNotSpawned = "Player node not spawned";

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

    public Lifecycle Lifecycle { get; } = lifecycle;

    /// <summary>The main scene's short name, as the documents' blocking issue names it: <c>vr_main</c>.</summary>
    public string MainSceneName { get; } = Path.GetFileNameWithoutExtension(mainScenePath);

    public string MainScenePath { get; } = mainScenePath;

    /// <summary>How many times the game was restarted after a failure, since supervision started.</summary>
    public int RestartCount
    {
        get
        {
            lock (_sync)
            {
                return _restartCount;
            }
        }
    }

    public bool IsSceneLoaded
    {
        get
        {
            lock (_sync)
            {
                return _sceneLoaded;
            }
        }
    }

    public void SetChild(ChildProcess child)
    {
        lock (_sync)
        {
            _child = child;
        }
    }

    public void ObserveApi(bool reachable)
    {
        lock (_sync)
        {
            _apiReachable = reachable;
        }
    }

    /// <summary>The main scene was loaded by the supervisor (as <paramref name="scenePath"/>, when the game said).</summary>
    public void ObserveSceneLoaded(string? scenePath)
    {
        lock (_sync)
        {
            _sceneLoaded = true;
            _scenePath = scenePath ?? MainScenePath;
        }
    }

    public void ObservePlayerSpawned()
    {
        lock (_sync)
        {
            _playerSpawned = true;
        }
    }

    /// <summary>What the game's <c>/status</c> says: the main scene counts as loaded only when it is the current scene.</summary>
    public void ObserveStatus(GameStatus status)
    {
        lock (_sync)
        {
            _sceneLoaded = status.Scene is { Loaded: true } scene && string.Equals(scene.Path, MainScenePath, StringComparison.Ordinal);
            _scenePath = status.Scene?.Path;
            _playerSpawned = status.Player is { Spawned: true };
        }
    }

    public void ClearObservations()
    {
        lock (_sync)
        {
            _apiReachable = false;
            _sceneLoaded = false;
            _scenePath = null;
            _playerSpawned = false;
        }
    }

    /// <summary>What keeps the game from READY (main scene, then player), or null.</summary>
    public string? MissingForReady()
    {
        lock (_sync)
        {
            return !autoLoadScene ? null
                : !_sceneLoaded ? $"Main scene ({MainSceneName}) not loaded"
                : !_playerSpawned ? PlayerNotSpawned
                : null;
        }
    }

    public void Ready(string reason)
    {
        lock (_sync)
        {
            _degradedReason = null;
        }

        Lifecycle.MoveTo(LifecycleState.Ready, reason);
    }

    public void Degrade(string reason)
    {
        lock (_sync)
        {
            _degradedReason = reason;
        }

        Lifecycle.MoveTo(LifecycleState.Degraded, reason);
    }

    public void Fail(string reason)
    {
        lock (_sync)
        {
            _failureReason = reason;
            _child = null;
        }

        Lifecycle.MoveTo(LifecycleState.Failed, reason);
    }

    /// <summary>A fresh start: the last failure no longer applies.</summary>
    public void BeginSupervision()
    {
        lock (_sync)
        {
            _failureReason = null;
        }
    }

    /// <summary>Keeps an ended run (the last <see cref="ExitHistorySize"/>); a run followed by a restart counts one restart.</summary>
    public void RecordExit(ChildExit exit, string reason, TimeSpan? restartDelay)
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

            if (!_sceneLoaded && autoLoadScene)
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
                time.GetUtcNow(),
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
            var now = time.GetUtcNow();
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
}
