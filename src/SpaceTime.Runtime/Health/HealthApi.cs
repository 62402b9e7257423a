using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Runtime.Scenes;
using SpaceTime.Security.State;

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
        HeadlessGame game, ISceneHistory history, SpaceTime.Security.Storage.StorageHealth storage, Microsoft.Extensions.Options.IOptions<RuntimeOptions> options,
        SpaceTime.Records.DatabaseHealth database, ISecurityStateStore securityState, RuntimeClock clock, TimeProvider time, CancellationToken cancellationToken)
    {
        var stats = game.Loop.GetStatistics();
        var checks = new Dictionary<string, HealthCheck>(StringComparer.Ordinal);
        var ticking = stats.Running && stats.SecondsSinceLastTick is < StallSeconds;
        checks["simulation"] = ticking
            ? new HealthCheck("pass", $"ticking at {stats.AchievedTicksPerSecond:F1}/{stats.TargetTicksPerSecond} per second{(game.Paused ? " (world paused by time control; not a fault)" : "")}")
            : new HealthCheck("fail", stats.Running ? $"no tick for {stats.SecondsSinceLastTick ?? 0:F1} s" : "simulation loop is not running");

        if (ticking)
        {
            var (scene, player, _) = game.Summary;
            checks["scene"] = scene.Loaded ? new HealthCheck("pass", $"{scene.Name} loaded") : new HealthCheck("warn", "no scene loaded");
            checks["player"] = player.Spawned ? new HealthCheck("pass", "player spawned")
                : new HealthCheck("warn", player.Exists ? "player not yet on ground" : "scene has no player");
            var warmedUp = clock.Uptime.TotalSeconds > 2;
            checks["tick_rate"] = !warmedUp || stats.AchievedTicksPerSecond >= 0.9 * stats.TargetTicksPerSecond
                ? new HealthCheck("pass", $"{stats.AchievedTicksPerSecond:F1} ticks/s")
                : new HealthCheck("warn", $"{stats.AchievedTicksPerSecond:F1} ticks/s is under 90% of {stats.TargetTicksPerSecond}");
        }

        checks["storage"] = StorageCheck(history, storage, options.Value.DataDir);
        if (database.Configured)
        {
            // Warn, not fail: loads are still acknowledged (their records wait in the outbox).
            var (databaseStatus, message) = database.Check();
            checks["database"] = new HealthCheck(databaseStatus, message);
        }

        if (securityState.Backend == "redis")
        {
            // Never fail: without Redis, valid tokens keep working from the local cache.
            var state = securityState.Health;
            checks["redis"] = new HealthCheck(state.Status, state.Message);
        }

        var status = checks.Values.Any(c => c.Status == "fail") ? "unhealthy"
            : checks.Values.Any(c => c.Status == "warn") ? "degraded" : "healthy";
        var body = new HealthResponse(status, time.GetUtcNow(), Math.Round(clock.Uptime.TotalSeconds, 3), checks);
        return TypedResults.Json(body, statusCode: status == "unhealthy" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    /// <summary>
    /// Fail while records cannot be made durable (writes are refused with 503 then); pass again once a write or a
    /// probe of the data dir succeeds.
    /// </summary>
    private static HealthCheck StorageCheck(ISceneHistory history, SpaceTime.Security.Storage.StorageHealth storage, string dataDir)
    {
        var state = storage.Probe(Path.GetFullPath(dataDir));
        if (!state.Healthy)
        {
            return new HealthCheck("fail", $"{state.Store} cannot be written since {state.Since:O}: {state.Problem}; writes are refused until it recovers");
        }

        if (history.Backend != "sqlite")
        {
            return new HealthCheck("pass", "data dir (audit trail, record outbox) writable");
        }

        try
        {
            history.Count();
            return new HealthCheck("pass", $"scene history ({history.Backend}) and audit trail writable");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            return new HealthCheck("fail", $"scene history ({history.Backend}) cannot be read: {e.Message}");
        }
    }
}
