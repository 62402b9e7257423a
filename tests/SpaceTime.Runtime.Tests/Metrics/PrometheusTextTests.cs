namespace SpaceTime.Runtime.Tests.Metrics;

/// <summary>The scrape reader the metrics tests rely on, and promtool actually rejecting bad output.</summary>
public sealed class PrometheusTextTests
{
    private const string Sample = """
        # HELP spacetime_http_requests_total HTTP requests.
        # TYPE spacetime_http_requests_total counter
        spacetime_http_requests_total{route="/status",method="GET",status="200"} 3
        spacetime_http_requests_total{route="/scene",method="POST",status="200"} 2
        spacetime_fps_current 89.5

        """;

    [Fact]
    public void Value_LabelSubset_SumsMatchingSamples()
    {
        Assert.Equal(5, PrometheusText.Value(Sample, "spacetime_http_requests_total", ("status", "200")));
        Assert.Equal(3, PrometheusText.Value(Sample, "spacetime_http_requests_total", ("route", "/status")));
        Assert.Equal(89.5, PrometheusText.Value(Sample, "spacetime_fps_current"));
        Assert.Null(PrometheusText.Value(Sample, "spacetime_http_requests_total", ("status", "500")));
        Assert.Null(PrometheusText.Value(Sample, "spacetime_fps"));
    }

    [Fact]
    public async Task Promtool_CounterWithoutTotalSuffix_Fails()
    {
        var (code, output) = await PrometheusText.CheckWithPromtoolAsync("""
            # HELP requests Requests.
            # TYPE requests counter
            requests 1

            """);

        Assert.NotEqual(0, code);
        Assert.Contains("_total", output, StringComparison.Ordinal);
    }
}
