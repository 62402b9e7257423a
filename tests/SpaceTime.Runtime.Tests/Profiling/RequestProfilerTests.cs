using Microsoft.Extensions.Time.Testing;
using SpaceTime.Runtime.Profiling;

namespace SpaceTime.Runtime.Tests.Profiling;

/// <summary>The rolling window and percentiles of <see cref="RequestProfiler"/>, on a fake clock.</summary>
public sealed class RequestProfilerTests
{
    [Fact]
    public void Snapshot_HundredSamples_NearestRankPercentiles()
    {
        var profiler = new RequestProfiler(new FakeTimeProvider());
        foreach (var ms in Enumerable.Range(1, 100).Reverse())
        {
            profiler.Record("/scene", "GET", ms == 100 ? 500 : 200, ms);
        }

        var row = Assert.Single(profiler.Snapshot());

        Assert.Equal(("/scene", "GET", 100L, 1L), (row.Route, row.Method, row.Count, row.Errors));
        Assert.Equal((50.0, 95.0, 99.0, 100.0, 50.5), (row.P50Ms, row.P95Ms, row.P99Ms, row.MaxMs, row.MeanMs));
    }

    [Fact]
    public void Snapshot_SamplesOlderThanWindow_Forgotten()
    {
        var clock = new FakeTimeProvider();
        var profiler = new RequestProfiler(clock);
        profiler.Record("/old", "GET", 200, 5);
        clock.Advance(RequestProfiler.Window - TimeSpan.FromSeconds(1));
        profiler.Record("/new", "GET", 200, 7);
        Assert.Equal(["/new", "/old"], profiler.Snapshot().Select(r => r.Route));

        clock.Advance(TimeSpan.FromSeconds(2));

        var row = Assert.Single(profiler.Snapshot());
        Assert.Equal("/new", row.Route);
    }

    [Fact]
    public void Record_ManySamples_KeepsAtMostTheBound()
    {
        var profiler = new RequestProfiler(new FakeTimeProvider());
        for (var i = 0; i < RequestProfiler.MaxSamplesPerRoute + 500; i++)
        {
            profiler.Record("/status", "GET", 200, i);
        }

        var row = Assert.Single(profiler.Snapshot());
        Assert.Equal(RequestProfiler.MaxSamplesPerRoute, row.Count);
        Assert.Equal(500, row.MeanMs - ((RequestProfiler.MaxSamplesPerRoute - 1) / 2.0), 3);
    }

    [Fact]
    public void Snapshot_MethodsOfOneRoute_ReportedSeparately()
    {
        var profiler = new RequestProfiler(new FakeTimeProvider());
        profiler.Record("/scene", "POST", 200, 20);
        profiler.Record("/scene", "GET", 200, 1);

        Assert.Equal(["GET", "POST"], profiler.Snapshot().Select(r => r.Method));
    }
}
