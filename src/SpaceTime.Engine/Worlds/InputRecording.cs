namespace SpaceTime.Engine.Worlds;

/// <summary>A state hash at a scene tick, taken after that tick ran and before inputs applied at it.</summary>
public sealed record Checkpoint(long Tick, string StateHash);

/// <summary>
/// A recorded session: the world it started from, every input with the tick it was applied at, and hashes at
/// checkpoints and at the end. Replaying it from its start snapshot must reach the same final hash.
/// </summary>
public sealed record InputRecording(
    string Id,
    string? Name,
    string ScenePath,
    long StartTick,
    long EndTick,
    string StartHash,
    string FinalHash,
    int CheckpointEvery,
    IReadOnlyList<TickedInput> Inputs,
    IReadOnlyList<Checkpoint> Checkpoints,
    WorldSnapshot StartSnapshot);

/// <summary>The outcome of a replay; <see cref="FirstDivergentTick"/> is the first checkpoint (or the end) whose hash differed.</summary>
public sealed record ReplayResult(bool Matches, long EndTick, string FinalHash, string ExpectedFinalHash, long? FirstDivergentTick, string? ExpectedHash, string? ActualHash, int CheckpointsCompared);

/// <summary>Collects inputs and checkpoint hashes from a world while attached. Lives on the simulation thread.</summary>
public sealed class InputRecorder
{
    private readonly GameWorld _world;
    private readonly List<TickedInput> _inputs = [];
    private readonly List<Checkpoint> _checkpoints = [];
    private readonly WorldSnapshot _start;
    private readonly string _startHash;

    internal InputRecorder(GameWorld world, string id, string? name, int checkpointEvery)
    {
        _world = world;
        Id = id;
        Name = name;
        CheckpointEvery = checkpointEvery;
        _start = world.Capture() ?? throw new InvalidOperationException("no scene is loaded, so there is nothing to record");
        _startHash = _start.Hash();
        world.InputApplied += OnInput;
        world.Advanced += OnAdvanced;
        world.SceneActivated += OnSceneChanged;
    }

    public string Id { get; }

    public string? Name { get; }

    public int CheckpointEvery { get; }

    /// <summary>Set when the active scene changed during the recording (it can no longer be replayed).</summary>
    public bool Broken { get; private set; }

    internal InputRecording Stop()
    {
        Detach();
        if (Broken)
        {
            throw new InvalidOperationException("another scene was loaded during the recording, so it cannot be replayed");
        }

        var end = _world.Capture()!;
        return new InputRecording(Id, Name, _start.ScenePath, _start.Tick, end.Tick, _startHash, end.Hash(), CheckpointEvery, [.. _inputs], [.. _checkpoints], _start);
    }

    /// <summary>Stops listening without producing a recording. Call on the simulation thread.</summary>
    public void Detach()
    {
        _world.InputApplied -= OnInput;
        _world.Advanced -= OnAdvanced;
        _world.SceneActivated -= OnSceneChanged;
    }

    private void OnInput(TickedInput input) => _inputs.Add(input);

    private void OnAdvanced(long tick)
    {
        if ((tick - _start.Tick) % CheckpointEvery == 0)
        {
            _checkpoints.Add(new Checkpoint(tick, _world.StateHash()!));
        }
    }

    private void OnSceneChanged() => Broken = true;
}
