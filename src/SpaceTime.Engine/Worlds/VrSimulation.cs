using System.Numerics;
using SpaceTime.Engine.Physics;
using SpaceTime.Engine.Players;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Worlds;

/// <summary>
/// Simulated VR hardware: headset and controller poses and controller inputs, applied each tick before the player
/// moves. The controls follow the VR checklist: left stick walks, right stick snaps 30° turns (push past 0.7,
/// return under 0.3 to turn again), a right trigger press teleports to the ground spot the right controller points at.
/// Lives on the simulation thread.
/// </summary>
public sealed class VrSimulation
{
    public const float SnapTurnDegrees = Player.DefaultSnapTurnDegrees;
    public const float TriggerPressed = 0.8f;
    public const float TeleportRange = 30f;
    private const float SnapPush = 0.7f;
    private const float SnapRelease = 0.3f;
    private const float RayStep = 0.05f;

    public TrackedPoseInput? Headset { get; private set; }

    public TrackedPoseInput? LeftController { get; private set; }

    public TrackedPoseInput? RightController { get; private set; }

    public ControllerInput Left { get; private set; } = ControllerInput.Neutral;

    public ControllerInput Right { get; private set; } = ControllerInput.Neutral;

    public int TicksRemaining { get; private set; }

    public bool SnapReady { get; private set; } = true;

    public bool TriggerHeld { get; private set; }

    public int SnapTurns { get; private set; }

    public int Teleports { get; private set; }

    /// <summary>What the last controller action did, e.g. "snap_turn_right" or "teleport_missed".</summary>
    public string? LastAction { get; private set; }

    public bool Active => TicksRemaining > 0;

    public void Set(VrInput input)
    {
        Headset = input.Headset ?? Headset;
        LeftController = input.LeftController ?? LeftController;
        RightController = input.RightController ?? RightController;
        Left = input.Left ?? Left;
        Right = input.Right ?? Right;
        TicksRemaining = input.Ticks;
    }

    /// <summary>Applies the inputs for one tick; call before the player steps.</summary>
    public void Tick(Player? player, StaticColliders colliders, float delta)
    {
        if (player is null)
        {
            return;
        }

        PlacePoses(player);
        if (TicksRemaining <= 0)
        {
            return;
        }

        var walk = new Vector2(Left.ThumbstickX, Left.ThumbstickY);
        if (walk.Length() > 0.1f)
        {
            player.Move(walk, Player.DefaultMoveSpeed, delta);
        }

        var turn = Right.ThumbstickX;
        if (SnapReady && MathF.Abs(turn) >= SnapPush)
        {
            player.SnapTurn(turn > 0 ? -SnapTurnDegrees : SnapTurnDegrees);
            SnapReady = false;
            SnapTurns++;
            LastAction = turn > 0 ? "snap_turn_right" : "snap_turn_left";
        }
        else if (MathF.Abs(turn) < SnapRelease)
        {
            SnapReady = true;
        }

        var pressed = Right.Trigger >= TriggerPressed;
        if (pressed && !TriggerHeld)
        {
            TeleportToPointedSpot(player, colliders);
        }

        TriggerHeld = pressed;
        if (--TicksRemaining == 0)
        {
            Left = ControllerInput.Neutral;
            Right = ControllerInput.Neutral;
            SnapReady = true;
            TriggerHeld = false;
        }
    }

    /// <summary>Everything that affects later ticks, for the state hash and snapshots.</summary>
    public VrSimulationState Capture() => new(Headset, LeftController, RightController, Left, Right, TicksRemaining, SnapReady, TriggerHeld, SnapTurns, Teleports, LastAction);

    public void Restore(VrSimulationState state)
    {
        (Headset, LeftController, RightController, Left, Right) = (state.Headset, state.LeftController, state.RightController, state.Left, state.Right);
        (TicksRemaining, SnapReady, TriggerHeld, SnapTurns, Teleports, LastAction) =
            (state.TicksRemaining, state.SnapReady, state.TriggerHeld, state.SnapTurns, state.Teleports, state.LastAction);
    }

    private void PlacePoses(Player player)
    {
        Place(player.Origin, player.Camera, Headset);
        Place(player.Origin, player.LeftController, LeftController);
        Place(player.Origin, player.RightController, RightController);
    }

    /// <summary>Puts a tracked node at a pose given in the origin's space, whatever lies between them.</summary>
    private static void Place(SceneNode origin, SceneNode? node, TrackedPoseInput? pose)
    {
        if (node is null || pose is null || node == origin)
        {
            return;
        }

        const float ToRadians = MathF.PI / 180f;
        var inOrigin = Transform3D.FromPositionRotationScale(
            new Vector3(pose.X, pose.Y, pose.Z), new Vector3(pose.Pitch, pose.Yaw, pose.Roll) * ToRadians, Vector3.One);
        node.LocalTransform = node.Parent == origin || node.Parent is null
            ? inOrigin
            : node.Parent.GlobalTransform.AffineInverse() * (origin.GlobalTransform * inOrigin);
    }

    private void TeleportToPointedSpot(Player player, StaticColliders colliders)
    {
        var hand = player.RightController?.GlobalTransform ?? player.Origin.GlobalTransform;
        var direction = Vector3.Normalize(hand.BasisXform(-Vector3.UnitZ));
        for (var t = RayStep; t <= TeleportRange; t += RayStep)
        {
            var point = hand.Origin + (direction * t);
            if (colliders.GroundHeightBelow(point, point.Y + RayStep) is { } ground && ground >= point.Y - RayStep)
            {
                if (player.TryTeleport(point with { Y = ground }, colliders, out _))
                {
                    Teleports++;
                    LastAction = "teleport";
                    return;
                }
            }
        }

        LastAction = "teleport_missed";
    }
}

/// <summary>The simulated VR hardware's state, as snapshots keep it.</summary>
public sealed record VrSimulationState(
    TrackedPoseInput? Headset,
    TrackedPoseInput? LeftController,
    TrackedPoseInput? RightController,
    ControllerInput Left,
    ControllerInput Right,
    int TicksRemaining,
    bool SnapReady,
    bool TriggerHeld,
    int SnapTurns,
    int Teleports,
    string? LastAction)
{
    public bool Active => TicksRemaining > 0;
}
