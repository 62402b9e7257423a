using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpaceTime.Runtime.Telemetry;

/// <summary>The wire format: <c>{"type":"event","event":NAME,"data":{...},"timestamp":unix_seconds}</c>.</summary>
public static class TelemetryMessages
{
    public const string ServerVersion = "1.0.0";

    public const string Fps = "fps";
    public const string VrTracking = "vr_tracking";
    public const string SceneLoaded = "scene_loaded";
    public const string SceneLoadFailed = "scene_load_failed";
    public const string PlayerSpawned = "player_spawned";
    public const string Error = "error";
    public const string Warning = "warning";
    public const string Alert = "alert";
    public const string Connected = "connected";
    public const string Pong = "pong";
    public const string Snapshot = "snapshot";
    public const string Subscribed = "subscribed";
    public const string Configured = "configured";
    public const string Authenticated = "authenticated";

    /// <summary>Streams a client can subscribe to.</summary>
    public static readonly IReadOnlyList<string> Streams = [Fps, VrTracking, SceneLoaded, SceneLoadFailed, PlayerSpawned, Error, Warning, Alert];

    public static readonly IReadOnlyList<string> Capabilities = [Fps, VrTracking, "scene_info", "events", "alerts"];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static byte[] Event(string name, object data, DateTimeOffset at) =>
        JsonSerializer.SerializeToUtf8Bytes(new Envelope("event", name, data, Math.Round(at.ToUnixTimeMilliseconds() / 1000.0, 3)), Json);

    private sealed record Envelope(string Type, string Event, object Data, double Timestamp);
}

public sealed record FpsData(double Fps, double FrameTimeMs, double PhysicsTimeMs, double MemoryMb, double MemoryUsageMb, long Ticks, long DroppedTicks, int TargetFps, bool Paused);

public sealed record TrackedPose(double[] Position, double[] Rotation);

public sealed record VrTrackingData(
    TrackedPose? Headset, TrackedPose? LeftController, TrackedPose? RightController, bool VrEnabled, string FallbackMode,
    State.ControllerJson LeftInput, State.ControllerJson RightInput, bool Simulated, bool Paused);

public sealed record AlertData(string Level, string Message, double? Value, double? Threshold);
