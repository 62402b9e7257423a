using Prometheus;
using SpaceTime.Engine.Worlds;
using SpaceTime.Security;
using SpaceTime.Security.Audit;
using SpaceTime.Security.Capacity;

namespace SpaceTime.Runtime.Metrics;

/// <summary>
/// The runtime's Prometheus metrics, in a registry of its own (no process-global state). Names follow Prometheus
/// conventions: <c>spacetime_</c> prefix, base units (seconds, bytes), <c>_total</c> for counters. Values the engine
/// and security layers already count are read when Prometheus scrapes.
/// </summary>
public sealed class RuntimeMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] TickBuckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.0111, 0.025, 0.05];

    /// <summary>
    /// Lateness buckets as fractions of the tick period (at 90 Hz: 0.1 ms ... 111 ms); 0.25 is where a tick counts as
    /// late (<c>spacetime_late_ticks_total</c>), so the share of late ticks reads straight off the histogram.
    /// </summary>
    private static readonly double[] LatenessPeriods = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 10];

    private readonly Counter _httpRequests;
    private readonly Histogram _httpDuration;
    private readonly Histogram _tickDuration;
    private readonly Histogram _tickLateness;
    private readonly Counter _sceneLoads;
    private readonly Counter _telemetryConnections;
    private readonly Counter _telemetryDisconnects;
    private readonly Counter _telemetryDropped;
    private readonly Gauge _telemetryClients;

    public RuntimeMetrics(HeadlessGame game, SecurityContext security, AuditLog audit, ConnectionLimiter connections, RequestGate gate)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _httpRequests = factory.CreateCounter("spacetime_http_requests_total", "HTTP requests answered, by route, method and status.",
            new CounterConfiguration { LabelNames = ["route", "method", "status"] });
        _httpDuration = factory.CreateHistogram("spacetime_http_request_duration_seconds", "HTTP request duration, by route and status.",
            new HistogramConfiguration { LabelNames = ["route", "status"], Buckets = LatencyBuckets });
        _tickDuration = factory.CreateHistogram("spacetime_tick_duration_seconds", "Time spent inside one simulation tick.",
            new HistogramConfiguration { Buckets = TickBuckets });
        var period = game.Loop.Delta;
        _tickLateness = factory.CreateHistogram("spacetime_tick_lateness_seconds", "How late each simulation tick started after it was due (jitter).",
            new HistogramConfiguration { Buckets = [.. LatenessPeriods.Select(f => Math.Round(f * period, 6))] });
        _sceneLoads = factory.CreateCounter("spacetime_scene_loads_total", "Scene loads, by result (success or failure).",
            new CounterConfiguration { LabelNames = ["result"] });
        var sceneLoadErrors = factory.CreateCounter("spacetime_scene_load_errors_total", "Scene loads that failed.");
        _telemetryConnections = factory.CreateCounter("spacetime_telemetry_connections_total", "Telemetry WebSocket connections accepted.");
        _telemetryDisconnects = factory.CreateCounter("spacetime_telemetry_disconnects_total", "Telemetry WebSocket connections closed.");
        _telemetryDropped = factory.CreateCounter("spacetime_telemetry_dropped_messages_total", "Telemetry messages dropped for slow clients.");
        _telemetryClients = factory.CreateGauge("spacetime_telemetry_clients", "Telemetry WebSocket clients connected now.");

        var fps = factory.CreateGauge("spacetime_fps_current", "Achieved simulation rate (one tick is one frame on a headless server).");
        var targetFps = factory.CreateGauge("spacetime_fps_target", "Target simulation rate from project.godot.");
        var frameTime = factory.CreateGauge("spacetime_frame_time_seconds", "Time between frames at the achieved rate.");
        var ticks = factory.CreateCounter("spacetime_ticks_total", "Simulation ticks run.");
        var dropped = factory.CreateCounter("spacetime_dropped_ticks_total", "Simulation ticks skipped because the loop fell behind.");
        var late = factory.CreateCounter("spacetime_late_ticks_total", "Simulation ticks that started more than a quarter period late.");
        var memory = factory.CreateGauge("spacetime_memory_bytes", "Resident memory of the process.");
        var managed = factory.CreateGauge("spacetime_managed_memory_bytes", "Managed heap in use.");
        var nodes = factory.CreateGauge("spacetime_scene_nodes", "Nodes in the active scene.");
        var sceneLoaded = factory.CreateGauge("spacetime_scene_loaded", "1 when a scene is active.");
        var playerSpawned = factory.CreateGauge("spacetime_player_spawned", "1 when the player stands on ground in the active scene.");
        var frontDoor = new FrontDoorMetrics(factory);
        var auditEvents = factory.CreateCounter("spacetime_audit_events_total", "Audit log records written.");
        var uptime = factory.CreateGauge("spacetime_uptime_seconds", "Seconds since the runtime started.");
        var started = DateTimeOffset.UtcNow;

        game.Loop.TickCompleted += seconds => _tickDuration.Observe(seconds);
        game.Loop.TickStarted += seconds => _tickLateness.Observe(seconds);
        game.SceneLoaded += _ => _sceneLoads.WithLabels("success").Inc();
        game.SceneLoadFailed += (_, _) =>
        {
            _sceneLoads.WithLabels("failure").Inc();
            sceneLoadErrors.Inc();
        };

        Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            var stats = game.Loop.GetStatistics();
            fps.Set(Math.Round(stats.AchievedTicksPerSecond, 3));
            targetFps.Set(stats.TargetTicksPerSecond);
            frameTime.Set(stats.AchievedTicksPerSecond > 0 ? 1 / stats.AchievedTicksPerSecond : 0);
            ticks.IncTo(stats.Ticks);
            dropped.IncTo(stats.DroppedTicks);
            late.IncTo(stats.LateTicks);
            memory.Set(Environment.WorkingSet);
            managed.Set(GC.GetTotalMemory(false));
            frontDoor.Update(security, connections, gate);
            auditEvents.IncTo(audit.EventsWritten);
            uptime.Set((DateTimeOffset.UtcNow - started).TotalSeconds);
            if (game.Loop.IsRunning)
            {
                var (scene, player, _) = game.Summary;
                nodes.Set(scene.NodeCount);
                sceneLoaded.Set(scene.Loaded ? 1 : 0);
                playerSpawned.Set(player.Spawned ? 1 : 0);
            }
        });
    }

    public CollectorRegistry Registry { get; }

    public void ObserveRequest(string route, string method, int status, double seconds)
    {
        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _httpRequests.WithLabels(route, method, code).Inc();
        _httpDuration.WithLabels(route, code).Observe(seconds);
    }

    public void TelemetryConnected()
    {
        _telemetryConnections.Inc();
        _telemetryClients.Inc();
    }

    public void TelemetryDisconnected()
    {
        _telemetryDisconnects.Inc();
        _telemetryClients.Dec();
    }

    public void TelemetryDropped(int count = 1) => _telemetryDropped.Inc(count);

    /// <summary>Writes the text exposition format.</summary>
    public Task WriteAsync(Stream stream, CancellationToken cancellationToken) => Registry.CollectAndExportAsTextAsync(stream, cancellationToken);
}
