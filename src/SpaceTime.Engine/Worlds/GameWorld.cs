using System.Numerics;
using SpaceTime.Engine.Physics;
using SpaceTime.Engine.Players;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Simulation;

namespace SpaceTime.Engine.Worlds;

/// <summary>
/// The simulated world: the active scene, its static colliders and the player. Every member runs on the
/// simulation thread (the loop calls <see cref="Step"/>; everything else arrives as posted work).
/// </summary>
public sealed class GameWorld(float gravity, TimeProvider time) : ISimulationStep
{
    private SceneInstance? _scene;
    private StaticColliders _colliders = new([]);
    private DateTimeOffset? _loadedAt;
    private double? _loadDurationMs;
    private DateTimeOffset? _spawnedAt;

    /// <summary>Seconds per tick; the same for loop ticks and explicit steps, so a step is exactly a tick.</summary>
    public double FixedDelta { get; set; } = 1.0 / 90;

    /// <summary>Ticks the active scene has run: 0 when it is loaded, advanced only while not paused or when stepped.</summary>
    public long SceneTick { get; private set; }

    private volatile bool _paused;

    /// <summary>While paused the loop keeps running (work, health, telemetry) but the world does not advance. Safe to read from any thread.</summary>
    public bool Paused
    {
        get => _paused;
        set => _paused = value;
    }

    public VrSimulation Vr { get; private set; } = new();

    public Player? Player { get; private set; }

    public SceneInstance? Scene => _scene;

    /// <summary>Raised on the simulation thread when the player first stands on ground in a scene.</summary>
    public event Action<PlayerState>? PlayerSpawned;

    /// <summary>Raised on the simulation thread after each input is applied, with the tick it was applied at.</summary>
    public event Action<TickedInput>? InputApplied;

    /// <summary>Raised on the simulation thread when a scene becomes active.</summary>
    public event Action? SceneActivated;

    /// <summary>Raised on the simulation thread after the world advanced one tick, with the new scene tick.</summary>
    public event Action<long>? Advanced;

    /// <summary>A loop tick: advances the world unless paused.</summary>
    public void Step(double delta)
    {
        if (!Paused)
        {
            Advance();
        }
    }

    /// <summary>Advances the world exactly one tick (VR input, then the player), paused or not.</summary>
    public void Advance()
    {
        var delta = (float)FixedDelta;
        Vr.Tick(Player, _colliders, delta);
        Player?.Step(delta, _colliders);
        SceneTick++;
        Advanced?.Invoke(SceneTick);
    }

    /// <summary>Applies an input now (it takes effect in the next tick). False when it could not act (a teleport with no ground).</summary>
    /// <exception cref="InvalidOperationException">The active scene has no player.</exception>
    public bool Apply(WorldInput input)
    {
        var player = Player ?? throw new InvalidOperationException("the active scene has no player");
        var applied = true;
        switch (input)
        {
            case MoveInput m:
                player.Move(new Vector2(m.X, m.Y), m.Speed, m.Seconds);
                break;
            case TeleportInput t:
                applied = player.TryTeleport(new Vector3(t.X, t.Y, t.Z), _colliders, out _);
                break;
            case SnapTurnInput s:
                player.SnapTurn(s.Degrees);
                break;
            case RecenterInput:
                player.Recenter();
                break;
            case VrInput vr:
                Vr.Set(vr);
                break;
            default:
                throw new ArgumentException($"unknown input {input.GetType().Name}", nameof(input));
        }

        InputApplied?.Invoke(new TickedInput(SceneTick, input));
        return applied;
    }

    /// <summary>The state of the active scene now; null when none is loaded.</summary>
    public WorldSnapshot? Capture() => _scene is null ? null : WorldSnapshot.Capture(_scene, SceneTick, Player, Vr);

    /// <summary>The state hash now; null when no scene is loaded.</summary>
    public string? StateHash() => Capture()?.Hash();

    /// <summary>Puts the active scene back into a captured state. The snapshot's scene must be the active one.</summary>
    /// <exception cref="InvalidOperationException">Another scene is active, or the scene's nodes changed since the capture.</exception>
    public void Restore(WorldSnapshot snapshot)
    {
        if (_scene is null || _scene.ResourcePath != snapshot.ScenePath)
        {
            throw new InvalidOperationException($"the snapshot is of {snapshot.ScenePath}, but {_scene?.ResourcePath ?? "no scene"} is active");
        }

        var nodes = _scene.Root.SelfAndDescendants().ToList();
        if (nodes.Count != snapshot.Nodes.Count || nodes.Zip(snapshot.Nodes).Any(p => p.First.Path != p.Second.Path))
        {
            throw new InvalidOperationException($"the nodes of {snapshot.ScenePath} differ from the snapshot's (the scene file changed since)");
        }

        foreach (var (node, saved) in nodes.Zip(snapshot.Nodes))
        {
            saved.RestoreInto(node);
        }

        _colliders = StaticColliders.FromScene(_scene.Root);
        SceneTick = snapshot.Tick;
        if (Player is not null && snapshot.Player is not null)
        {
            Player.Restore(snapshot.Player);
        }

        Vr.Restore(snapshot.Vr);
    }

    /// <summary>A node by the path <see cref="Dump"/> writes (root name first, e.g. "Main/Player"); null when there is none.</summary>
    public SceneNode? FindNode(string path)
    {
        if (_scene is null)
        {
            return null;
        }

        var root = _scene.Root;
        var trimmed = path.Trim('/');
        if (trimmed == root.Name)
        {
            return root;
        }

        return trimmed.StartsWith(root.Name + "/", StringComparison.Ordinal) ? root.Find(trimmed[(root.Name.Length + 1)..]) : null;
    }

    /// <summary>Sets stored properties of a node (values already type-checked) and re-reads its transform and the colliders.</summary>
    public void SetNodeProperties(SceneNode node, IReadOnlyDictionary<string, object?> values)
    {
        var transformKeys = new[] { "position", "rotation", "scale", "quaternion" };
        if (node.Properties.ContainsKey("transform") && !values.ContainsKey("transform") && values.Keys.Any(transformKeys.Contains))
        {
            // The node stores one transform; switch it to the separate properties so they can be changed one by one.
            var t = node.LocalTransform;
            node.Properties.Remove("transform");
            var rotation = t.EulerDegrees * (MathF.PI / 180f);
            var scale = new Vector3(new Vector3(t.Row0.X, t.Row1.X, t.Row2.X).Length(), new Vector3(t.Row0.Y, t.Row1.Y, t.Row2.Y).Length(), new Vector3(t.Row0.Z, t.Row1.Z, t.Row2.Z).Length());
            node.Properties["position"] = Formats.MathValue.Of("Vector3", t.Origin.X, t.Origin.Y, t.Origin.Z);
            node.Properties["rotation"] = Formats.MathValue.Of("Vector3", rotation.X, rotation.Y, rotation.Z);
            node.Properties["scale"] = Formats.MathValue.Of("Vector3", scale.X, scale.Y, scale.Z);
        }

        foreach (var (key, value) in values)
        {
            node.Properties[key] = value;
        }

        if (values.ContainsKey("transform") || values.Keys.Any(transformKeys.Contains))
        {
            node.ApplyTransformProperties();
        }

        _colliders = StaticColliders.FromScene(_scene!.Root);
    }

    /// <summary>Makes <paramref name="scene"/> the active scene and places its player at the spawn point.</summary>
    public void Activate(SceneInstance scene, double loadDurationMs)
    {
        _scene = scene;
        _loadedAt = time.GetUtcNow();
        _loadDurationMs = loadDurationMs;
        _colliders = StaticColliders.FromScene(scene.Root);
        _spawnedAt = null;
        SceneTick = 0;
        Vr = new VrSimulation();
        Player = Players.Player.FindIn(scene.Root, gravity);
        if (Player is not null)
        {
            Player.SpawnedOnGround += OnSpawned;
        }

        SceneActivated?.Invoke();
    }

    public SceneState GetSceneState() => _scene is null
        ? new SceneState(false, null, null, null, 0, null, null, [])
        : new SceneState(true, _scene.Name, _scene.ResourcePath, _scene.Root.Type, _scene.NodeCount, _loadedAt, _loadDurationMs, _scene.Warnings);

    public PlayerState GetPlayerState()
    {
        if (Player is not { } p)
        {
            return new PlayerState(false, false, null, null, null, Vector3.Zero, Vector3.Zero, false, 0, null, null, 0);
        }

        return new PlayerState(true, p.Spawned, p.Origin.Name, p.Origin.Type, p.Origin.Path, p.Position, p.Velocity, p.OnFloor,
            p.Yaw * 180f / MathF.PI, _spawnedAt, p.SpawnPosition, p.Respawns);
    }

    public MapState GetMapState() => new(
        _scene is not null,
        _scene?.ResourcePath,
        _colliders.Boxes,
        Player?.SpawnPosition,
        Player is { } p ? new PlayerMarker(p.Position, p.Yaw * 180f / MathF.PI, p.Spawned) : null);

    public VrState GetVrState() =>
        new(false, false, "desktop", Player?.HeadsetPose, Player?.LeftControllerPose, Player?.RightControllerPose, Vr.Capture());

    public NodeDump? Dump(int maxDepth = 64) => _scene is null ? null : DumpNode(_scene.Root, maxDepth);

    /// <summary>Applies a player command; throws <see cref="InvalidOperationException"/> when there is no player.</summary>
    public PlayerState Control(Action<Player, StaticColliders> command)
    {
        command(Player ?? throw new InvalidOperationException("the active scene has no player"), _colliders);
        return GetPlayerState();
    }

    private void OnSpawned(Player player)
    {
        _spawnedAt = time.GetUtcNow();
        PlayerSpawned?.Invoke(GetPlayerState());
    }

    private static NodeDump DumpNode(SceneNode node, int depth) => new(
        node.Name,
        node.Type,
        node.Path,
        node.Visible,
        [.. node.Groups],
        node.SceneFile,
        node.Is3D ? node.GlobalPosition : null,
        node.Is3D ? node.GlobalTransform.EulerDegrees : null,
        depth > 0 ? node.Children.Select(c => DumpNode(c, depth - 1)).ToList() : []);
}
