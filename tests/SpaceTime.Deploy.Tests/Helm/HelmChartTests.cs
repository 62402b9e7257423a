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
        var game = File.ReadAllText(Path.Combine(templates, "statefulset.yaml"));

        Assert.True(int.Parse(values["autoscaling"]!["minReplicas"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Contains("minReplicas: {{ .Values.autoscaling.minReplicas }}", File.ReadAllText(Path.Combine(templates, "hpa.yaml")), StringComparison.Ordinal);
        Assert.Contains("replicas: {{ .Values.autoscaling.minReplicas }}", game, StringComparison.Ordinal);
        Assert.Contains("name: REDIS_URL", game, StringComparison.Ordinal);
        Assert.Contains("name: DATABASE_URL", game, StringComparison.Ordinal);
        Assert.DoesNotContain("OnDelete", game, StringComparison.Ordinal);
        Assert.Contains("kind: StatefulSet", File.ReadAllText(Path.Combine(templates, "redis.yaml")), StringComparison.Ordinal);
        Assert.Contains("kind: StatefulSet", File.ReadAllText(Path.Combine(templates, "postgres.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_GamePodsKeepTheirOwnDataVolumeAcrossRestartsAndScaleDown()
    {
        var templates = Path.Combine(Chart, "templates");
        var game = File.ReadAllText(Path.Combine(templates, "statefulset.yaml"));
        var services = File.ReadAllText(Path.Combine(templates, "service.yaml"));

        Assert.DoesNotContain(Directory.GetFiles(templates), f => File.ReadAllText(f).Contains("kind: Deployment", StringComparison.Ordinal));
        Assert.Matches(@"(?m)^kind: StatefulSet\n", game);
        Assert.Matches(@"(?m)^  podManagementPolicy: Parallel$", game);
        Assert.Matches(@"(?m)^  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Retain\n    whenScaled: Retain$", game);
        Assert.Matches(@"(?m)^  volumeClaimTemplates:\n    - metadata:\n        name: data\n", game);
        Assert.Contains("storage: {{ .Values.persistence.size }}", game, StringComparison.Ordinal);
        Assert.Contains("- {name: data, mountPath: /var/lib/spacetime}", game, StringComparison.Ordinal);
        Assert.DoesNotContain("ephemeral", game, StringComparison.Ordinal);
        Assert.DoesNotContain("persistentVolumeClaim:", game, StringComparison.Ordinal);

        // The headless governing Service named by serviceName, beside the ClusterIP Service the ingress uses.
        Assert.Matches(@"(?m)^  serviceName: \{\{ \.Release\.Name \}\}-headless$", game);
        Assert.Matches(@"(?m)^  name: \{\{ \.Release\.Name \}\}-headless\n(.*\n){0,3}spec:\n  clusterIP: None\n  selector:\n    \{\{- include ""spacetime\.selector""", services);
        Assert.Matches(@"(?m)^  name: \{\{ \.Release\.Name \}\}\n(.*\n){0,3}spec:\n  selector:", services);

        Assert.Matches(@"kind: StatefulSet\n    name: \{\{ \.Release\.Name \}\}\n", File.ReadAllText(Path.Combine(templates, "hpa.yaml")));
    }

    [Fact]
    public void Chart_BackupJob_DumpsPostgresWithoutAGameDataClaim()
    {
        var templates = Path.Combine(Chart, "templates");
        var backup = File.ReadAllText(Path.Combine(templates, "backup-cronjob.yaml"));

        Assert.Contains("command: [/app/scripts/backup.sh, --output, /backups, --keep-days, {{ .Values.backup.keepDays | quote }}]", backup, StringComparison.Ordinal);
        Assert.Contains("value: postgresql://spacetime:$(POSTGRES_PASSWORD)@{{ .Release.Name }}-postgres:5432/spacetime", backup, StringComparison.Ordinal);
        Assert.Contains("valueFrom: {secretKeyRef: {name: {{ .Values.existingSecret }}, key: POSTGRES_PASSWORD}}", backup, StringComparison.Ordinal);
        Assert.DoesNotContain("affinity", backup, StringComparison.Ordinal);
        Assert.Equal(["{{ .Release.Name }}-backups"], ClaimName().Matches(backup).Select(m => m.Groups[1].Value));
        Assert.DoesNotContain(Directory.GetFiles(templates), f => File.ReadAllText(f).Contains("{{ .Release.Name }}-data", StringComparison.Ordinal));
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

    [GeneratedRegex(@"(?m)claimName: (.+)\}$")]
    private static partial Regex ClaimName();

    [GeneratedRegex(@"\.Values\.([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)")]
    private static partial Regex ValuesReference();
}
