using Microsoft.Extensions.Options;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Scenes;

namespace SpaceTime.Runtime.Hosting;

/// <summary>
/// Starts the simulation loop with the host, records every scene load in the history (with this instance's id),
/// and loads the start-up scene. A start-up scene that cannot be loaded stops start-up with the reason.
/// </summary>
internal sealed class GameService(
    HeadlessGame game,
    ISceneHistory history,
    SpaceTime.Security.Storage.InstanceIdentity instance,
    IOptions<RuntimeOptions> options,
    TimeProvider time,
    RuntimeClock clock,
    Logs.RecentLogs recentLogs,
    ILogger<GameService> logger) : IHostedService
{
    public DateTimeOffset StartedAt { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        StartedAt = time.GetUtcNow();
        recentLogs.Attach(game);
        RuntimeLog.Starting(logger, settings.Environment, game.Project.Root, game.Loop.TicksPerSecond, clock.StartedAt);
        game.SceneLoaded += OnSceneLoaded;
        game.SceneLoadFailed += OnSceneLoadFailed;
        game.PlayerSpawned += state => RuntimeLog.PlayerSpawned(logger, state.Name ?? "player", state.Position.X, state.Position.Y, state.Position.Z);
        game.Loop.StepFailed += e => RuntimeLog.StepFailed(logger, e);
        game.Start();

        var scene = string.IsNullOrWhiteSpace(settings.Scene) ? game.Project.Settings.MainScene : settings.Scene;
        if (scene is not null && !scene.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                await game.LoadSceneAsync(scene, cancellationToken);
            }
            catch (SceneLoadException e)
            {
                throw new InvalidOperationException($"start-up scene {scene} could not be loaded: {e.Message}", e);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        RuntimeLog.Stopping(logger);
        return Task.CompletedTask;
    }

    private void OnSceneLoaded(SceneLoadResult result)
    {
        RuntimeLog.SceneLoaded(logger, result.Path, result.LoadDurationMs, result.NodeCount);
        Record(new SceneHistoryEntry(result.Path, result.Name, result.LoadedAt, Math.Round(result.LoadDurationMs, 3), "success", null, instance.Id));
    }

    private void OnSceneLoadFailed(string path, SceneLoadException error)
    {
        RuntimeLog.SceneLoadFailed(logger, path, error.Message);
        if (error.Failure == SceneLoadFailure.InvalidPath)
        {
            // A request refused for its path never became a load; the history lists loads.
            return;
        }

        Record(new SceneHistoryEntry(path, null, time.GetUtcNow(), null, "failure", error.Message, instance.Id));
    }

    /// <summary>
    /// Runs inside <see cref="HeadlessGame.LoadSceneAsync"/>, so an entry that cannot be made durable fails the load
    /// with <see cref="SpaceTime.Security.Storage.StorageUnavailableException"/> and the load is not acknowledged.
    /// </summary>
    private void Record(SceneHistoryEntry entry)
    {
        try
        {
            history.Add(entry);
        }
        catch (SpaceTime.Security.Storage.StorageUnavailableException e)
        {
            RuntimeLog.HistoryWriteFailed(logger, e.Message);
            throw;
        }
    }
}
