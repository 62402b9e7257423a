using System.Text.RegularExpressions;
using SpaceTime.Security.Configuration;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Config;

/// <summary>
/// deploy/config/*/.env.template and docs/DEPLOYMENT.md against the one table of environment variables
/// (<see cref="EnvironmentVariableTable"/>), and production's placeholders refused by the real executable.
/// </summary>
public sealed partial class EnvTemplateTests
{
    public static TheoryData<string> Environments => new() { "production", "staging", "development" };

    /// <summary>What an operator sets: settings and secrets under their main names (aliases are the documents' other spellings).</summary>
    private static IEnumerable<EnvironmentVariable> ForOperators =>
        EnvironmentVariableTable.All.Where(v => v.Use is VariableUse.Setting or VariableUse.Secret && v.AliasOf is null);

    [Theory]
    [MemberData(nameof(Environments))]
    public void Template_ListsEveryVariableOperatorsSet_AndOnlyVariablesOfTheTable(string environment)
    {
        var documented = Variables(environment).Select(v => v.Name).ToHashSet();

        Assert.DoesNotContain(ForOperators, v => !documented.Contains(v.Name));
        Assert.DoesNotContain(documented, n => EnvironmentVariableTable.Find(n) is not { Use: VariableUse.Setting or VariableUse.Secret or VariableUse.Deployment });
    }

    [Fact]
    public void Table_EachVariableOnce_AndEachSettingNamesAKeyOrAVariableOnlyKey()
    {
        Assert.Equal(EnvironmentVariableTable.All.Count, EnvironmentVariableTable.All.Select(v => v.Name).Distinct().Count());
        Assert.All(EnvironmentVariableTable.All.Where(v => v.AliasOf is not null), v => Assert.Equal(v.Key, EnvironmentVariableTable.Find(v.AliasOf!)!.Key));
        Assert.All(EnvironmentVariableTable.All.Where(v => v.Use == VariableUse.Ignored), v => Assert.False(string.IsNullOrWhiteSpace(v.Description)));
    }

    [Fact]
    public void DeploymentDocument_HoldsTheTableAsTheCodeHasIt()
    {
        var document = File.ReadAllText(RepositoryPaths.Path("docs", "DEPLOYMENT.md"));
        const string begin = "<!-- environment-variables:begin (spacetime config variables) -->\n";
        const string end = "<!-- environment-variables:end -->";
        var start = document.IndexOf(begin, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/DEPLOYMENT.md has no '{begin.Trim()}' section");
        var table = document[(start + begin.Length)..document.IndexOf(end, start, StringComparison.Ordinal)];

        // Regenerate with: spacetime config variables
        Assert.Equal(EnvironmentVariableTable.ToMarkdown(), table);
    }

    [Fact]
    public void PipelineVariables_AreDocumentedInTheCiGuide()
    {
        var guide = File.ReadAllText(RepositoryPaths.Path("docs", "CI.md"));

        Assert.All(EnvironmentVariableTable.All.Where(v => v.Use == VariableUse.Pipeline && v.Name.StartsWith("SPACETIME_", StringComparison.Ordinal)),
            v => Assert.Contains(v.Name, guide, StringComparison.Ordinal));
    }

    [Fact]
    public void MonitoringVariables_AreReadBySetupMonitoring()
    {
        var script = File.ReadAllText(RepositoryPaths.Deploy("scripts", "setup_monitoring.sh"));
        var monitoring = EnvironmentVariableTable.All.Where(v => v.Key == "deploy/scripts/setup_monitoring.sh").ToList();

        Assert.NotEmpty(monitoring);
        Assert.All(monitoring, v => Assert.Contains($"env_value {v.Name})", script, StringComparison.Ordinal));
    }

    [Fact]
    public void BackupVariables_AreReadByBackupScript()
    {
        var script = File.ReadAllText(RepositoryPaths.Deploy("scripts", "backup.sh"));

        Assert.All(EnvironmentVariableTable.All.Where(v => v.Key == "deploy/scripts/backup.sh"), v => Assert.Contains($"${{{v.Name}:-", script, StringComparison.Ordinal));
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

    [GeneratedRegex(@"^(?<comment># )?(?<name>[A-Z][A-Z0-9_]+)=(?<value>.*)$")]
    private static partial Regex Assignment();
}
