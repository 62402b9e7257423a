using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Helm;

/// <summary>deploy/helm/spacetime without a helm binary: values.yaml against values.schema.json (what helm enforces), and the templates' value references.</summary>
public sealed partial class HelmChartTests
{
    private static readonly string Chart = RepositoryPaths.Deploy("helm", "spacetime");

    [Fact]
    public async Task Values_MatchTheChartsSchema()
    {
        var result = await Tool.JsonSchemaAsync(Path.Combine(Chart, "values.schema.json"), Path.Combine(Chart, "values.yaml"), "7");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Values_DeliberatelyBad_AreRejectedKeyByKey()
    {
        using var temp = new TempFolder();
        var bad = Path.Combine(temp.Path, "bad-values.yaml");
        var text = (await File.ReadAllTextAsync(Path.Combine(Chart, "values.yaml"), TestContext.Current.CancellationToken))
            .Replace("tag: \"1.0.0\"", "tag: latest", StringComparison.Ordinal)
            .Replace("environment: production", "environment: prod", StringComparison.Ordinal)
            .Replace("port: 8090", "port: 70000", StringComparison.Ordinal)
            .Replace("keepDays: 30", "keepDays: 0", StringComparison.Ordinal)
            + "replicaCount: 3\n";
        await File.WriteAllTextAsync(bad, text, TestContext.Current.CancellationToken);

        var result = await Tool.JsonSchemaAsync(Path.Combine(Chart, "values.schema.json"), bad, "7");

        Assert.Equal(1, result.ExitCode);
        foreach (var path in new[] { "(root): Additional properties", "image/tag", "environment", "manager/port", "backup/keepDays" })
        {
            Assert.Contains(path, result.StdOut, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Chart_RunsAtLeastTwoReplicasWithRedisAndPostgres()
    {
        var values = Yaml.Load(Path.Combine(Chart, "values.yaml"));
        var templates = Path.Combine(Chart, "templates");
        var deployment = File.ReadAllText(Path.Combine(templates, "deployment.yaml"));

        Assert.True(int.Parse(values["autoscaling"]!["minReplicas"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Contains("minReplicas: {{ .Values.autoscaling.minReplicas }}", File.ReadAllText(Path.Combine(templates, "hpa.yaml")), StringComparison.Ordinal);
        Assert.Contains("replicas: {{ .Values.autoscaling.minReplicas }}", deployment, StringComparison.Ordinal);
        Assert.Contains("name: REDIS_URL", deployment, StringComparison.Ordinal);
        Assert.Contains("name: DATABASE_URL", deployment, StringComparison.Ordinal);
        Assert.DoesNotContain("Recreate", deployment, StringComparison.Ordinal);
        Assert.Contains("kind: StatefulSet", File.ReadAllText(Path.Combine(templates, "redis.yaml")), StringComparison.Ordinal);
        Assert.Contains("kind: StatefulSet", File.ReadAllText(Path.Combine(templates, "postgres.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Templates_ReferenceOnlyValuesThatExist()
    {
        var values = Yaml.Load(Path.Combine(Chart, "values.yaml"));
        var references = Directory.GetFiles(Path.Combine(Chart, "templates"))
            .SelectMany(f => ValuesReference().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();

        Assert.True(references.Count >= 15, string.Join(", ", references));
        foreach (var reference in references)
        {
            JsonNode? node = values;
            foreach (var key in reference.Split('.'))
            {
                node = node?[key];
            }

            Assert.True(node is not null, $".Values.{reference} is used by a template but missing from values.yaml");
        }
    }

    [Fact]
    public void Chart_IsAHelm3ApplicationChartNamedAfterItsFolder()
    {
        var chart = Yaml.Load(Path.Combine(Chart, "Chart.yaml"));

        Assert.Equal("v2", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal("spacetime", chart["name"]!.GetValue<string>());
        Assert.Matches(@"^\d+\.\d+\.\d+$", chart["version"]!.GetValue<string>());
        Assert.Equal("1.0.0", chart["appVersion"]!.GetValue<string>());
    }

    [GeneratedRegex(@"\.Values\.([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)")]
    private static partial Regex ValuesReference();
}
