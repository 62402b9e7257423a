using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Monitoring;

/// <summary>deploy/monitoring/prometheus and alertmanager with promtool and amtool.</summary>
public sealed class PromtoolTests
{
    private static readonly string Prometheus = RepositoryPaths.Deploy("monitoring", "prometheus");

    /// <summary>The alerts the operations documents define, under the names alerts.yml gives them.</summary>
    public static readonly string[] DocumentedAlerts =
    [
        "SpaceTimeDown", "SpaceTimeUnhealthy", "GodotProcessDown", "SceneNotLoaded", "FrequentRestarts", "HighErrorRate", "HighHTTPErrorRate",
        "SlowAPIResponses", "SpaceTimeLowFPS", "SpaceTimeHighMemory", "SceneLoadFailures", "CriticalAuthFailureRate", "HighRateLimitHits",
        "SpaceTimeAPIDown", "HTTPAPIDown", "ElevatedHTTPErrorRate", "CriticalSlowRequests", "SlowRequestLatency", "SpaceTimeSlowRequests",
        "CriticalMemoryUsage", "HighMemoryUsage",
    ];

    /// <summary>Every alert alerts.yml defines: the documented ones and those SpaceTime adds.</summary>
    public static readonly string[] Alerts = [.. DocumentedAlerts, "SpaceTimeAtCapacity"];

    [Fact]
    public async Task PrometheusConfig_PassesPromtoolCheckConfig()
    {
        using var temp = new TempFolder();
        // Only the secret's mount point differs from the shipped file: promtool wants the token file to exist.
        var config = await File.ReadAllTextAsync(Path.Combine(Prometheus, "prometheus.yml"), TestContext.Current.CancellationToken);
        Assert.Contains("credentials_file: /run/secrets/metrics_token", config, StringComparison.Ordinal);
        var token = Path.Combine(temp.Path, "metrics_token");
        await File.WriteAllTextAsync(token, Secrets.Hex(32), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(temp.Path, "prometheus.yml"), config.Replace("/run/secrets/metrics_token", token, StringComparison.Ordinal), TestContext.Current.CancellationToken);
        File.Copy(Path.Combine(Prometheus, "alerts.yml"), Path.Combine(temp.Path, "alerts.yml"));

        var result = await Promtool("check", "config", Path.Combine(temp.Path, "prometheus.yml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS: 1 rule files found", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_PassPromtoolCheckRules()
    {
        var result = await Promtool("check", "rules", Path.Combine(Prometheus, "alerts.yml"));

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Alerts_UnitTests_PassPromtoolTestRules()
    {
        var result = await Tool.RunAsync(Tool.Require("promtool", "apt-get install prometheus"), ["test", "rules", "alerts_test.yml"], Prometheus);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Alerts_EveryDocumentedAlertExists_AndHasAFiringAndAQuietUnitTest()
    {
        var rules = Yaml.Load(Path.Combine(Prometheus, "alerts.yml"))["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).ToList();
        var alerts = rules.Where(r => r!["alert"] is not null).Select(r => r!["alert"]!.GetValue<string>()).ToList();
        Assert.Equal(Alerts.Order(), alerts.Order());

        var cases = Yaml.Load(Path.Combine(Prometheus, "alerts_test.yml"))["tests"]!.AsArray()
            .SelectMany(t => t!["alert_rule_test"]!.AsArray())
            .Select(c => (Name: c!["alertname"]!.GetValue<string>(), Fires: c["exp_alerts"]!.AsArray().Count > 0))
            .ToList();
        foreach (var alert in alerts)
        {
            Assert.Contains((alert, true), cases);
            Assert.Contains((alert, false), cases);
        }
    }

    [Fact]
    public async Task PromtoolTestRules_WrongExpectation_Fails()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(Prometheus, "alerts.yml"), Path.Combine(temp.Path, "alerts.yml"));
        var tests = await File.ReadAllTextAsync(Path.Combine(Prometheus, "alerts_test.yml"), TestContext.Current.CancellationToken);
        Assert.Contains("70 ticks/s", tests, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(temp.Path, "alerts_test.yml"), tests.Replace("70 ticks/s", "71 ticks/s", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var result = await Tool.RunAsync(Tool.Require("promtool", "apt-get install prometheus"), ["test", "rules", "alerts_test.yml"], temp.Path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("SpaceTimeLowFPS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alertmanager_PassesAmtoolCheckConfig()
    {
        var result = await Amtool(RepositoryPaths.Deploy("monitoring", "alertmanager", "alertmanager.yml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Amtool_KnownBadConfig_IsRejected()
    {
        using var temp = new TempFolder();
        var bad = Path.Combine(temp.Path, "alertmanager.yml");
        await File.WriteAllTextAsync(bad, "route:\n  receiver: nobody\nreceivers:\n  - name: team\n", TestContext.Current.CancellationToken);

        var result = await Amtool(bad);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nobody", result.Output, StringComparison.Ordinal);
    }

    internal static Task<ToolResult> Promtool(params string[] args) =>
        Tool.RunAsync(Tool.Require("promtool", "apt-get install prometheus"), args, null);

    private static Task<ToolResult> Amtool(string config) =>
        Tool.RunAsync(Tool.Require("amtool", "apt-get install prometheus-alertmanager"), ["check-config", config], null);
}
