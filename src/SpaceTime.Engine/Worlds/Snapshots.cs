using System.Numerics;
using SpaceTime.Engine.Players;

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
