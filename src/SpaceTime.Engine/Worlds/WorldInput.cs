using System.Text.Json.Serialization;

namespace SpaceTime.Engine.Worlds;

/// <summary>
/// An input to the world, as data: applied on the simulation thread between ticks, so it takes effect at the
/// next tick, in the order it arrived. Being data, it can be recorded with its tick and replayed exactly.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(MoveInput), "move")]
[JsonDerivedType(typeof(TeleportInput), "teleport")]
[JsonDerivedType(typeof(SnapTurnInput), "snap_turn")]
[JsonDerivedType(typeof(RecenterInput), "recenter")]
[JsonDerivedType(typeof(VrInput), "vr")]
public abstract record WorldInput;

/// <summary>Walk in the player's frame: x strafes right, y goes forward.</summary>
public sealed record MoveInput(float X, float Y, float Speed, float Seconds) : WorldInput;

/// <summary>Teleport onto ground at (x, z), no higher than y + 0.5 m.</summary>
public sealed record TeleportInput(float X, float Y, float Z) : WorldInput;

/// <summary>Turn by a fixed angle; positive degrees turn left.</summary>
public sealed record SnapTurnInput(float Degrees) : WorldInput;

public sealed record RecenterInput : WorldInput;

/// <summary>A tracked pose relative to the XR origin (play space): position in metres, rotation as Euler degrees (YXZ).</summary>
public sealed record TrackedPoseInput(float X, float Y, float Z, float Pitch = 0, float Yaw = 0, float Roll = 0);

/// <summary>A controller's buttons and stick; trigger and grip in [0, 1], thumbstick in [-1, 1]².</summary>
public sealed record ControllerInput(float Trigger = 0, float Grip = 0, bool PrimaryButton = false, float ThumbstickX = 0, float ThumbstickY = 0)
{
    public static ControllerInput Neutral { get; } = new();
}

/// <summary>
/// Simulated VR hardware for the next <see cref="Ticks"/> ticks: poses stay where they are put (null leaves a
/// pose as it is); buttons and sticks return to neutral when the ticks run out.
/// </summary>
public sealed record VrInput(
    TrackedPoseInput? Headset,
    TrackedPoseInput? LeftController,
    TrackedPoseInput? RightController,
    ControllerInput? Left,
    ControllerInput? Right,
    int Ticks) : WorldInput;

/// <summary>An input with the scene tick it was applied at (it takes effect in tick <see cref="Tick"/> + 1).</summary>
public sealed record TickedInput(long Tick, WorldInput Input);
