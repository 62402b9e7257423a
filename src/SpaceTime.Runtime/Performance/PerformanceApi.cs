using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Simulation;
using SpaceTime.Engine.Worlds;
using SpaceTime.Security.Authentication;

namespace SpaceTime.Runtime.Performance;

/// <summary>
/// Frame-rate figures. A headless server renders no frames: one simulation tick is one frame, so
/// <c>fps</c> is the achieved tick rate and <c>physics_time_ms</c> the time spent inside a tick.
/// <c>loop_scheduling</c> says how the loop thread got the CPU: <c>realtime 10</c>, <c>nice -10</c> or <c>default</c>.
/// </summary>
public sealed record PerformanceMetrics(
    double Fps,
    int TargetFps,
    double FrameTimeMs,
    double PhysicsTimeMs,
    double TickP50Ms,
    double TickP99Ms,
    double TickMaxMs,
    double TickLatenessP50Ms,
    double TickLatenessP99Ms,
    double TickLatenessMaxMs,
    double MemoryMb,
    double ManagedMemoryMb,
    int NodeCount,
    long Ticks,
    long LateTicks,
    long DroppedTicks,
    long StepErrors,
    string LoopScheduling);

public static class PerformanceApi
{
    public static IEndpointRouteBuilder MapPerformanceApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/performance").WithTags("Performance").RequirePermission(Permissions.PerformanceRead);
        group.MapGet("", GetMetrics);
        group.MapGet("/metrics", GetMetrics);
        return app;
    }

    public static Ok<PerformanceMetrics> GetMetrics(HeadlessGame game) => TypedResults.Ok(Measure(game));

    private static PerformanceMetrics Measure(HeadlessGame game)
    {
        var stats = game.Loop.GetStatistics();
        var durations = game.Loop.GetRecentTickDurations();
        Array.Sort(durations);
        var lateness = game.Loop.GetRecentTickLateness();
        Array.Sort(lateness);
        return new PerformanceMetrics(
            Math.Round(stats.AchievedTicksPerSecond, 2),
            stats.TargetTicksPerSecond,
            stats.AchievedTicksPerSecond > 0 ? Math.Round(1000 / stats.AchievedTicksPerSecond, 3) : 0,
            Math.Round(durations.Length > 0 ? durations.Average() : 0, 4),
            Math.Round(Percentiles.NearestRank(durations, 0.50), 4),
            Math.Round(Percentiles.NearestRank(durations, 0.99), 4),
            Math.Round(stats.MaxTickMs, 4),
            Math.Round(Percentiles.NearestRank(lateness, 0.50), 4),
            Math.Round(Percentiles.NearestRank(lateness, 0.99), 4),
            Math.Round(lateness.Length > 0 ? lateness[^1] : 0, 4),
            Math.Round(Environment.WorkingSet / (1024.0 * 1024.0), 2),
            Math.Round(GC.GetTotalMemory(false) / (1024.0 * 1024.0), 2),
            game.Summary.Scene.NodeCount,
            stats.Ticks,
            stats.LateTicks,
            stats.DroppedTicks,
            stats.StepErrors,
            game.Loop.Scheduling.ToString());
    }
}
