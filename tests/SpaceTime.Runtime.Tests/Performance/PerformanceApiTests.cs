using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Performance;

public sealed class PerformanceApiTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Theory]
    [InlineData("/performance")]
    [InlineData("/performance/metrics")]
    public async Task GetPerformance_MainSceneRunning_ReportsFrameFigures(string uri)
    {
        var metrics = await Poll.UntilAsync(() => _client.GetJsonAsync(uri), m => m.Num("fps") > 0, "a measured frame rate");

        var fps = metrics.Num("fps");
        Assert.InRange(fps, 0.1, 90 * 1.05);
        Assert.Equal(90, metrics.GetProperty("target_fps").GetInt32());
        Assert.Equal(1000 / fps, metrics.Num("frame_time_ms"), 1);
        var physics = metrics.Num("physics_time_ms");
        Assert.InRange(physics, 0, metrics.Num("frame_time_ms"));
        Assert.True(metrics.Num("memory_mb") > 0);
        Assert.True(metrics.Num("managed_memory_mb") > 0);
        Assert.Equal(24, metrics.GetProperty("node_count").GetInt32());
        Assert.True(metrics.GetProperty("ticks").GetInt64() > 0);
        Assert.True(metrics.GetProperty("dropped_ticks").GetInt64() >= 0);
        Assert.True(metrics.GetProperty("late_ticks").GetInt64() >= 0);
        Assert.Equal(0, metrics.GetProperty("step_errors").GetInt64());
        Assert.True(metrics.Num("tick_p50_ms") <= metrics.Num("tick_p99_ms"));
        Assert.True(metrics.Num("tick_p99_ms") <= metrics.Num("tick_max_ms"));
        Assert.InRange(metrics.Num("tick_lateness_p50_ms"), 0, metrics.Num("tick_lateness_p99_ms"));
        Assert.InRange(metrics.Num("tick_lateness_p99_ms"), 0, metrics.Num("tick_lateness_max_ms"));
    }

    [Fact]
    public async Task GetPerformance_BothRoutes_ReturnTheSameFields()
    {
        var short_ = await _client.GetJsonAsync("/performance");
        var long_ = await _client.GetJsonAsync("/performance/metrics");

        Assert.Equal(Names(short_), Names(long_));
        Assert.Contains("frame_time_ms", Names(short_));
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
