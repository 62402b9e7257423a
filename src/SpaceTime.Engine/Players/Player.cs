using System.Numerics;
using SpaceTime.Engine.Formats;
using SpaceTime.Engine.Physics;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Players;

/// <summary>
/// The player: the scene's <c>XROrigin3D</c> (or a node in group <c>player</c>), moved by simple kinematic physics.
/// Spawned once it first stands on ground. Lives on the simulation thread.
/// </summary>
public sealed class Player
{
    public const float DefaultSnapTurnDegrees = 30f;
    public const float DefaultMoveSpeed = 2.0f;
    private const float KillPlaneY = -200f;

    private readonly CapsuleMover _mover = new();
    private readonly float _gravity;
    private Vector3 _moveDirection;
    private float _moveSpeed;
    private float _moveRemaining;

    private Player(SceneNode origin, Vector3 spawnPosition, float spawnYaw, float gravity)
    {
        Origin = origin;
        SpawnPosition = spawnPosition;
        SpawnYaw = spawnYaw;
        _gravity = gravity;
        Camera = origin.SelfAndDescendants().FirstOrDefault(n => n.Type == "XRCamera3D");
        var controllers = origin.SelfAndDescendants().Where(n => n.Type == "XRController3D").ToList();
        LeftController = controllers.FirstOrDefault(c => IsHand(c, "left")) ?? controllers.ElementAtOrDefault(0);
        RightController = controllers.FirstOrDefault(c => IsHand(c, "right")) ?? controllers.FirstOrDefault(c => c != LeftController);
        Respawn();
    }

    public SceneNode Origin { get; }

    public SceneNode? Camera { get; }

    public SceneNode? LeftController { get; }

    public SceneNode? RightController { get; }

    public Vector3 SpawnPosition { get; }

    public float SpawnYaw { get; }

    /// <summary>Position of the feet (the origin) in world space.</summary>
    public Vector3 Position { get; private set; }

    public Vector3 Velocity { get; private set; }

    /// <summary>Heading in radians about +Y (Godot: positive turns left).</summary>
    public float Yaw { get; private set; }

    public bool OnFloor { get; private set; }

    public bool Spawned { get; private set; }

    public int Respawns { get; private set; }

    /// <summary>Raised on the simulation thread the first time the player stands on ground.</summary>
    public event Action<Player>? SpawnedOnGround;

    /// <summary>Finds the player in a scene: an XROrigin3D, else a node in group "player"; null when there is none.</summary>
    public static Player? FindIn(SceneNode root, float gravity)
    {
        var origin = root.SelfAndDescendants().FirstOrDefault(n => n.Type == "XROrigin3D")
                     ?? root.SelfAndDescendants().FirstOrDefault(n => n.IsInGroup("player") && n.Is3D);
        if (origin is null)
        {
            return null;
        }

        var spawn = root.SelfAndDescendants().FirstOrDefault(n => n.Type == "Marker3D" && n.IsInGroup("spawn_point"));
        var spawnTransform = (spawn ?? origin).GlobalTransform;
        var forward = spawnTransform.BasisXform(-Vector3.UnitZ);
        var yaw = MathF.Atan2(-forward.X, -forward.Z);
        return new Player(origin, spawnTransform.Origin, float.IsFinite(yaw) ? yaw : 0, gravity);
    }

    public void Step(float delta, StaticColliders colliders)
    {
        var velocity = Velocity;
        velocity.Y -= _gravity * delta;
        if (_moveRemaining > 0)
        {
            var world = Transform3D.RotationY(Yaw).BasisXform(_moveDirection) * _moveSpeed;
            velocity = velocity with { X = world.X, Z = world.Z };
            _moveRemaining -= delta;
        }
        else
        {
            velocity = velocity with { X = 0, Z = 0 };
        }

        var position = Position;
        OnFloor = _mover.MoveAndSlide(ref position, ref velocity, delta, colliders);
        if (OnFloor && velocity.Y < 0)
        {
            velocity.Y = 0;
        }

        Position = position;
        Velocity = velocity;
        if (Position.Y < KillPlaneY)
        {
            Respawns++;
            Respawn();
        }

        if (OnFloor && !Spawned)
        {
            Spawned = true;
            SpawnedOnGround?.Invoke(this);
        }

        WriteOriginTransform();
    }

    /// <summary>Walks in the player's frame: x strafes right, y goes forward; |direction| ≤ 1.</summary>
    public void Move(Vector2 direction, float speed, float seconds)
    {
        if (direction.Length() > 1)
        {
            direction = Vector2.Normalize(direction);
        }

        _moveDirection = new Vector3(direction.X, 0, -direction.Y);
        _moveSpeed = speed;
        _moveRemaining = seconds;
    }

    /// <summary>Teleports onto ground at (x, z), no higher than y + 0.5 m. False when there is no ground there.</summary>
    public bool TryTeleport(Vector3 target, StaticColliders colliders, out Vector3 landed)
    {
        var ground = colliders.GroundHeightBelow(target, target.Y + 0.5f);
        if (ground is null)
        {
            landed = default;
            return false;
        }

        landed = target with { Y = ground.Value };
        Position = landed;
        Velocity = Vector3.Zero;
        _moveRemaining = 0;
        OnFloor = true;
        WriteOriginTransform();
        return true;
    }

    /// <summary>Turns by a fixed angle; positive degrees turn left, as Godot's yaw does.</summary>
    public void SnapTurn(float degrees)
    {
        Yaw = NormalizeAngle(Yaw + (degrees * MathF.PI / 180f));
        WriteOriginTransform();
    }

    /// <summary>Puts the headset back over the origin, facing the player's heading.</summary>
    public void Recenter()
    {
        if (Camera is not null)
        {
            Camera.LocalTransform = Transform3D.FromPosition(new Vector3(0, Camera.LocalTransform.Origin.Y, 0));
        }
    }

    /// <summary>Everything about the player that affects later ticks, for the state hash and snapshots.</summary>
    public PlayerMotion Capture() => new(
        [Position.X, Position.Y, Position.Z], [Velocity.X, Velocity.Y, Velocity.Z], Yaw, OnFloor, Spawned, Respawns,
        [_moveDirection.X, _moveDirection.Y, _moveDirection.Z], _moveSpeed, _moveRemaining);

    /// <summary>Puts the player back as <see cref="Capture"/> found it (no spawn event is raised).</summary>
    public void Restore(PlayerMotion motion)
    {
        Position = new Vector3(motion.Position[0], motion.Position[1], motion.Position[2]);
        Velocity = new Vector3(motion.Velocity[0], motion.Velocity[1], motion.Velocity[2]);
        Yaw = motion.Yaw;
        OnFloor = motion.OnFloor;
        Spawned = motion.Spawned;
        Respawns = motion.Respawns;
        _moveDirection = new Vector3(motion.MoveDirection[0], motion.MoveDirection[1], motion.MoveDirection[2]);
        _moveSpeed = motion.MoveSpeed;
        _moveRemaining = motion.MoveRemaining;
        WriteOriginTransform();
    }

    public Pose? HeadsetPose => PoseOf(Camera);

    public Pose? LeftControllerPose => PoseOf(LeftController);

    public Pose? RightControllerPose => PoseOf(RightController);

    private static Pose? PoseOf(SceneNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var t = node.GlobalTransform;
        return new Pose(t.Origin, t.Rotation);
    }

    private void Respawn()
    {
        Position = SpawnPosition;
        Velocity = Vector3.Zero;
        Yaw = SpawnYaw;
        OnFloor = false;
        WriteOriginTransform();
    }

    private void WriteOriginTransform()
    {
        var world = Transform3D.RotationY(Yaw) with { Origin = Position };
        var parent = Origin.Parent;
        Origin.LocalTransform = parent is null ? world : parent.GlobalTransform.AffineInverse() * world;
    }

    private static bool IsHand(SceneNode controller, string hand) =>
        (controller.Properties.GetValueOrDefault("tracker") switch
        {
            StringName s => s.Value,
            string s => s,
            _ => "",
        }).Contains(hand, StringComparison.OrdinalIgnoreCase)
        || controller.Name.Contains(hand, StringComparison.OrdinalIgnoreCase);

    private static float NormalizeAngle(float radians)
    {
        var r = radians % (2 * MathF.PI);
        return r > MathF.PI ? r - (2 * MathF.PI) : r < -MathF.PI ? r + (2 * MathF.PI) : r;
    }
}

/// <summary>The player's motion state (vectors as x, y, z arrays so it serialises as plain JSON).</summary>
public sealed record PlayerMotion(
    float[] Position, float[] Velocity, float Yaw, bool OnFloor, bool Spawned, int Respawns, float[] MoveDirection, float MoveSpeed, float MoveRemaining);

/// <summary>A tracked pose in world space.</summary>
public readonly record struct Pose(Vector3 Position, Quaternion Rotation);
