using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Http;
using SpaceTime.Security.Authentication;

namespace SpaceTime.Runtime.State;

public sealed record PlayerJson(
    bool Exists,
    bool Spawned,
    bool Found,
    string? Name,
    string? Type,
    string? NodePath,
    Vec3 Position,
    Vec3 Velocity,
    bool OnFloor,
    Vec3 Rotation,
    DateTimeOffset? SpawnedAt,
    Vec3? SpawnPoint,
    int Respawns)
{
    public static PlayerJson From(PlayerState p) => new(
        p.Exists, p.Spawned, p.Exists, p.Name, p.Type, p.NodePath, Vec3.From(p.Position), Vec3.From(p.Velocity), p.OnFloor,
        new Vec3(0, Vec3.Clean(p.YawDegrees, 3), 0), p.SpawnedAt, Vec3.From(p.SpawnPoint), p.Respawns);
}

public sealed record StickJson(double X, double Y);

/// <summary>A controller's inputs on the wire: trigger, grip, primary_button, thumbstick {x, y}.</summary>
public sealed record ControllerJson(double Trigger, double Grip, bool PrimaryButton, StickJson Thumbstick)
{
    public static ControllerJson From(ControllerInput c) => new(c.Trigger, c.Grip, c.PrimaryButton, new StickJson(c.ThumbstickX, c.ThumbstickY));
}

/// <summary>The simulated hardware: inputs held for <c>ticks_remaining</c> more ticks, and what the controls did.</summary>
public sealed record VrSimulationJson(bool Active, int TicksRemaining, ControllerJson Left, ControllerJson Right, int SnapTurns, int Teleports, string? LastAction)
{
    public static VrSimulationJson From(VrSimulationState s) =>
        new(s.TicksRemaining > 0, s.TicksRemaining, ControllerJson.From(s.Left), ControllerJson.From(s.Right), s.SnapTurns, s.Teleports, s.LastAction);
}

public sealed record VrJson(
    bool VrEnabled,
    bool HeadsetConnected,
    string FallbackMode,
    PoseJson? Headset,
    PoseJson? LeftController,
    PoseJson? RightController,
    VrSimulationJson Simulation)
{
    public static VrJson From(VrState v) => new(
        v.VrEnabled, v.HeadsetConnected, v.FallbackMode, PoseJson.From(v.Headset), PoseJson.From(v.LeftController), PoseJson.From(v.RightController),
        VrSimulationJson.From(v.Simulation));
}

public sealed record SceneSummaryJson(bool Loaded, string? Name, string? Path, string? RootType, int NodeCount, DateTimeOffset? LoadedAt, double? LoadDurationMs);

public sealed record BoxJson(Vec3 Min, Vec3 Max);

public sealed record MapPlayerJson(Vec3 Position, double YawDegrees, bool Spawned);

/// <summary>A top-down map of the active scene: static collider boxes, their bounds, the spawn point and the player.</summary>
public sealed record MapJson(bool Loaded, string? ScenePath, IReadOnlyList<BoxJson> Colliders, BoxJson? Bounds, Vec3? SpawnPoint, MapPlayerJson? Player)
{
    public static MapJson From(MapState m)
    {
        var boxes = m.Colliders.Select(b => new BoxJson(Vec3.From(b.Min), Vec3.From(b.Max))).ToList();
        BoxJson? bounds = m.Colliders.Count == 0 ? null : new BoxJson(
            Vec3.From(m.Colliders.Select(b => b.Min).Aggregate(System.Numerics.Vector3.Min)),
            Vec3.From(m.Colliders.Select(b => b.Max).Aggregate(System.Numerics.Vector3.Max)));
        var player = m.Player is { } p ? new MapPlayerJson(Vec3.From(p.Position), Vec3.Clean(p.YawDegrees, 3), p.Spawned) : null;
        return new MapJson(m.Loaded, m.Path, boxes, bounds, Vec3.From(m.SpawnPoint), player);
    }
}

/// <summary>The legacy <c>/state/scene</c> shape (timestamp, fps, vr_main found/not_found, player) plus the scene summary.</summary>
public sealed record SceneStateJson(DateTimeOffset Timestamp, double Fps, string VrMain, SceneSummaryJson Scene, PlayerJson Player);

public sealed record StateHashJson(long Tick, string? StateHash, string? ScenePath, bool Paused);

/// <summary>Read-only views of the simulated world.</summary>
public static class StateApi
{
    public static IEndpointRouteBuilder MapStateApi(this IEndpointRouteBuilder app)
    {
        var state = app.MapGroup("/state").WithTags("State").RequirePermission(Permissions.StateRead);
        state.MapGet("/scene", GetSceneState);
        state.MapGet("/player", GetPlayer);
        state.MapGet("/vr", GetVr);
        state.MapGet("/map", GetMap);
        state.MapGet("/hash", GetHash);
        return app;
    }

    public static Ok<SceneStateJson> GetSceneState(HeadlessGame game, TimeProvider time)
    {
        var (scene, player, _) = game.Summary;
        var stats = game.Loop.GetStatistics();
        var summary = new SceneSummaryJson(scene.Loaded, scene.Name, scene.Path, scene.RootType, scene.NodeCount, scene.LoadedAt, scene.LoadDurationMs);
        var vrMain = scene.Path == "res://vr_main.tscn" ? "found" : "not_found";
        return TypedResults.Ok(new SceneStateJson(time.GetUtcNow(), Math.Round(stats.AchievedTicksPerSecond, 2), vrMain, summary, PlayerJson.From(player)));
    }

    public static Ok<PlayerJson> GetPlayer(HeadlessGame game) => TypedResults.Ok(PlayerJson.From(game.Summary.Player));

    public static async Task<Ok<MapJson>> GetMap(HeadlessGame game, CancellationToken cancellationToken) =>
        TypedResults.Ok(MapJson.From(await game.ReadAsync(w => w.GetMapState(), cancellationToken)));
    /// <summary>The state hash: equal hashes mean equal worlds (scene, tick, nodes, player, VR), in any process.</summary>
    public static async Task<Ok<StateHashJson>> GetHash(HeadlessGame game, CancellationToken cancellationToken) =>
        TypedResults.Ok(await game.ReadAsync(w => new StateHashJson(w.SceneTick, w.StateHash(), w.Scene?.ResourcePath, w.Paused), cancellationToken));

    public static Ok<VrJson> GetVr(HeadlessGame game) => TypedResults.Ok(VrJson.From(game.Summary.Vr));
}
