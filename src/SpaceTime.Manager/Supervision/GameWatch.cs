using SpaceTime.Manager.GameApi;

namespace SpaceTime.Manager.Supervision;

/// <summary>
/// One run of the game, seen from its API: the walk to READY (API → main scene, 3 tries → player), then the watch.
/// The watch probes <c>/health</c> every <see cref="ManagerOptions.HangCheckInterval"/> (each probe limited to that
/// interval), so a game that stops answering while its process lives is judged hung after
/// <see cref="ManagerOptions.HangThreshold"/> missed probes — about 12 s with the defaults — and it reads
/// <c>/status</c> every <see cref="ManagerOptions.CheckInterval"/> to follow the scene and the player. A paused game
/// answers its probes, so it is never taken for a hung one. Time comes from the injected clock.
/// </summary>
public sealed class GameWatch(ManagerOptions options, IGameApi api, SupervisionState state, TimeProvider time, ILogger logger)
{
    public const int SceneLoadAttempts = 3;

    private static readonly TimeSpan SceneRetryDelay = TimeSpan.FromSeconds(1);
    // `spacetime up` and every restart wait on these polls (API up, then player spawned): each lost half an interval on
    // average, 100 ms of the cold start at 100 ms. A poll is one loopback request, and they stop at READY.
    private static readonly TimeSpan StartupPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Walks the run of <paramref name="pid"/> to READY, then watches it; returns only when the game is judged hung, with why.</summary>
    public async Task<string> RunAsync(int pid, CancellationToken cancellationToken)
    {
        try
        {
            state.Lifecycle.MoveTo(LifecycleState.ApiWaiting, $"pid {pid} started; waiting for the API at {api.BaseAddress}");
            if (!await WaitForApiAsync(cancellationToken))
            {
                return $"{SupervisionState.ApiNotReachable} within {options.ApiStartTimeout.TotalSeconds:0.###} s of the start";
            }

            if (options.AutoLoadScene)
            {
                state.Lifecycle.MoveTo(LifecycleState.SceneLoading, $"loading {options.ScenePath}");
                if (await LoadSceneAsync(SceneLoadAttempts, cancellationToken) is { } sceneError)
                {
                    state.Degrade($"Main scene ({state.MainSceneName}) not loaded after {SceneLoadAttempts} tries: {sceneError}");
                }
                else
                {
                    state.Lifecycle.MoveTo(LifecycleState.PlayerWaiting, $"{options.ScenePath} loaded; waiting for the player");
                    if (await WaitForPlayerAsync(cancellationToken))
                    {
                        state.Ready("scene loaded, player spawned");
                    }
                    else
                    {
                        state.Degrade($"{SupervisionState.PlayerNotSpawned} within {options.PlayerTimeout.TotalSeconds:0.###} s");
                    }
                }
            }
            else
            {
                state.Ready("API reachable (scene auto-load off)");
            }

            return await WatchAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SupervisorLog.SupervisionError(logger, e.Message, e);
            return $"supervision error: {e.Message}";
        }
    }

    private async Task<bool> WaitForApiAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            if ((await api.GetHealthAsync(cancellationToken)).Reachable)
            {
                state.ObserveApi(reachable: true);
                return true;
            }

            if (time.GetElapsedTime(started) >= options.ApiStartTimeout)
            {
                return false;
            }

            await Task.Delay(StartupPollInterval, time, cancellationToken);
        }
    }

    /// <summary>Returns null when the scene is loaded, else the last error.</summary>
    private async Task<string?> LoadSceneAsync(int attempts, CancellationToken cancellationToken)
    {
        string? error = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var result = await api.LoadSceneAsync(options.ScenePath, cancellationToken);
            if (result.Loaded)
            {
                state.ObserveSceneLoaded(result.Scene);
                return null;
            }

            error = result.StatusCode is { } code ? $"HTTP {code}: {result.Error}" : result.Error;
            SupervisorLog.SceneLoadFailed(logger, attempt, attempts, options.ScenePath, error);
            if (attempt < attempts)
            {
                await Task.Delay(SceneRetryDelay, time, cancellationToken);
            }
        }

        return error;
    }

    private async Task<bool> WaitForPlayerAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            if (await api.GetPlayerAsync(cancellationToken) is { Spawned: true })
            {
                state.ObservePlayerSpawned();
                return true;
            }

            if (time.GetElapsedTime(started) >= options.PlayerTimeout)
            {
                return false;
            }

            await Task.Delay(StartupPollInterval, time, cancellationToken);
        }
    }

    private async Task<string> WatchAsync(CancellationToken cancellationToken)
    {
        var probe = options.HangCheckInterval < options.CheckInterval ? options.HangCheckInterval : options.CheckInterval;
        var failures = 0;
        var lastStatusCheck = time.GetTimestamp();
        while (true)
        {
            await Task.Delay(probe, time, cancellationToken);
            var health = await api.GetHealthAsync(cancellationToken, probe < options.ApiRequestTimeout ? probe : options.ApiRequestTimeout);
            if (!health.Reachable)
            {
                failures++;
                state.ObserveApi(reachable: false);
                SupervisorLog.CheckFailed(logger, failures, options.HangThreshold, health.Error);
                if (failures >= options.HangThreshold)
                {
                    return $"{SupervisionState.ApiNotReachable} for {failures} consecutive checks while the process runs (hung)";
                }

                state.Degrade(SupervisionState.ApiNotReachable);
                continue;
            }

            var recovered = failures > 0;
            failures = 0;
            state.ObserveApi(reachable: true);
            if (!recovered && time.GetElapsedTime(lastStatusCheck) < options.CheckInterval)
            {
                continue;
            }

            lastStatusCheck = time.GetTimestamp();
            if (await api.GetStatusAsync(cancellationToken) is { } status)
            {
                state.ObserveStatus(status);
            }

            if (options.AutoLoadScene && !state.IsSceneLoaded)
            {
                await LoadSceneAsync(1, cancellationToken);
            }

            if (state.MissingForReady() is { } missing)
            {
                state.Degrade(missing);
            }
            else
            {
                state.Ready("health checks pass");
            }
        }
    }
}
