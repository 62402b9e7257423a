using System.Diagnostics;
using System.Globalization;
using SpaceTime.Engine.Simulation;
using SpaceTime.Engine.Worlds;

namespace SpaceTime.Benchmarks;

/// <summary>
/// Runs the real loop at the project's tick rate with vr_main loaded and the player walking, then reports the
/// tick-duration distribution, the achieved rate and late/dropped ticks. Cold numbers: cold start → scene loaded
/// → player spawned.
/// </summary>
internal static class LoopHarness
{
    public static async Task<int> RunAsync(TimeSpan duration)
    {
        var started = Stopwatch.GetTimestamp();
        await using var game = HeadlessGame.Open(Environment.GetEnvironmentVariable("SPACETIME_PROJECT") ?? Paths.DemoProject);
        var spawned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        game.PlayerSpawned += _ => spawned.TrySetResult();
        game.Start();
        var load = await game.LoadSceneAsync("res://vr_main.tscn");
        var loaded = Stopwatch.GetElapsedTime(started);
        await spawned.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var ready = Stopwatch.GetElapsedTime(started);

        var ticksBefore = game.Loop.GetStatistics().Ticks;
        var runStart = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (Stopwatch.GetElapsedTime(runStart) < duration)
        {
            // Keep the player moving so each tick does real collision work.
            await game.ReadAsync(w => w.Control((p, _) => p.Move(new System.Numerics.Vector2(0.3f, 1f), 1.5f, 5f)));
            await game.ReadAsync(w => w.Control((p, _) => p.SnapTurn(90)));
            await timer.WaitForNextTickAsync();
        }

        var elapsed = Stopwatch.GetElapsedTime(runStart).TotalSeconds;
        var stats = game.Loop.GetStatistics();
        var durations = game.Loop.GetRecentTickDurations();
        Array.Sort(durations);
        double P(double q) => Percentiles.NearestRank(durations, q);
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(ci, $"scene load (parse + build + swap): {load.LoadDurationMs:F2} ms, {load.NodeCount} nodes"));
        Console.WriteLine(string.Create(ci, $"cold start -> scene loaded: {loaded.TotalMilliseconds:F1} ms; -> player spawned: {ready.TotalMilliseconds:F1} ms"));
        Console.WriteLine(string.Create(ci, $"ran {elapsed:F1} s: {stats.Ticks - ticksBefore} ticks = {(stats.Ticks - ticksBefore) / elapsed:F2}/s (target {stats.TargetTicksPerSecond})"));
        Console.WriteLine(string.Create(ci, $"tick duration (last {durations.Length}): p50 {P(0.5):F4} ms, p99 {P(0.99):F4} ms, max {durations.LastOrDefault():F4} ms; all-time max {stats.MaxTickMs:F3} ms"));
        Console.WriteLine(string.Create(ci, $"late ticks {stats.LateTicks}, dropped ticks {stats.DroppedTicks}, step errors {stats.StepErrors}"));
        return 0;
    }
}
