using System.Diagnostics;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Simulation;

namespace SpaceTime.Engine.Worlds;

public sealed record SceneLoadResult(string Path, string Name, double LoadDurationMs, int NodeCount, DateTimeOffset LoadedAt);

/// <summary>The outcome of a step: whether the condition held, ticks advanced, the new scene tick and state hash (null without a scene).</summary>
public sealed record StepResult(bool ConditionHeld, int TicksStepped, long Tick, string? StateHash);

public sealed record SceneInfo(int NodeCount, string RootType, string RootName);

/// <summary>The scene, player and VR state at one moment between ticks.</summary>
public sealed record WorldSummary(SceneState Scene, PlayerState Player, VrState Vr)
{
    public static WorldSummary Of(GameWorld world) => new(world.GetSceneState(), world.GetPlayerState(), world.GetVrState());
}

public sealed record SceneValidation(bool Valid, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, SceneInfo? SceneInfo);

/// <summary>
/// A running game without a window: the project, its fixed-step loop and the simulated world.
/// Scenes are parsed off the loop thread and swapped in between ticks, so loading never stalls the tick rate
/// longer than the swap itself.
/// </summary>
public sealed class HeadlessGame : IAsyncDisposable
{
    /// <summary>Scenes above this many nodes load, with a warning (a VR frame budget is small).</summary>
    public const int LargeSceneNodeCount = 1000;

    /// <summary>Most ticks one posted work item advances, so a long step never stalls the loop's other work.</summary>
    public const int StepChunkTicks = 450;

    /// <summary>Most ticks one step may ask for (1,000 s of game time at 90 Hz).</summary>
    public const int MaxStepTicks = 90_000;

    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private WorldSummary _summary;
    private readonly SemaphoreSlim _stepGate = new(1, 1);
    private readonly TimeProvider _time;

    private HeadlessGame(GodotProject project, TimeProvider time, int ticksPerSecond)
    {
        Project = project;
        _time = time;
        World = new GameWorld((float)project.Settings.Gravity, time);
        Loop = new SimulationLoop(World, ticksPerSecond, time);
        World.FixedDelta = Loop.Delta;
        World.PlayerSpawned += state => PlayerSpawned?.Invoke(state);
        _summary = WorldSummary.Of(World);
        Loop.TickCompleted += _ => PublishSummary();
    }

    public GodotProject Project { get; }

    public SimulationLoop Loop { get; }

    /// <summary>The world; touch it only through <see cref="ReadAsync{T}"/> or <see cref="SimulationLoop.InvokeAsync{T}"/>.</summary>
    internal GameWorld World { get; }

    public event Action<SceneLoadResult>? SceneLoaded;

    public event Action<string, SceneLoadException>? SceneLoadFailed;

    /// <summary>Raised on the simulation thread when the player first stands on ground.</summary>
    public event Action<PlayerState>? PlayerSpawned;

    /// <summary>
    /// Opens a project folder; the tick rate is <paramref name="ticksPerSecond"/> when given, else the project's
    /// <c>physics/common/physics_ticks_per_second</c> (default 90).
    /// </summary>
    public static HeadlessGame Open(string projectFolder, TimeProvider? time = null, int? ticksPerSecond = null)
    {
        var project = GodotProject.Open(projectFolder);
        return new HeadlessGame(project, time ?? TimeProvider.System, ticksPerSecond ?? project.Settings.PhysicsTicksPerSecond());
    }

    public void Start() => Loop.Start();

    /// <summary>The scene tick, readable from any thread (for logs and telemetry; exact values come from <see cref="ReadAsync{T}"/>).</summary>
    public long SceneTick => World.SceneTick;

    /// <summary>The active scene's path, readable from any thread; null when none is loaded.</summary>
    public string? ActiveScenePath => World.Scene?.ResourcePath;

    /// <summary>Whether the world is paused (the loop still runs); readable from any thread.</summary>
    public bool Paused => World.Paused;

    /// <summary>
    /// The scene, player and VR state as of the last tick or the last change made through this game, whichever came
    /// later: readable from any thread at once, without waiting for the simulation thread (so a read after a change
    /// through this game sees it). Exact reads of anything else go through <see cref="ReadAsync{T}"/>.
    /// </summary>
    public WorldSummary Summary => Volatile.Read(ref _summary);

    /// <summary>Reads (or changes) the world on the simulation thread.</summary>
    public Task<T> ReadAsync<T>(Func<GameWorld, T> read, CancellationToken cancellationToken = default) =>
        OnLoopAsync(() => read(World), cancellationToken);

    /// <summary>Loads a scene by <c>res://</c> path and makes it the active scene.</summary>
    /// <exception cref="SceneLoadException">The path is invalid, a file is missing or does not parse, or instances form a cycle.</exception>
    public async Task<SceneLoadResult> LoadSceneAsync(string resPath, CancellationToken cancellationToken = default)
    {
        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            SceneInstance instance;
            try
            {
                instance = await Task.Run(() => Project.Loader.Instantiate(resPath), cancellationToken).ConfigureAwait(false);
            }
            catch (SceneLoadException e)
            {
                SceneLoadFailed?.Invoke(resPath, e);
                throw;
            }

            var duration = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await OnLoopAsync(() => World.Activate(instance, duration), cancellationToken).ConfigureAwait(false);
            var result = new SceneLoadResult(instance.ResourcePath, instance.Name, duration, instance.NodeCount, _time.GetUtcNow());
            SceneLoaded?.Invoke(result);
            return result;
        }
        finally
        {
            _loadGate.Release();
        }
    }

    /// <summary>Loads the active scene again from disk. Null when no scene is loaded.</summary>
    public async Task<SceneLoadResult?> ReloadSceneAsync(CancellationToken cancellationToken = default)
    {
        var current = await ReadAsync(w => w.Scene?.ResourcePath, cancellationToken).ConfigureAwait(false);
        return current is null ? null : await LoadSceneAsync(current, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pauses or resumes the world; returns the scene tick it happened at.</summary>
    public Task<long> SetPausedAsync(bool paused, CancellationToken cancellationToken = default) =>
        ReadAsync(w =>
        {
            w.Paused = paused;
            return w.SceneTick;
        }, cancellationToken);

    /// <summary>
    /// Advances a paused world exactly <paramref name="ticks"/> ticks, as fast as it can, and returns the new tick and state hash.
    /// Steps from several callers run one after another; inputs posted meanwhile apply between ticks, in order.
    /// </summary>
    /// <exception cref="InvalidOperationException">The world is not paused (or was resumed during the step).</exception>
    public async Task<StepResult> StepAsync(int ticks, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ticks, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ticks, MaxStepTicks);
        var result = await StepUntilAsync(null, ticks, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Advances a paused world until <paramref name="condition"/> holds (checked before the first tick and after each),
    /// at most <paramref name="maxTicks"/> ticks; a null condition never holds.
    /// </summary>
    /// <exception cref="InvalidOperationException">The world is not paused (or was resumed during the step).</exception>
    public async Task<StepResult> StepUntilAsync(Func<GameWorld, bool>? condition, int maxTicks, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTicks, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTicks, MaxStepTicks);
        await _stepGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stepped = 0;
            var held = false;
            while (true)
            {
                var chunk = Math.Min(StepChunkTicks, maxTicks - stepped);
                (stepped, held) = await OnLoopAsync(() =>
                {
                    if (!World.Paused)
                    {
                        throw new InvalidOperationException(stepped == 0
                            ? "the game is running: pause it before stepping (POST /time/pause)"
                            : $"the game was resumed during the step, after {stepped} ticks");
                    }

                    var done = stepped;
                    for (var i = 0; i < chunk; i++)
                    {
                        if (condition?.Invoke(World) == true)
                        {
                            return (done, true);
                        }

                        World.Advance();
                        done++;
                    }

                    return (done, done == maxTicks && condition?.Invoke(World) == true);
                }, cancellationToken).ConfigureAwait(false);
                if (held || stepped >= maxTicks)
                {
                    break;
                }
            }

            var (tick, hash) = await ReadAsync(w => (w.SceneTick, w.StateHash()), cancellationToken).ConfigureAwait(false);
            return new StepResult(held, stepped, tick, hash);
        }
        finally
        {
            _stepGate.Release();
        }
    }

    /// <summary>Puts the world back into a snapshot, loading its scene first when another one is active.</summary>
    /// <exception cref="SceneLoadException">The snapshot's scene no longer loads.</exception>
    /// <exception cref="InvalidOperationException">The scene's nodes changed since the snapshot.</exception>
    public async Task<string> RestoreAsync(WorldSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        var active = await ReadAsync(w => w.Scene?.ResourcePath, cancellationToken).ConfigureAwait(false);
        if (active != snapshot.ScenePath)
        {
            await LoadSceneAsync(snapshot.ScenePath, cancellationToken).ConfigureAwait(false);
        }

        return await ReadAsync(w =>
        {
            w.Restore(snapshot);
            return w.StateHash()!;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts recording inputs and checkpoint hashes (every <paramref name="checkpointEvery"/> ticks) from the current state.</summary>
    /// <exception cref="InvalidOperationException">No scene is loaded.</exception>
    public Task<InputRecorder> StartRecordingAsync(string id, string? name, int checkpointEvery, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(checkpointEvery, 1);
        return ReadAsync(w => new InputRecorder(w, id, name, checkpointEvery), cancellationToken);
    }

    /// <summary>Stops a recording and returns it.</summary>
    /// <exception cref="InvalidOperationException">Another scene was loaded during the recording.</exception>
    public Task<InputRecording> StopRecordingAsync(InputRecorder recorder, CancellationToken cancellationToken = default) =>
        ReadAsync(_ => recorder.Stop(), cancellationToken);

    /// <summary>
    /// Replays a recording: pauses, restores its start snapshot, then steps to its end tick applying each input at its
    /// tick and comparing checkpoint hashes; the world stays paused at the end tick.
    /// </summary>
    public async Task<ReplayResult> ReplayAsync(InputRecording recording, CancellationToken cancellationToken = default)
    {
        await SetPausedAsync(true, cancellationToken).ConfigureAwait(false);
        await RestoreAsync(recording.StartSnapshot, cancellationToken).ConfigureAwait(false);
        await _stepGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var inputs = recording.Inputs.OrderBy(i => i.Tick).ToList(); // stable: same-tick inputs keep their order
            var checkpoints = recording.Checkpoints.ToDictionary(c => c.Tick, c => c.StateHash);
            var next = 0;
            var compared = 0;
            (long Tick, string Expected, string Actual)? divergence = null;
            var done = false;
            while (!done)
            {
                done = await OnLoopAsync(() =>
                {
                    for (var i = 0; i < StepChunkTicks; i++)
                    {
                        var tick = World.SceneTick;
                        if (divergence is null && tick != recording.StartTick && checkpoints.TryGetValue(tick, out var expected))
                        {
                            compared++;
                            var actual = World.StateHash()!;
                            if (actual != expected)
                            {
                                divergence = (tick, expected, actual);
                            }
                        }

                        while (next < inputs.Count && inputs[next].Tick <= tick)
                        {
                            World.Apply(inputs[next++].Input);
                        }

                        if (tick >= recording.EndTick)
                        {
                            return true;
                        }

                        World.Advance();
                    }

                    return false;
                }, cancellationToken).ConfigureAwait(false);
            }

            var final = await ReadAsync(w => w.StateHash()!, cancellationToken).ConfigureAwait(false);
            var matches = divergence is null && final == recording.FinalHash;
            if (divergence is null && !matches)
            {
                divergence = (recording.EndTick, recording.FinalHash, final);
            }

            return new ReplayResult(matches, recording.EndTick, final, recording.FinalHash, divergence?.Tick, divergence?.Expected, divergence?.Actual, compared);
        }
        finally
        {
            _stepGate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on the simulation thread, then publishes the summary it may have changed.</summary>
    private Task<T> OnLoopAsync<T>(Func<T> work, CancellationToken cancellationToken) =>
        Loop.InvokeAsync(() =>
        {
            try
            {
                return work();
            }
            finally
            {
                PublishSummary();
            }
        }, cancellationToken);

    private Task OnLoopAsync(Action work, CancellationToken cancellationToken) =>
        OnLoopAsync(() =>
        {
            work();
            return true;
        }, cancellationToken);

    /// <summary>On the simulation thread: what <see cref="Summary"/> reads from now on.</summary>
    private void PublishSummary() => Volatile.Write(ref _summary, WorldSummary.Of(World));

    /// <summary>Parses and builds a scene without making it active.</summary>
    public SceneValidation Validate(string resPath)
    {
        var warnings = new List<string>();
        if (resPath.Contains(' '))
        {
            warnings.Add("scene path contains spaces");
        }

        try
        {
            var instance = Project.Loader.Instantiate(resPath);
            warnings.AddRange(instance.Warnings);
            if (instance.NodeCount > LargeSceneNodeCount)
            {
                warnings.Add($"scene has {instance.NodeCount} nodes (more than {LargeSceneNodeCount}); it may not hold the VR frame rate");
            }

            if (Players.Player.FindIn(instance.Root, 0) is null)
            {
                warnings.Add("scene has no player (no XROrigin3D and no node in group 'player')");
            }

            return new SceneValidation(true, [], warnings, new SceneInfo(instance.NodeCount, instance.Root.Type, instance.Name));
        }
        catch (SceneLoadException e)
        {
            return new SceneValidation(false, [e.Message], warnings, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Loop.DisposeAsync().ConfigureAwait(false);
        _loadGate.Dispose();
        _stepGate.Dispose();
    }
}
