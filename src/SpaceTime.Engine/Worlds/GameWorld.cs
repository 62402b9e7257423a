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

    public Player? Player { get; private set; }

    public SceneInstance? Scene => _scene;

    /// <summary>Raised on the simulation thread when the player first stands on ground in a scene.</summary>
    public event Action<PlayerState>? PlayerSpawned;

    public void Step(double delta) => Player?.Step((float)delta, _colliders);

    /// <summary>Makes <paramref name="scene"/> the active scene and places its player at the spawn point.</summary>
    public void Activate(SceneInstance scene, double loadDurationMs)
    {
        _scene = scene;
        _loadedAt = time.GetUtcNow();
        _loadDurationMs = loadDurationMs;
        _colliders = StaticColliders.FromScene(scene.Root);
        _spawnedAt = null;
        Player = Players.Player.FindIn(scene.Root, gravity);
        if (Player is not null)
        {
            Player.SpawnedOnGround += OnSpawned;
        }
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
        new(false, false, "desktop", Player?.HeadsetPose, Player?.LeftControllerPose, Player?.RightControllerPose);

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
