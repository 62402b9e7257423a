using System.Text.Json;
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
        await File.WriteAllTextAsync(envFile, $"GODOT_ENV=production\nMETRICS_TOKEN=\"{shared.MetricsToken}\"\nALERT_WEBHOOK_URL=https://hooks.example.org/spacetime\n", ct);
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
        var port = LoopbackPort.Free();
        await using var prometheus = BackgroundTool.Start(
            Tool.Require("prometheus", "apt-get install prometheus"),
            $"--config.file={prometheusDir}/prometheus.yml", $"--storage.tsdb.path={temp.Path}/tsdb", $"--web.listen-address=127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var health = await Poll.UntilAsync(
            () => TargetHealthAsync(http),
            h => h.TryGetValue("spacetime-manager", out var m) && m == "up" && h.TryGetValue("spacetime-game", out var g) && g == "up",
            "Prometheus to scrape both SpaceTime jobs",
            TimeSpan.FromSeconds(60));
        Assert.Equal("up", health["spacetime-game"]);

        // The alert rules loaded and evaluate against the live series.
        var rules = JsonDocument.Parse(await http.GetStringAsync("/api/v1/rules", ct)).RootElement.GetProperty("data").GetProperty("groups");
        Assert.Equal(PromtoolTests.Alerts.Length, rules.EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).Count(r => r.GetProperty("type").GetString() == "alerting"));
    }

    [Fact]
    public async Task Setup_PlaceholderToken_IsRefused()
    {
        using var temp = new TempFolder();

        var result = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", RepositoryPaths.Deploy("config", "production", ".env.template"), "--prometheus-dir", temp.Path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("still a placeholder", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "secrets", "metrics_token")));
    }

    [Fact]
    public async Task ComposeSetup_PlaceholderGrafanaPassword_IsRefusedByName()
    {
        using var temp = new TempFolder();
        File.Copy(RepositoryPaths.Deploy("compose", "docker-compose.yml"), Path.Combine(temp.Path, "docker-compose.yml"));
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
        File.Copy(RepositoryPaths.Deploy("compose", "docker-compose.yml"), Path.Combine(temp.Path, "docker-compose.yml"));
        var envFile = Path.Combine(temp.Path, ".env");
        var token = Secrets.Hex(32);
        await File.WriteAllTextAsync(envFile, $"METRICS_TOKEN={token}\nALERT_WEBHOOK_URL=https://hooks.example.org/spacetime\n", TestContext.Current.CancellationToken);

        var result = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", envFile, "--compose", temp.Path]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("https://hooks.example.org/spacetime", await File.ReadAllTextAsync(Path.Combine(temp.Path, "secrets", "alertmanager.yml"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("./secrets/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro", await File.ReadAllTextAsync(RepositoryPaths.Deploy("compose", "docker-compose.yml"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var file = Path.Combine(temp.Path, "secrets", "metrics_token");
        Assert.Equal(token, await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        Assert.Contains("file: ./secrets/metrics_token", await File.ReadAllTextAsync(RepositoryPaths.Deploy("compose", "docker-compose.yml"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_WithoutAnAlertReceiver_IsRefused_UnlessAccepted()
    {
        using var temp = new TempFolder();
        var envFile = Path.Combine(temp.Path, "spacetime.env");
        await File.WriteAllTextAsync(envFile, $"METRICS_TOKEN={Secrets.Hex(32)}\n", TestContext.Current.CancellationToken);
        var alertmanagerDir = Path.Combine(temp.Path, "am");

        var refused = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", envFile, "--prometheus-dir", Path.Combine(temp.Path, "p"), "--alertmanager-dir", alertmanagerDir]);
        var accepted = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", envFile, "--prometheus-dir", Path.Combine(temp.Path, "p"), "--alertmanager-dir", alertmanagerDir, "--no-alert-receivers"]);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("no alert receiver", refused.StdErr, StringComparison.Ordinal);
        Assert.Contains("ALERT_WEBHOOK_URL", refused.StdErr, StringComparison.Ordinal);
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.True(File.Exists(Path.Combine(alertmanagerDir, "alertmanager.yml")));
    }

    [Fact]
    public async Task Setup_WebhookAndEmail_CriticalPagesTheWebhook_WarningsEmailTheTeam_SecretsQuoted()
    {
        using var temp = new TempFolder();
        var envFile = Path.Combine(temp.Path, "spacetime.env");
        const string password = "it's a \"secret\": {x}";
        await File.WriteAllTextAsync(envFile, $"""
            METRICS_TOKEN={Secrets.Hex(32)}
            ALERT_WEBHOOK_URL=https://hooks.example.org/page
            ALERT_EMAIL_TO=ops@example.org
            SMTP_SMARTHOST=mail.example.org:587
            SMTP_FROM=alerts@example.org
            SMTP_AUTH_USERNAME=alerts
            SMTP_AUTH_PASSWORD={password}

            """, TestContext.Current.CancellationToken);
        var config = Path.Combine(temp.Path, "am", "alertmanager.yml");

        var result = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", envFile, "--prometheus-dir", Path.Combine(temp.Path, "p"), "--alertmanager-dir", Path.Combine(temp.Path, "am")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(password, result.Output, StringComparison.Ordinal);
        var yaml = Yaml.Load(config);
        Assert.Equal(password, yaml["global"]!["smtp_auth_password"]!.GetValue<string>());
        var receivers = yaml["receivers"]!.AsArray().ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!);
        Assert.Equal("https://hooks.example.org/page", receivers["oncall"]["webhook_configs"]![0]!["url"]!.GetValue<string>());
        Assert.Equal("https://hooks.example.org/page", receivers["security"]["webhook_configs"]![0]!["url"]!.GetValue<string>());
        Assert.Null(receivers["team"]["webhook_configs"]);
        Assert.All(receivers.Values, r => Assert.Equal("ops@example.org", r["email_configs"]![0]!["to"]!.GetValue<string>()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(config));

        var amtool = Tool.Require("amtool", "apt-get install prometheus-alertmanager");
        var critical = await Tool.RunAsync(amtool, ["config", "routes", "test", $"--config.file={config}", "--verify.receivers=oncall", "severity=critical"], null);
        var security = await Tool.RunAsync(amtool, ["config", "routes", "test", $"--config.file={config}", "--verify.receivers=oncall,security", "severity=critical", "team=security"], null);
        var warning = await Tool.RunAsync(amtool, ["config", "routes", "test", $"--config.file={config}", "--verify.receivers=team", "severity=warning"], null);
        var wrong = await Tool.RunAsync(amtool, ["config", "routes", "test", $"--config.file={config}", "--verify.receivers=oncall", "severity=warning"], null);
        Assert.True(critical.ExitCode == 0, critical.ToString());
        Assert.True(security.ExitCode == 0, security.ToString());
        Assert.True(warning.ExitCode == 0, warning.ToString());
        Assert.NotEqual(0, wrong.ExitCode);
    }

    [Theory]
    [InlineData("ALERT_WEBHOOK_URL=hooks.example.org/no-scheme\n", "ALERT_WEBHOOK_URL")]
    [InlineData("ALERT_EMAIL_TO=ops@example.org\n", "SMTP_SMARTHOST")]
    [InlineData("ALERT_EMAIL_TO=ops@example.org\nSMTP_SMARTHOST=mail:587\nSMTP_FROM=a@example.org\nSMTP_AUTH_USERNAME=a\nSMTP_AUTH_PASSWORD=REPLACE_WITH_SMTP_PASSWORD\n", "SMTP_AUTH_PASSWORD")]
    public async Task Setup_BadNotifier_IsRefusedByName(string notifier, string named)
    {
        using var temp = new TempFolder();
        var envFile = Path.Combine(temp.Path, "spacetime.env");
        await File.WriteAllTextAsync(envFile, $"METRICS_TOKEN={Secrets.Hex(32)}\n{notifier}", TestContext.Current.CancellationToken);

        var result = await Tool.ScriptAsync("setup_monitoring.sh", ["--env-file", envFile, "--prometheus-dir", Path.Combine(temp.Path, "p"), "--alertmanager-dir", Path.Combine(temp.Path, "am")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(named, result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "am", "alertmanager.yml")));
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
