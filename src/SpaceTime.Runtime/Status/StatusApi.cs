using System.Reflection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Discovery;
using SpaceTime.Runtime.EditorBridge;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Runtime.State;
using SpaceTime.Runtime.Telemetry;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.State;

namespace SpaceTime.Runtime.Status;

public sealed record EngineJson(int TickRate, long Ticks, double AchievedTickRate, long DroppedTicks, long LateTicks, bool Running);

public sealed record StatusResponse(
    string Status,
    string Version,
    string ApiVersion,
    string Environment,
    double UptimeSeconds,
    DateTimeOffset StartedAt,
    string HttpApi,
    int? HttpPort,
    string Project,
    EngineJson Engine,
    SceneSummaryJson Scene,
    PlayerJson Player,
    VrJson Vr,
    bool VrInitialized,
    int? TelemetryPort,
    DiscoveryJson Discovery,
    EditorConnectionStatus? DebugAdapter,
    EditorConnectionStatus? LanguageServer,
    bool EditorBridge,
    bool OverallReady,
    StorageJson Storage)
{
    /// <summary>This instance (stable per data dir, or <c>SPACETIME_INSTANCE_ID</c>); also in history, audit and discovery.</summary>
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string? InstanceId { get; init; }
}

/// <param name="State">The security state: "embedded" (the data dir) or "redis".</param>
/// <param name="Records">Scene history and audit trail: "sqlite" (the data dir) or "postgresql".</param>
public sealed record StorageJson(string State, string Records);

public sealed record DiscoveryJson(bool Enabled, int Port, string InstanceId, long Announcements);

/// <summary>The services <c>GET /status</c> reports on.</summary>
public readonly record struct StatusServices(
    HeadlessGame Game,
    RuntimeClock Clock,
    IOptions<RuntimeOptions> Options,
    IServer Server,
    TelemetryServer Telemetry,
    DiscoveryAnnouncer Discovery,
    EditorBridgeService Bridge,
    ISecurityStateStore SecurityState,
    SpaceTime.Runtime.Scenes.ISceneHistory History);

/// <summary><c>GET /status</c>: what this runtime is and what it is doing. Never carries a secret.</summary>
public static class StatusApi
{
    public const string ApiVersion = "1.0.0";

    public static string Version { get; } =
        typeof(StatusApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0";

    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", GetStatus).WithTags("Status").RequirePermission(Permissions.StatusRead);
        return app;
    }

    public static Ok<StatusResponse> GetStatus([AsParameters] StatusServices services)
    {
        var (game, clock, options, server) = (services.Game, services.Clock, services.Options, services.Server);
        var bridge = services.Bridge.GetStatus();
        var (scene, player, vr) = game.Summary;
        var stats = game.Loop.GetStatistics();
        var engine = new EngineJson(stats.TargetTicksPerSecond, stats.Ticks, Math.Round(stats.AchievedTicksPerSecond, 2), stats.DroppedTicks, stats.LateTicks, stats.Running);
        var summary = new SceneSummaryJson(scene.Loaded, scene.Name, scene.Path, scene.RootType, scene.NodeCount, scene.LoadedAt, scene.LoadDurationMs);
        return TypedResults.Ok(new StatusResponse(
            stats.Running ? "healthy" : "unhealthy",
            Version,
            ApiVersion,
            options.Value.Environment,
            Math.Round(clock.Uptime.TotalSeconds, 3),
            clock.StartedAt,
            "active",
            ListeningPort(server),
            game.Project.Settings.Name ?? Path.GetFileName(game.Project.Root),
            engine,
            summary,
            PlayerJson.From(player),
            VrJson.From(vr),
            false,
            services.Telemetry.Port,
            new DiscoveryJson(services.Discovery.Port != 0, services.Discovery.Port, services.Discovery.InstanceId, services.Discovery.Sent),
            bridge.DebugAdapter,
            bridge.LanguageServer,
            bridge.Enabled,
            bridge.OverallReady,
            new StorageJson(services.SecurityState.Backend, services.History.Backend))
        {
            InstanceId = services.Discovery.InstanceId,
        });
    }

    /// <summary>The port Kestrel actually bound (after any fallback); null under a test server or before it has bound.</summary>
    public static int? ListeningPort(IServer server)
    {
        if (BoundPorts.TryGetValue(server, out var known))
        {
            return (int)known;
        }

        var port = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) ? uri.Port : (int?)null)
            .FirstOrDefault(p => p is > 0); // the manager's private socket (http://unix:/...) has no port
        if (port is { } bound)
        {
            // A server binds once: every later request asks for the same answer.
            BoundPorts.TryAdd(server, bound);
        }

        return port;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IServer, object> BoundPorts = [];
}
