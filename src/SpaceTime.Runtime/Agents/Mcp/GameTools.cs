using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Input;
using SpaceTime.Runtime.Logs;
using SpaceTime.Runtime.Nodes;
using SpaceTime.Runtime.Performance;
using SpaceTime.Runtime.Scenes;
using SpaceTime.Runtime.State;
using SpaceTime.Runtime.Time;
using SpaceTime.Runtime.Whitelist;
using SpaceTime.Runtime.World;
using SpaceTime.Security;
using SpaceTime.Security.Audit;
using SpaceTime.Security.Authentication;

namespace SpaceTime.Runtime.Agents.Mcp;

/// <summary>The permission a tool needs: the same one its HTTP endpoint requires.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolPermissionAttribute(string permission) : Attribute
{
    public string Permission { get; } = permission;
}

/// <summary>
/// The game's MCP tools. Each calls the HTTP endpoint's handler (same checks, same audit, same answers) and returns
/// its body as structured content with a one-line summary; an HTTP problem becomes an error result with the same message.
/// </summary>
[McpServerToolType]
public sealed class GameTools(
    HeadlessGame game,
    SceneWhitelist whitelist,
    AuditLog audit,
    SecurityContext security,
    IHttpContextAccessor http,
    WorldSnapshotStore snapshots,
    RecentLogs logs,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> jsonOptions)
{
    private JsonSerializerOptions Json => jsonOptions.Value.SerializerOptions;

    private HttpContext Context => http.HttpContext ?? throw new InvalidOperationException("MCP tools run inside an HTTP request");

    private SceneServices Scenes => new(game, whitelist, audit, security, Context);

    private TimeServices Times => new(game, audit, security, Context);

    private CallToolResult Result(IResult result, Func<JsonElement, string> summary) => ToolResults.From(result, Json, summary);

    [McpServerTool(Name = "scene_load"), Description("Load a scene by res:// path (default: the project's main scene). The new scene starts at tick 0; loaded while paused it stays there until stepped.")]
    [ToolPermission(Permissions.SceneWrite)]
    public async Task<CallToolResult> SceneLoad([Description("res:// path of a .tscn scene")] string? scene_path = null, CancellationToken cancellationToken = default) =>
        Result((await ScenesApi.LoadScene(new SceneLoadRequest(scene_path), Scenes, cancellationToken)).Result,
            r => $"loaded {r.Text("scene")} ({r.Text("node_count")} nodes) in {r.Text("load_duration_ms")} ms");

    [McpServerTool(Name = "scene_reload"), Description("Reload the active scene from disk (back to tick 0).")]
    [ToolPermission(Permissions.SceneWrite)]
    public async Task<CallToolResult> SceneReload(CancellationToken cancellationToken = default) =>
        Result((await ScenesApi.ReloadScene(Scenes, cancellationToken)).Result, r => $"reloaded {r.Text("scene")}");

    [McpServerTool(Name = "scene_validate", ReadOnly = true), Description("Parse and check a scene without loading it: errors, warnings, node count.")]
    [ToolPermission(Permissions.SceneWrite)]
    public async Task<CallToolResult> SceneValidate([Description("res:// path (default: the active scene)")] string? scene_path = null, CancellationToken cancellationToken = default) =>
        Result((await ScenesApi.ValidateScene(new SceneLoadRequest(scene_path), Scenes, cancellationToken)).Result,
            r => $"{r.Text("scene_path")}: {(r.Text("valid") == "true" ? "valid" : "invalid")}, {r.GetProperty("errors").GetArrayLength()} errors, {r.GetProperty("warnings").GetArrayLength()} warnings");

    [McpServerTool(Name = "scene_list", ReadOnly = true), Description("List the project's scenes.")]
    [ToolPermission(Permissions.SceneRead)]
    public CallToolResult SceneList([Description("res:// folder (default res://)")] string? dir = null, bool include_addons = false) =>
        Result(ScenesApi.ListScenes(game, dir, include_addons).Result, r => $"{r.Text("count")} scenes");

    [McpServerTool(Name = "scene_tree", ReadOnly = true), Description("The live scene tree: names, types, paths (use them with node_get/node_set), groups, global positions.")]
    [ToolPermission(Permissions.SceneRead)]
    public async Task<CallToolResult> SceneTree([Description("levels below the root (0-256)")] int depth = 64, CancellationToken cancellationToken = default) =>
        Result((await ScenesApi.DumpScene(game, cancellationToken, depth)).Result, r => $"tree of {r.Text("path")}");

    [McpServerTool(Name = "node_get", ReadOnly = true), Description("One node: type, groups, transform, global position and every stored property as JSON.")]
    [ToolPermission(Permissions.SceneRead)]
    public async Task<CallToolResult> NodeGet([Description("node path as scene_tree reports it, e.g. VRMain/XROrigin3D")] string path, CancellationToken cancellationToken = default) =>
        Result((await NodesApi.GetNode(game, cancellationToken, path)).Result, r => $"{r.Text("path")} ({r.Text("type")})");

    [McpServerTool(Name = "node_set"), Description("Set node properties: position/rotation/scale (Vector3 {x,y,z}; rotation in radians), transform, visible, or any property the scene stores (type-checked). All or nothing.")]
    [ToolPermission(Permissions.SceneWrite)]
    public async Task<CallToolResult> NodeSet(string path, [Description("property name -> new value")] Dictionary<string, JsonElement> properties, CancellationToken cancellationToken = default) =>
        Result((await NodesApi.PatchNode(new NodePatchRequest(path, properties), Scenes, cancellationToken)).Result,
            r => $"set {string.Join(", ", properties.Keys)} on {path}; state hash {r.Text("state_hash")[..12]}");

    [McpServerTool(Name = "player_state", ReadOnly = true), Description("The player: position, velocity, on_floor, heading, spawn state.")]
    [ToolPermission(Permissions.StateRead)]
    public CallToolResult PlayerState() =>
        Result(StateApi.GetPlayer(game), r => $"player at {r.GetProperty("position").GetRawText()}, on_floor {r.Text("on_floor")}");

    [McpServerTool(Name = "player_move"), Description("Walk in the player's frame for a while (forward/strafe in [-1, 1]); applies from the next tick.")]
    [ToolPermission(Permissions.InputWrite)]
    public async Task<CallToolResult> PlayerMove(float forward = 0, float strafe = 0, float speed = Engine.Players.Player.DefaultMoveSpeed, float duration_seconds = 0.5f, CancellationToken cancellationToken = default) =>
        Result((await InputApi.Move(new MoveRequest(forward, strafe, speed, duration_seconds), game, cancellationToken)).Result, PlayerSummary);

    [McpServerTool(Name = "player_teleport"), Description("Teleport onto the ground at (x, z), no higher than y + 0.5 m (y defaults to anywhere).")]
    [ToolPermission(Permissions.InputWrite)]
    public async Task<CallToolResult> PlayerTeleport(float x, float z, float? y = null, CancellationToken cancellationToken = default) =>
        Result((await InputApi.Teleport(new TeleportRequest(x, y, z), game, cancellationToken)).Result, PlayerSummary);

    [McpServerTool(Name = "player_snap_turn"), Description("Snap turn left or right (default 30°).")]
    [ToolPermission(Permissions.InputWrite)]
    public async Task<CallToolResult> PlayerSnapTurn([Description("left or right")] string direction = "right", float degrees = Engine.Players.Player.DefaultSnapTurnDegrees, CancellationToken cancellationToken = default) =>
        Result((await InputApi.SnapTurn(new SnapTurnRequest(direction, degrees), game, cancellationToken)).Result, PlayerSummary);

    [McpServerTool(Name = "vr_input"), Description("Simulated VR hardware for the next N ticks: headset/controller poses (relative to the XR origin, rotation in degrees) and controller inputs. Left stick walks, right stick x snaps 30° turns, right trigger teleports to where the right controller points.")]
    [ToolPermission(Permissions.InputWrite)]
    public async Task<CallToolResult> VrInput(PoseRequest? headset = null, ControllerRequest? left = null, ControllerRequest? right = null, int ticks = 1, CancellationToken cancellationToken = default) =>
        Result((await VrInputApi.PostVrInput(new VrInputRequest(headset, left, right, ticks), game, cancellationToken)).Result,
            r => $"VR input set from tick {r.Text("applies_from_tick")} for {ticks} ticks");

    [McpServerTool(Name = "time_pause"), Description("Freeze the world (the server stays healthy). Inputs sent while paused apply at the next tick, in order.")]
    [ToolPermission(Permissions.TimeControl)]
    public async Task<CallToolResult> TimePause(CancellationToken cancellationToken = default) =>
        Result(await TimeApi.Pause(Times, cancellationToken), r => $"paused at tick {r.Text("tick")}");

    [McpServerTool(Name = "time_resume"), Description("Let the world run again at the fixed tick rate.")]
    [ToolPermission(Permissions.TimeControl)]
    public async Task<CallToolResult> TimeResume(CancellationToken cancellationToken = default) =>
        Result(await TimeApi.Resume(Times, cancellationToken), r => $"running from tick {r.Text("tick")}");

    [McpServerTool(Name = "time_step"), Description("Advance a paused world exactly N ticks (1-90000); returns the new tick and state hash.")]
    [ToolPermission(Permissions.TimeControl)]
    public async Task<CallToolResult> TimeStep(int ticks = 1, CancellationToken cancellationToken = default) =>
        Result((await TimeApi.Step(new StepRequest(ticks), Times, cancellationToken)).Result, r => $"at tick {r.Text("tick")}, hash {r.Text("state_hash")}");

    [McpServerTool(Name = "time_step_until"), Description("Advance a paused world until a condition holds, at most max_ticks. Conditions: {\"player_on_floor\":true}, {\"player_within\":{\"min\":[x,y,z],\"max\":[x,y,z]}}, {\"node\":PATH,\"within\":{...}}, {\"node\":PATH,\"property\":NAME,\"equals\":VALUE}, {\"tick_at_least\":N}, {\"all\":[...]}, {\"any\":[...]}, {\"not\":{...}}.")]
    [ToolPermission(Permissions.TimeControl)]
    public async Task<CallToolResult> TimeStepUntil([Description("the condition object")] Dictionary<string, JsonElement> condition, int max_ticks = 900, CancellationToken cancellationToken = default) =>
        Result((await TimeApi.StepUntil(new StepUntilRequest(JsonSerializer.SerializeToElement(condition), max_ticks), Times, cancellationToken)).Result,
            r => $"condition held after {r.Text("ticks_stepped")} ticks, at tick {r.Text("tick")}");

    [McpServerTool(Name = "state_hash", ReadOnly = true), Description("A stable hash of the world (scene tick, nodes, player, VR): equal hashes mean equal worlds, in any process.")]
    [ToolPermission(Permissions.StateRead)]
    public async Task<CallToolResult> StateHash(CancellationToken cancellationToken = default) =>
        Result(await StateApi.GetHash(game, cancellationToken), r => $"tick {r.Text("tick")}: {r.Text("state_hash")}");

    [McpServerTool(Name = "snapshot_save"), Description("Save the whole world state (kept across restarts); returns its id, tick and state hash.")]
    [ToolPermission(Permissions.SceneWrite)]
    public async Task<CallToolResult> SnapshotSave(string? name = null, CancellationToken cancellationToken = default) =>
        Result((await WorldApi.SaveSnapshot(new SnapshotSaveRequest(name), snapshots, Scenes, cancellationToken)).Result,
            r => $"snapshot {r.Text("id")} at tick {r.Text("tick")}");

    [McpServerTool(Name = "snapshot_restore"), Description("Put the world back into a saved snapshot (loading its scene if needed); the state hash after equals the snapshot's.")]
    [ToolPermission(Permissions.SceneWrite)]
    public async Task<CallToolResult> SnapshotRestore(string id, CancellationToken cancellationToken = default) =>
        Result((await WorldApi.RestoreSnapshot(id, snapshots, Scenes, cancellationToken)).Result,
            r => $"restored {id} at tick {r.Text("tick")}, hash matches: {r.Text("hash_matches")}");

    [McpServerTool(Name = "snapshot_list", ReadOnly = true), Description("The saved world snapshots, newest first.")]
    [ToolPermission(Permissions.StateRead)]
    public CallToolResult SnapshotList() => Result(WorldApi.ListSnapshots(snapshots), r => $"{r.Text("count")} snapshots");

    [McpServerTool(Name = "performance", ReadOnly = true), Description("Tick rate, tick times (p50/p99/max), memory and node count.")]
    [ToolPermission(Permissions.PerformanceRead)]
    public CallToolResult Performance() =>
        Result(PerformanceApi.GetMetrics(game), r => $"{r.Text("fps")} ticks/s, p99 {r.Text("tick_p99_ms")} ms");

    [McpServerTool(Name = "logs", ReadOnly = true), Description("Recent warnings and errors, each with the scene and tick it happened at.")]
    [ToolPermission(Permissions.DebugRead)]
    public CallToolResult Logs([Description("warning (default), error or critical")] string? level = null, int limit = 50) =>
        Result(LogsApi.GetLogs(logs, level, limit).Result, r => $"{r.Text("count")} entries");

    private static string PlayerSummary(JsonElement r) =>
        r.TryGetProperty("player", out var p) ? $"{r.Text("action")}: player at {p.GetProperty("position").GetRawText()}" : "ok";
}
