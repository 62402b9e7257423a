using Prometheus;
using SpaceTime.Manager.Supervision;
using SpaceTime.Security;
using SpaceTime.Security.Capacity;

namespace SpaceTime.Manager.Metrics;

/// <summary>
/// The manager's Prometheus metrics, under the names the documents' alert rules use: <c>spacetime_health_status</c>,
/// <c>spacetime_godot_running</c>, <c>spacetime_scene_loaded</c>, <c>spacetime_player_spawned</c>,
/// <c>spacetime_api_response_time_seconds</c>, <c>spacetime_restart_total</c>, <c>spacetime_error_total{type}</c>; and
/// what its own front door refused (<see cref="FrontDoorMetrics"/>, under the names the game uses for its own).
/// </summary>
public sealed class ManagerMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Counter _errors;

    public ManagerMetrics(GameSupervisor supervisor, SecurityContext security, ConnectionLimiter connections, RequestGate gate)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        var health = factory.CreateGauge("spacetime_health_status", "1 when the manager's /health reports healthy.");
        var running = factory.CreateGauge("spacetime_godot_running", "1 when the game process runs.");
        var scene = factory.CreateGauge("spacetime_scene_loaded", "1 when the main scene is loaded.");
        var player = factory.CreateGauge("spacetime_player_spawned", "1 when the player has spawned.");
        var responseTime = factory.CreateHistogram("spacetime_api_response_time_seconds", "Duration of the manager's health checks of the game API.",
            new HistogramConfiguration { Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] });
        var restarts = factory.CreateCounter("spacetime_restart_total", "Restarts of the game by the manager.");
        _errors = factory.CreateCounter("spacetime_error_total", "Errors seen by the manager, by type.", new CounterConfiguration { LabelNames = ["type"] });
        var frontDoor = new FrontDoorMetrics(factory);
        var state = factory.CreateGauge("spacetime_manager_state", "1 for the manager's current lifecycle state.", new GaugeConfiguration { LabelNames = ["state"] });

        supervisor.Api.HealthChecked += (elapsed, reachable) =>
        {
            responseTime.Observe(elapsed.TotalSeconds);
            if (!reachable)
            {
                _errors.WithLabels("api_unreachable").Inc();
            }
        };

        Registry.AddBeforeCollectCallback(() =>
        {
            var h = supervisor.GetHealth();
            var s = supervisor.GetStatus();
            health.Set(h.OverallHealthy ? 1 : 0);
            running.Set(h.GodotProcess.Running ? 1 : 0);
            scene.Set(h.Scene.Loaded ? 1 : 0);
            player.Set(h.Player.Spawned ? 1 : 0);
            restarts.IncTo(s.RestartCount);
            _errors.WithLabels("failed").IncTo(s.StateEntries.GetValueOrDefault(LifecycleState.Failed));
            frontDoor.Update(security, connections, gate);
            foreach (var value in Enum.GetValues<LifecycleState>())
            {
                state.WithLabels(value.ToWireName()).Set(value == s.State ? 1 : 0);
            }
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>A request to <c>/godot</c> the manager answered itself because the game could not: <c>spacetime_error_total{type}</c>
    /// with <c>proxy_unreachable</c> (502) or <c>proxy_timeout</c> (504).</summary>
    public void ProxyFailed(bool timedOut) => _errors.WithLabels(timedOut ? "proxy_timeout" : "proxy_unreachable").Inc();

    public Task WriteAsync(Stream stream, CancellationToken cancellationToken) => Registry.CollectAndExportAsTextAsync(stream, cancellationToken);
}
