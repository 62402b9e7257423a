using System.Text;
using System.Text.Json.Nodes;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Monitoring;

/// <summary>deploy/monitoring/grafana: provisioning files and the four dashboards, every PromQL expression parsed by promtool.</summary>
public sealed class GrafanaTests
{
    [Fact]
    public void Dashboards_AreTheFourTheDocumentsAskFor_OnTheProvisionedDatasource()
    {
        var datasource = Yaml.Load(RepositoryPaths.Deploy("monitoring", "grafana", "provisioning", "datasources", "prometheus.yml"))["datasources"]![0]!;
        var provider = Yaml.Load(RepositoryPaths.Deploy("monitoring", "grafana", "provisioning", "dashboards", "spacetime.yml"))["providers"]![0]!;
        Assert.Equal("http://prometheus:9090", datasource["url"]!.GetValue<string>());
        Assert.Equal("/var/lib/grafana/dashboards/spacetime", provider["options"]!["path"]!.GetValue<string>());

        var dashboards = Directory.GetFiles(PromQl.DashboardsFolder, "*.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!).ToList();
        Assert.Equal(
            ["SpaceTime HTTP API overview", "SpaceTime VR performance", "SpaceTime security", "SpaceTime system"],
            dashboards.Select(d => d["title"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(dashboards.Count, dashboards.Select(d => d["uid"]!.GetValue<string>()).Distinct().Count());
        foreach (var panel in dashboards.SelectMany(d => d["panels"]!.AsArray()))
        {
            Assert.Equal(datasource["uid"]!.GetValue<string>(), panel!["datasource"]!["uid"]!.GetValue<string>());
            Assert.NotEmpty(panel["targets"]!.AsArray());
        }
    }

    [Fact]
    public async Task DashboardExpressions_AllParse()
    {
        var expressions = PromQl.DashboardExpressions().ToList();
        Assert.True(expressions.Count >= 30, $"only {expressions.Count} expressions found");

        var result = await CheckAsRulesAsync(expressions.Select(e => PromQl.WithoutGrafanaVariables(e.Expr)));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"SUCCESS: {expressions.Count} rules found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromtoolCheckRules_BrokenExpression_IsRejected()
    {
        var result = await CheckAsRulesAsync(["sum by (route) (rate(spacetime_http_requests_total[5m])", "spacetime_fps_current"]);

        Assert.NotEqual(0, result.ExitCode);
    }

    /// <summary>Writes each expression as a recording rule of a throwaway file and runs promtool check rules on it.</summary>
    private static async Task<ToolResult> CheckAsRulesAsync(IEnumerable<string> expressions)
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "dashboards.rules.yml");
        var yaml = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        var i = 0;
        foreach (var expr in expressions)
        {
            yaml.Append($"      - record: dashboard:expr{i++}\n        expr: {System.Text.Json.JsonSerializer.Serialize(expr)}\n");
        }

        await File.WriteAllTextAsync(file, yaml.ToString(), TestContext.Current.CancellationToken);
        return await PromtoolTests.Promtool("check", "rules", file);
    }
}
