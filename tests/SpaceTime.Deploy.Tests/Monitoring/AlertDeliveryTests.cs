using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Monitoring;

/// <summary>
/// The whole alert path with real parts: setup_monitoring.sh installs the configs with a webhook receiver, a real Prometheus
/// scrapes a real SpaceTime manager and a real node exporter and evaluates the shipped rules, a real Alertmanager routes
/// the alert and delivers it to a webhook the test listens on.
/// </summary>
public sealed partial class AlertDeliveryTests
{
    [Fact]
    public async Task GameProcessDown_IsEvaluatedByPrometheus_AndPagedByAlertmanagerToTheWebhook()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempFolder();
        var (managerPort, hookPort, alertmanagerPort, nodePort, prometheusPort) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        var metricsToken = Secrets.Hex(32);
        var envFile = Path.Combine(temp.Path, "spacetime.env");
        await File.WriteAllTextAsync(envFile, $"METRICS_TOKEN={metricsToken}\nALERT_WEBHOOK_URL=http://127.0.0.1:{hookPort}/alerts\n", ct);
        var (prometheusDir, alertmanagerDir) = (Path.Combine(temp.Path, "prometheus"), Path.Combine(temp.Path, "alertmanager"));

        var setup = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", envFile, "--prometheus-dir", prometheusDir, "--alertmanager-dir", alertmanagerDir]);
        Assert.True(setup.ExitCode == 0, setup.ToString());

        // The installed files, with the test's ports and intervals short enough for a test: the rules and routes are the shipped ones.
        await Rewrite(Path.Combine(prometheusDir, "prometheus.yml"), s => s
            .Replace("\"127.0.0.1:8090\"", $"\"127.0.0.1:{managerPort}\"", StringComparison.Ordinal)
            .Replace("\"127.0.0.1:9093\"", $"\"127.0.0.1:{alertmanagerPort}\"", StringComparison.Ordinal)
            .Replace("\"127.0.0.1:9100\"", $"\"127.0.0.1:{nodePort}\"", StringComparison.Ordinal)
            .Replace("scrape_interval: 15s", "scrape_interval: 1s", StringComparison.Ordinal)
            .Replace("evaluation_interval: 15s", "evaluation_interval: 1s", StringComparison.Ordinal));
        await Rewrite(Path.Combine(prometheusDir, "alerts.yml"), s => GodotProcessDownDelay().Replace(s, "${rule}for: 1s"));
        await Rewrite(Path.Combine(alertmanagerDir, "alertmanager.yml"), s => s.Replace("group_wait: 30s", "group_wait: 1s", StringComparison.Ordinal));

        using var webhook = new HttpListener();
        webhook.Prefixes.Add($"http://127.0.0.1:{hookPort}/");
        webhook.Start();
        var delivery = ReceiveAlertAsync(webhook, "GodotProcessDown", ct);

        // A manager that does not start its game: spacetime_godot_running is 0 from the first scrape.
        using var data = new TempFolder();
        await using var manager = SpacetimeProcess.Start(
            new Dictionary<string, string> { ["METRICS_TOKEN"] = metricsToken },
            "manage", "--port", $"{managerPort}", "--godot-port", $"{LoopbackPort.Free()}", "--no-autostart", "--data-dir", data.Path);
        await using var node = BackgroundTool.Start(Tool.Require("prometheus-node-exporter", "apt-get install prometheus-node-exporter"), $"--web.listen-address=127.0.0.1:{nodePort}");
        await using var alertmanager = BackgroundTool.Start(
            Tool.Require("prometheus-alertmanager", "apt-get install prometheus-alertmanager"),
            $"--config.file={alertmanagerDir}/alertmanager.yml", $"--storage.path={temp.Path}/am-data",
            $"--web.listen-address=127.0.0.1:{alertmanagerPort}", "--cluster.listen-address=");
        await using var prometheus = BackgroundTool.Start(
            Tool.Require("prometheus", "apt-get install prometheus"),
            $"--config.file={prometheusDir}/prometheus.yml", $"--storage.tsdb.path={temp.Path}/tsdb", $"--web.listen-address=127.0.0.1:{prometheusPort}");

        string payload;
        try
        {
            payload = await delivery.WaitAsync(TimeSpan.FromSeconds(90), ct);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no alert reached the webhook in 90 s\nmanager:\n{manager.Output}\nprometheus:\n{prometheus.Output}\nalertmanager:\n{alertmanager.Output}");
            throw;
        }

        using var json = JsonDocument.Parse(payload);
        var root = json.RootElement;
        Assert.Equal("oncall", root.GetProperty("receiver").GetString());
        Assert.Equal("firing", root.GetProperty("status").GetString());
        var alert = root.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "GodotProcessDown");
        Assert.Equal("critical", alert.GetProperty("labels").GetProperty("severity").GetString());
        Assert.Equal($"127.0.0.1:{managerPort}", alert.GetProperty("labels").GetProperty("instance").GetString());
        Assert.Equal("Game process not running", alert.GetProperty("annotations").GetProperty("summary").GetString());

        // The same Prometheus scrapes the node exporter: every host panel of the System dashboard has data.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{prometheusPort}") };
        var hostPanels = PromQl.DashboardExpressions().Where(d => d.Dashboard == "system.json" && d.Expr.Contains("node_", StringComparison.Ordinal)).ToList();
        Assert.True(hostPanels.Count >= 6, string.Join("; ", hostPanels.Select(p => p.Panel)));
        foreach (var (_, panel, expr) in hostPanels)
        {
            var query = PromQl.WithoutGrafanaVariables(expr).Replace("[5m]", "[10s]", StringComparison.Ordinal);
            await Poll.UntilAsync(() => SeriesCountAsync(http, query), n => n > 0, $"data for '{panel}' ({query})", TimeSpan.FromSeconds(30));
        }
    }

    private static async Task<string> ReceiveAlertAsync(HttpListener listener, string alertName, CancellationToken ct)
    {
        while (true)
        {
            var context = await listener.GetContextAsync().WaitAsync(ct);
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync(ct);
            context.Response.StatusCode = 200;
            context.Response.Close();
            if (body.Contains($"\"alertname\":\"{alertName}\"", StringComparison.Ordinal))
            {
                return body;
            }
        }
    }

    private static async Task<int> SeriesCountAsync(HttpClient http, string query)
    {
        var answer = await http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}", TestContext.Current.CancellationToken);
        return JsonDocument.Parse(answer).RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
    }

    private static async Task Rewrite(string path, Func<string, string> change)
    {
        var before = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        var after = change(before);
        Assert.NotEqual(before, after);
        await File.WriteAllTextAsync(path, after, TestContext.Current.CancellationToken);
    }

    [GeneratedRegex(@"(?<rule>alert: GodotProcessDown\n\s+expr: [^\n]+\n\s+)for: 1m")]
    private static partial Regex GodotProcessDownDelay();
}
