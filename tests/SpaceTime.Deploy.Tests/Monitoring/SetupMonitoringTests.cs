using System.Text.Json;
using SpaceTime.Cli.Tests;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Monitoring;

/// <summary>setup_monitoring.sh, then a real Prometheus with the installed configuration scraping a real SpaceTime.</summary>
public sealed class SetupMonitoringTests(SharedSpacetime shared)
{
    [Fact]
    public async Task SingleHostSetup_ThenRealPrometheus_ScrapesManagerAndGameWithTheMetricsToken()
    {
        using var temp = new TempFolder();
        var ct = TestContext.Current.CancellationToken;
        var envFile = Path.Combine(temp.Path, "spacetime.env");
        await File.WriteAllTextAsync(envFile, $"GODOT_ENV=production\nMETRICS_TOKEN=\"{shared.MetricsToken}\"\n", ct);
        var prometheusDir = Path.Combine(temp.Path, "prometheus");

        var setup = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", envFile, "--prometheus-dir", prometheusDir, "--alertmanager-dir", Path.Combine(temp.Path, "am")]);

        Assert.True(setup.ExitCode == 0, setup.ToString());
        Assert.Equal(shared.MetricsToken, await File.ReadAllTextAsync(Path.Combine(prometheusDir, "secrets", "metrics_token"), ct));
        Assert.True(File.Exists(Path.Combine(temp.Path, "am", "alertmanager.yml")));
        var config = await File.ReadAllTextAsync(Path.Combine(prometheusDir, "prometheus.yml"), ct);
        Assert.Contains("\"127.0.0.1:8090\"", config, StringComparison.Ordinal);

        // The installed config, pointed at the test's manager instead of port 8090, run by the real Prometheus.
        await File.WriteAllTextAsync(Path.Combine(prometheusDir, "prometheus.yml"),
            config.Replace("\"127.0.0.1:8090\"", $"\"127.0.0.1:{shared.Spacetime.ManagerPort}\"", StringComparison.Ordinal).Replace("scrape_interval: 15s", "scrape_interval: 1s", StringComparison.Ordinal), ct);
        var port = Ports.Free();
        var info = new System.Diagnostics.ProcessStartInfo(Tool.Require("prometheus", "apt-get install prometheus"))
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var arg in new[] { $"--config.file={prometheusDir}/prometheus.yml", $"--storage.tsdb.path={temp.Path}/tsdb", $"--web.listen-address=127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(arg);
        }

        using var prometheus = System.Diagnostics.Process.Start(info)!;
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var health = await SpaceTime.Runtime.Tests.Poll.UntilAsync(
                () => TargetHealthAsync(http),
                h => h.TryGetValue("spacetime-manager", out var m) && m == "up" && h.TryGetValue("spacetime-game", out var g) && g == "up",
                "Prometheus to scrape both SpaceTime jobs",
                TimeSpan.FromSeconds(60));
            Assert.Equal("up", health["spacetime-game"]);

            // The alert rules loaded and evaluate against the live series.
            var rules = JsonDocument.Parse(await http.GetStringAsync("/api/v1/rules", ct)).RootElement.GetProperty("data").GetProperty("groups");
            Assert.Equal(PromtoolTests.DocumentedAlerts.Length, rules.EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).Count(r => r.GetProperty("type").GetString() == "alerting"));
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync(ct);
        }
    }

    [Fact]
    public async Task Setup_PlaceholderToken_IsRefused()
    {
        using var temp = new TempFolder();

        var result = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", Repo.Deploy("config", "production", ".env.template"), "--prometheus-dir", temp.Path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("still a placeholder", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "secrets", "metrics_token")));
    }

    [Fact]
    public async Task ComposeSetup_PlaceholderGrafanaPassword_IsRefusedByName()
    {
        using var temp = new TempFolder();
        File.Copy(Repo.Deploy("compose", "docker-compose.yml"), Path.Combine(temp.Path, "docker-compose.yml"));
        var envFile = Path.Combine(temp.Path, ".env");
        await File.WriteAllTextAsync(envFile, $"METRICS_TOKEN={new string('a', 40)}\nGRAFANA_ADMIN_PASSWORD=REPLACE_WITH_OPENSSL_RAND_HEX_32\n", TestContext.Current.CancellationToken);

        var result = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", envFile, "--compose", temp.Path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("GRAFANA_ADMIN_PASSWORD in", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "secrets", "metrics_token")));
    }

    [Fact]
    public async Task ComposeSetup_WritesTheTokenFileTheComposeSecretReads()
    {
        using var temp = new TempFolder();
        File.Copy(Repo.Deploy("compose", "docker-compose.yml"), Path.Combine(temp.Path, "docker-compose.yml"));
        var envFile = Path.Combine(temp.Path, ".env");
        var token = Secrets.Hex(32);
        await File.WriteAllTextAsync(envFile, $"METRICS_TOKEN={token}\n", TestContext.Current.CancellationToken);

        var result = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", envFile, "--compose", temp.Path]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var file = Path.Combine(temp.Path, "secrets", "metrics_token");
        Assert.Equal(token, await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        Assert.Contains("file: ./secrets/metrics_token", await File.ReadAllTextAsync(Repo.Deploy("compose", "docker-compose.yml"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static async Task<Dictionary<string, string>> TargetHealthAsync(HttpClient http)
    {
        try
        {
            var targets = JsonDocument.Parse(await http.GetStringAsync("/api/v1/targets", TestContext.Current.CancellationToken)).RootElement
                .GetProperty("data").GetProperty("activeTargets");
            return targets.EnumerateArray().ToDictionary(
                t => t.GetProperty("labels").GetProperty("job").GetString()!,
                t => $"{t.GetProperty("health").GetString()}{(t.GetProperty("lastError").GetString() is { Length: > 0 } e ? $" ({e})" : "")}");
        }
        catch (HttpRequestException)
        {
            return []; // not listening yet
        }
    }
}
