using System.Net;
using SpaceTime.Runtime.Tests.Security;

namespace SpaceTime.Runtime.Tests.Metrics;

/// <summary>The runtime with a dedicated metrics token (<c>METRICS_TOKEN</c>) for Prometheus.</summary>
public sealed class MetricsRuntimeFixture : RuntimeApiFixture
{
    public const string MetricsToken = "metrics-only-token-3c9e1a7f5b2d8e4c6a0f9b3d7e1c5a8f";

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["METRICS_TOKEN"] = MetricsToken,
    };
}

/// <summary><c>GET /metrics</c> on the API port: who may read it, what it holds, and that promtool accepts it.</summary>
public sealed class MetricsApiTests(MetricsRuntimeFixture runtime) : IClassFixture<MetricsRuntimeFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private readonly HttpClient _admin = runtime.CreateClient();

    private async Task<string> ScrapeAsync(HttpClient? client = null)
    {
        using var response = await (client ?? _admin).GetAsync("/metrics", Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    [Fact]
    public async Task Metrics_ReadonlyToken_ServesTextFormatThatPassesPromtool()
    {
        var token = await _admin.IssueTokenAsync("readonly");
        using var reader = runtime.CreateClient(token.Value);
        using (var warmup = await reader.GetAsync("/status", Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, warmup.StatusCode);
        }

        using var response = await reader.GetAsync("/metrics", Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        await PrometheusText.AssertPassesPromtoolAsync(text);
    }

    [Fact]
    public async Task Metrics_AfterTraffic_HoldsTheDocumentedSeries()
    {
        await RuntimeApiFixture.WaitForPlayerSpawnedAsync(_admin);
        using (var status = await _admin.GetAsync("/status", Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        var text = await ScrapeAsync();

        Assert.True(PrometheusText.Require(text, "spacetime_fps_current") > 0);
        Assert.True(PrometheusText.Require(text, "spacetime_memory_bytes") > 1024 * 1024);
        Assert.True(PrometheusText.Require(text, "spacetime_http_requests_total", ("route", "/status"), ("method", "GET"), ("status", "200")) >= 1);
        Assert.True(PrometheusText.Require(text, "spacetime_http_request_duration_seconds_bucket", ("route", "/status"), ("status", "200"), ("le", "+Inf")) >= 1);
        Assert.True(PrometheusText.Require(text, "spacetime_http_request_duration_seconds_count", ("route", "/status"), ("status", "200")) >= 1);
        Assert.True(PrometheusText.Require(text, "spacetime_tick_duration_seconds_count") > 0);
        Assert.True(PrometheusText.Require(text, "spacetime_tick_duration_seconds_bucket", ("le", "+Inf")) > 0);
        Assert.True(PrometheusText.Require(text, "spacetime_dropped_ticks_total") >= 0);
        Assert.True(PrometheusText.Require(text, "spacetime_late_ticks_total") >= 0);
        // Lateness buckets are fractions of the 90 Hz period; a quarter period (2.78 ms) is the late-tick threshold.
        var ticks = PrometheusText.Require(text, "spacetime_tick_lateness_seconds_count");
        Assert.True(ticks > 0);
        Assert.Equal(ticks, PrometheusText.Require(text, "spacetime_tick_lateness_seconds_bucket", ("le", "+Inf")));
        Assert.InRange(PrometheusText.Require(text, "spacetime_tick_lateness_seconds_bucket", ("le", "0.002778")), 0, ticks);
        Assert.True(PrometheusText.Require(text, "spacetime_http_connections_refused_total") >= 0);
        Assert.True(PrometheusText.Require(text, "spacetime_http_requests_in_flight") >= 0);
        Assert.True(PrometheusText.Require(text, "spacetime_http_overload_rejections_total") >= 0);
        Assert.True(PrometheusText.Require(text, "spacetime_scene_loads_total", ("result", "success")) >= 1);
        Assert.True(PrometheusText.Require(text, "spacetime_rate_limit_rejections_total") >= 0);
        Assert.True(PrometheusText.Require(text, "spacetime_audit_events_total") >= 0);
        Assert.True(PrometheusText.Require(text, "spacetime_telemetry_clients") >= 0);
        Assert.Equal(1, PrometheusText.Require(text, "spacetime_player_spawned"));
        Assert.True(PrometheusText.Require(text, "spacetime_scene_nodes") > 0);
        Assert.DoesNotContain(RuntimeApiFixture.AdminToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(MetricsRuntimeFixture.MetricsToken, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthFailures_After401_CounterIncrements()
    {
        var before = PrometheusText.Require(await ScrapeAsync(), "spacetime_auth_failures_total");
        using var anonymous = runtime.CreateAnonymousClient();

        using (var refused = await anonymous.GetAsync("/status", Cancel))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var text = await ScrapeAsync();
        Assert.True(PrometheusText.Require(text, "spacetime_auth_failures_total") >= before + 1);
        Assert.True(PrometheusText.Require(text, "spacetime_http_requests_total", ("status", "401")) >= 1);
    }

    [Fact]
    public async Task SceneLoadFailure_Counted()
    {
        var before = PrometheusText.Value(await ScrapeAsync(), "spacetime_scene_loads_total", ("result", "failure")) ?? 0;

        using (var response = await _admin.PostJsonAsync("/scene", """{"scene_path":"res://missing/level.tscn"}"""))
        {
            Assert.False(response.IsSuccessStatusCode);
        }

        var text = await ScrapeAsync();
        Assert.True(PrometheusText.Require(text, "spacetime_scene_loads_total", ("result", "failure")) >= before + 1);
        Assert.True(PrometheusText.Require(text, "spacetime_scene_load_errors_total") >= 1);
    }

    [Fact]
    public async Task AuditEvents_AfterTokenIssued_CounterIncrements()
    {
        var before = PrometheusText.Require(await ScrapeAsync(), "spacetime_audit_events_total");

        await _admin.IssueTokenAsync("readonly");

        await Poll.UntilAsync(() => ScrapeAsync(), text => PrometheusText.Value(text, "spacetime_audit_events_total") >= before + 1, "the audit event to be counted");
    }

    [Fact]
    public async Task Metrics_MetricsToken_ReadsMetricsButNotStatus()
    {
        using var prometheus = runtime.CreateClient(MetricsRuntimeFixture.MetricsToken);

        var text = await ScrapeAsync(prometheus);
        Assert.True(PrometheusText.Require(text, "spacetime_fps_current") >= 0);

        using var status = await prometheus.GetAsync("/status", Cancel);
        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
    }

    [Fact]
    public async Task Metrics_GuestJwt_Returns403()
    {
        var guest = await _admin.IssueTokenAsync("guest");
        using var client = runtime.CreateClient(guest.Value);

        using var response = await client.GetAsync("/metrics", Cancel);

        await response.AssertForbiddenAsync("metrics:read", "guest");
    }

    [Fact]
    public async Task Metrics_NoToken_Returns401()
    {
        using var anonymous = runtime.CreateAnonymousClient();

        using var response = await anonymous.GetAsync("/metrics", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
