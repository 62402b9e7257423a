using System.Text.RegularExpressions;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Config;

/// <summary>deploy/config/*/.env.template: every variable SpaceTime reads, documented, and production's placeholders refused by the real executable.</summary>
public sealed partial class EnvTemplateTests
{
    /// <summary>
    /// Names in the source that an operator does not set: systemd sets the first three, PATH is the system's,
    /// SPACETIME_TOKEN is the client tools', SPACETIME_MANAGER_PID, SPACETIME_PROXY_SECRET and SPACETIME_PROXY_SOCKET the manager's to its game, NO_COLOR the terminal's; the package builder sets LC_ALL and DOTNET_* for the
    /// git and dotnet processes it starts.
    /// </summary>
    private static readonly string[] NotForOperators =
        ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "PATH", "SPACETIME_TOKEN", "SPACETIME_MANAGER_PID", "SPACETIME_PROXY_SECRET", "SPACETIME_PROXY_SOCKET", "NO_COLOR", "LC_ALL", "DOTNET_CLI_TELEMETRY_OPTOUT", "DOTNET_NOLOGO"];

    /// <summary>Read by docker-compose.yml, not by SpaceTime.</summary>
    private static readonly string[] ComposeOnly = ["GRAFANA_ADMIN_PASSWORD", "REDIS_PASSWORD", "POSTGRES_PASSWORD", "SPACETIME_DOMAIN"];

    /// <summary>Read by setup_monitoring.sh (Alertmanager's notifiers), not by SpaceTime.</summary>
    private static readonly string[] MonitoringOnly = ["ALERT_WEBHOOK_URL", "ALERT_EMAIL_TO", "SMTP_SMARTHOST", "SMTP_FROM", "SMTP_AUTH_USERNAME", "SMTP_AUTH_PASSWORD"];

    /// <summary>Read by <c>spacetime ci</c> from a game repository's pipeline (docs/CI.md), not by the servers an operator runs.</summary>
    private static readonly string[] PipelineOnly =
    [
        "GITHUB_ACTIONS", "CI_COMMIT_TAG", "GITHUB_REF_TYPE", "GITHUB_REF_NAME", "SPACETIME_REPORTS_DIR", "SPACETIME_PROJECT_DIR", "SPACETIME_SCENE",
        "SPACETIME_READY_TIMEOUT", "SPACETIME_VERSION", "SPACETIME_DIST_DIR", "SPACETIME_SIGNING_KEY", "SPACETIME_PASSPHRASE", "SPACETIME_PASSPHRASE_FILE",
        "SPACETIME_PUBLIC_KEY", "SPACETIME_DEPLOY_ARGS",
    ];

    public static TheoryData<string> Environments => new() { "production", "staging", "development" };

    [Theory]
    [MemberData(nameof(Environments))]
    public void Template_DocumentsEveryVariableSpacetimeReads_AndNoOther(string environment)
    {
        var read = VariablesReadBySource();
        Assert.Contains("JWT_SECRET_KEY", read);
        Assert.Contains("GODOT_SERVER_HOST", read);
        var documented = Variables(environment).Select(v => v.Name).ToHashSet();

        Assert.Empty(read.Except(NotForOperators).Except(PipelineOnly).Except(documented));
        Assert.Empty(documented.Except(read).Except(ComposeOnly).Except(MonitoringOnly));
    }

    [Fact]
    public void PipelineVariables_AreDocumentedInTheCiGuide()
    {
        var guide = File.ReadAllText(RepositoryPaths.Path("docs", "CI.md"));

        Assert.All(PipelineOnly.Where(n => n.StartsWith("SPACETIME_", StringComparison.Ordinal)), name => Assert.Contains(name, guide, StringComparison.Ordinal));
    }

    [Fact]
    public void MonitoringVariables_AreReadBySetupMonitoring()
    {
        var script = File.ReadAllText(RepositoryPaths.Deploy("scripts", "setup_monitoring.sh"));

        Assert.All(MonitoringOnly, name => Assert.Contains($"env_value {name})", script, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Template_EveryVariableSitsUnderAComment(string environment)
    {
        var lines = File.ReadAllLines(TemplatePath(environment));
        for (var i = 0; i < lines.Length; i++)
        {
            if (Assignment().IsMatch(lines[i]) && !lines[i].StartsWith('#'))
            {
                Assert.True(i > 0 && lines[i - 1].Length > 0, $"{environment}: '{lines[i]}' (line {i + 1}) starts a group without a comment");
            }
        }

        Assert.Equal(environment, Variables(environment).Single(v => v.Name == "GODOT_ENV").Value);
    }

    [Fact]
    public void ProductionTemplate_HoldsNoSecretButPlaceholders()
    {
        var secrets = Variables("production").Where(v => v.Name is "JWT_SECRET_KEY" or "API_TOKEN" or "METRICS_TOKEN" or "GRAFANA_ADMIN_PASSWORD" or "REDIS_PASSWORD").ToList();

        Assert.Equal(5, secrets.Count);
        Assert.All(secrets, s => Assert.StartsWith("REPLACE_WITH_", s.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProductionTemplate_AsIs_IsRefusedBySpacetime()
    {
        using var data = new TempFolder();
        var environment = Variables("production").Where(v => !v.Commented).ToDictionary(v => v.Name, v => v.Value);
        environment["SPACETIME_DATA_DIR"] = data.Path;
        environment["GODOT_SERVER_PORT"] = $"{LoopbackPort.Free()}";
        environment["GODOT_API_PORT"] = $"{LoopbackPort.Free()}";
        environment["API_TOKEN"] = Variables("production").Single(v => v.Name == "API_TOKEN").Value; // SpacetimeProcess sets its own otherwise

        var (code, output) = await SpacetimeProcess.RunAsync(TimeSpan.FromSeconds(60), environment, "manage", "--no-autostart");

        Assert.NotEqual(0, code);
        Assert.Contains("JWT_SECRET_KEY: is a placeholder", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevelopmentTemplate_AsIs_StartsSpacetime()
    {
        using var data = new TempFolder();
        var environment = Variables("development").Where(v => !v.Commented).ToDictionary(v => v.Name, v => v.Value);
        environment["SPACETIME_DATA_DIR"] = data.Path;
        var port = LoopbackPort.Free();
        environment["GODOT_SERVER_PORT"] = $"{port}";
        environment["GODOT_API_PORT"] = $"{LoopbackPort.Free()}";
        environment["TELEMETRY_PORT"] = $"{LoopbackPort.Free()}";
        foreach (var editorPort in new[] { "DAP_PORT", "LSP_PORT" })
        {
            environment[editorPort] = ""; // no Godot editor here
        }

        await using var manager = SpacetimeProcess.Start(environment, "manage");
        await RunningSpacetime.WaitForHealthAsync($"http://127.0.0.1:{port}", () => manager.HasExited ? manager.Output : null);
    }

    private static string TemplatePath(string environment) => RepositoryPaths.Deploy("config", environment, ".env.template");

    private static List<(string Name, string Value, bool Commented)> Variables(string environment) =>
        [.. File.ReadAllLines(TemplatePath(environment)).Select(l => Assignment().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups["name"].Value, m.Groups["value"].Value, m.Groups["comment"].Success))];

    /// <summary>Environment variables named in the source where it reads them: Get("X"), Env("X"), GetEnvironmentVariable("X"), and the runtime's name map.</summary>
    private static HashSet<string> VariablesReadBySource() =>
        [.. Directory.GetFiles(RepositoryPaths.Path("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => ReadsVariable().Matches(File.ReadAllText(f)))
            .Select(m => m.Groups["name"].Value)];

    [GeneratedRegex(@"^(?<comment># )?(?<name>[A-Z][A-Z0-9_]+)=(?<value>.*)$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"(?:\b(?:[Gg]et|GetPort|GetEnvironmentVariable|variables)\(""(?<name>[A-Z][A-Z0-9_]+)""\))|(?:\[""(?<name>[A-Z][A-Z0-9_]+)""\]\s*=\s*"")")]
    private static partial Regex ReadsVariable();
}
