using System.Numerics;
using SpaceTime.Engine.Players;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Worlds;

/// <summary>The active scene, as reported by the API.</summary>
public sealed record SceneState(
    bool Loaded,
    string? Name,
    string? Path,
    string? RootType,
    int NodeCount,
    DateTimeOffset? LoadedAt,
    double? LoadDurationMs,
    IReadOnlyList<string> Warnings);

public sealed record PlayerState(
    bool Exists,
    bool Spawned,
    string? Name,
    string? Type,
    string? NodePath,
    Vector3 Position,
    Vector3 Velocity,
    bool OnFloor,
    float YawDegrees,
    DateTimeOffset? SpawnedAt,
    Vector3? SpawnPoint,
    int Respawns);

/// <summary>VR state. A server has no OpenXR runtime, so VR is always in desktop fallback; poses come from the XR nodes.</summary>
public sealed record VrState(
    bool VrEnabled,
    bool HeadsetConnected,
    string FallbackMode,
    Pose? Headset,
    Pose? LeftController,
    Pose? RightController,
    VrSimulationState Simulation);

/// <summary>One node of a dumped tree.</summary>
public sealed record NodeDump(
    string Name,
    string Type,
    string Path,
    bool Visible,
    IReadOnlyList<string> Groups,
    string? SceneFile,
    Vector3? GlobalPosition,
    Vector3? GlobalRotationDeg,
    IReadOnlyList<NodeDump> Children);

/// <summary>What a top-down map of the active scene needs: its static colliders, the spawn point and the player.</summary>
/// <param name="Loaded">Whether a scene is active.</param>
/// <param name="Path">The active scene's path.</param>
/// <param name="Colliders">World-space boxes the player collides with.</param>
/// <param name="SpawnPoint">Where the player spawns, when the scene has one.</param>
/// <param name="Player">The player's position and heading, when the scene has a player.</param>
public sealed record MapState(bool Loaded, string? Path, IReadOnlyList<Aabb> Colliders, Vector3? SpawnPoint, PlayerMarker? Player);

/// <summary>The player on a map: position and yaw in degrees (0 faces -Z, positive turns left, as in Godot).</summary>
public sealed record PlayerMarker(Vector3 Position, float YawDegrees, bool Spawned);
