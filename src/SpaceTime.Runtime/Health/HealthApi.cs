using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Runtime.Scenes;

namespace SpaceTime.Runtime.Health;

public sealed record HealthCheck(string Status, string Message);

public sealed record HealthResponse(string Status, DateTimeOffset Timestamp, double UptimeSeconds, IReadOnlyDictionary<string, HealthCheck> Checks);

/// <summary>
/// <c>GET /health</c>: unhealthy (503) when the simulation is not ticking; degraded when no scene is loaded,
/// the player has not spawned, the tick rate is under 90% of target, or the history store fails.
/// </summary>
public static class HealthApi
{
    /// <summary>A loop that has not ticked for this long is stalled.</summary>
    private const double StallSeconds = 1.0;

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth).WithTags("Health").AllowAnonymous();
        return app;
    }

    public static async Task<JsonHttpResult<HealthResponse>> GetHealth(
        HeadlessGame game, SceneHistoryStore history, RuntimeClock clock, TimeProvider time, CancellationToken cancellationToken)
    {
        var stats = game.Loop.GetStatistics();
        var checks = new Dictionary<string, HealthCheck>(StringComparer.Ordinal);
        var ticking = stats.Running && stats.SecondsSinceLastTick is < StallSeconds;
        checks["simulation"] = ticking
            ? new HealthCheck("pass", $"ticking at {stats.AchievedTicksPerSecond:F1}/{stats.TargetTicksPerSecond} per second{(game.Paused ? " (world paused by time control; not a fault)" : "")}")
            : new HealthCheck("fail", stats.Running ? $"no tick for {stats.SecondsSinceLastTick ?? 0:F1} s" : "simulation loop is not running");

        if (ticking)
        {
            var (scene, player) = await game.ReadAsync(w => (w.GetSceneState(), w.GetPlayerState()), cancellationToken);
            checks["scene"] = scene.Loaded ? new HealthCheck("pass", $"{scene.Name} loaded") : new HealthCheck("warn", "no scene loaded");
            checks["player"] = player.Spawned ? new HealthCheck("pass", "player spawned")
                : new HealthCheck("warn", player.Exists ? "player not yet on ground" : "scene has no player");
            var warmedUp = clock.Uptime.TotalSeconds > 2;
            checks["tick_rate"] = !warmedUp || stats.AchievedTicksPerSecond >= 0.9 * stats.TargetTicksPerSecond
                ? new HealthCheck("pass", $"{stats.AchievedTicksPerSecond:F1} ticks/s")
                : new HealthCheck("warn", $"{stats.AchievedTicksPerSecond:F1} ticks/s is under 90% of {stats.TargetTicksPerSecond}");
        }

        try
        {
            history.Count();
            checks["storage"] = new HealthCheck("pass", "scene history store reachable");
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            checks["storage"] = new HealthCheck("warn", $"scene history store failed: {e.Message}");
        }

        var status = checks.Values.Any(c => c.Status == "fail") ? "unhealthy"
            : checks.Values.Any(c => c.Status == "warn") ? "degraded" : "healthy";
        var body = new HealthResponse(status, time.GetUtcNow(), Math.Round(clock.Uptime.TotalSeconds, 3), checks);
        return TypedResults.Json(body, statusCode: status == "unhealthy" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }
}
