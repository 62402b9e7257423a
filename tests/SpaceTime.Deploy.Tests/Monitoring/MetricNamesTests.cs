using System.Text.RegularExpressions;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Monitoring;

/// <summary>
/// Every metric the alerts, recording rules and dashboards read is one a real running SpaceTime exports: both
/// /metrics endpoints are scraped the way prometheus.yml does (manager /metrics and the game's /godot/metrics, with METRICS_TOKEN),
/// and the host panels read only what a real node exporter exports.
/// </summary>
public sealed partial class MetricNamesTests(SharedSpacetime shared)
{
    [Fact]
    public async Task AlertsAndDashboards_UseOnlyMetricsSpacetimeExports()
    {
        var exported = await ScrapeAsync();
        Assert.Contains("spacetime_api_response_time_seconds_bucket", exported); // the manager's histogram
        Assert.Contains("spacetime_fps_current", exported); // the game's gauge
        Assert.Contains("node_cpu_seconds_total", exported); // the node exporter's
        var known = exported.Concat(PromQl.RecordedNames()).Append("up").ToHashSet(StringComparer.Ordinal);

        var used = PromQl.RuleExpressions().Select(e => ("alerts.yml", e))
            .Concat(PromQl.DashboardExpressions().Select(d => ($"{d.Dashboard} / {d.Panel}", d.Expr)))
            .SelectMany(u => PromQl.MetricNames(u.Item2).Select(name => (Where: u.Item1, Name: name)))
            .Concat(PromQl.VariableMetrics().Select(name => (Where: "dashboard variable", Name: name)))
            .ToList();

        Assert.True(used.Select(u => u.Name).Distinct().Count() >= 25, string.Join(", ", used.Select(u => u.Name).Distinct()));
        var unknown = used.Where(u => !known.Contains(u.Name)).Select(u => $"{u.Name} ({u.Where})").Distinct().ToList();
        Assert.True(unknown.Count == 0, "not exported by SpaceTime: " + string.Join("; ", unknown));
    }

    [Fact]
    public void MetricNameCheck_DocumentsOldNames_WouldBeCaught()
    {
        Assert.Equal(["spacetime_memory_mb"], PromQl.MetricNames("spacetime_memory_mb{job=\"x\"} > 12000"));
        Assert.Equal(
            ["spacetime_http_request_duration_seconds_bucket"],
            PromQl.MetricNames("histogram_quantile(0.95, sum by (le, route) (rate(spacetime_http_request_duration_seconds_bucket{status=~\"5..\"}[5m]))) > 1e3"));
        Assert.Equal(["a", "b"], PromQl.MetricNames("a / on (instance) group_left b and bool 3"));
    }

    [Fact]
    public void AlertsAndDashboards_OnlySelectJobsPrometheusScrapes()
    {
        var jobs = JobName().Matches(File.ReadAllText(RepositoryPaths.Deploy("monitoring", "prometheus", "prometheus.yml"))).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["spacetime-manager", "spacetime-game", "node", "prometheus"], jobs);

        var selected = PromQl.RuleExpressions().Concat(PromQl.DashboardExpressions().Select(d => d.Expr))
            .SelectMany(e => JobMatcher().Matches(e).Select(m => m.Groups["value"].Value))
            .Distinct()
            .ToList();
        Assert.NotEmpty(selected);
        foreach (var value in selected)
        {
            Assert.True(jobs.Any(j => Regex.IsMatch(j, $"^(?:{value})$")), $"job=\"{value}\" matches no scrape job");
        }
    }

    private async Task<IReadOnlySet<string>> ScrapeAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(shared.Spacetime.ManagerUrl) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", shared.MetricsToken);
        var manager = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        var game = await http.GetStringAsync("/godot/metrics", TestContext.Current.CancellationToken);
        var nodePort = LoopbackPort.Free();
        await using var nodeExporter = BackgroundTool.Start(Tool.Require("prometheus-node-exporter", "apt-get install prometheus-node-exporter"), $"--web.listen-address=127.0.0.1:{nodePort}");
        using var nodeHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{nodePort}") };
        var node = await Poll.UntilAsync(() => TryGetAsync(nodeHttp, "/metrics"), m => m is not null, "the node exporter to answer", TimeSpan.FromSeconds(30));
        return PromQl.ExportedNames(manager).Union(PromQl.ExportedNames(game)).Union(PromQl.ExportedNames(node!)).ToHashSet(StringComparer.Ordinal);
    }

    private static async Task<string?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return await http.GetStringAsync(path, TestContext.Current.CancellationToken);
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    [GeneratedRegex(@"job_name:\s*(\S+)")]
    private static partial Regex JobName();

    [GeneratedRegex("job=~?\"(?<value>[^\"]+)\"")]
    private static partial Regex JobMatcher();
}
