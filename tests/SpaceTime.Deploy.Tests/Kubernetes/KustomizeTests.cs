using System.Text.Json.Nodes;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Kubernetes;

/// <summary>deploy/kubernetes: `kubectl kustomize` for the base and both overlays, every object checked with npm kubernetes-models.</summary>
public sealed class KustomizeTests
{
    public static TheoryData<string> Trees => new() { "base", "overlays/staging", "overlays/production" };

    [Theory]
    [MemberData(nameof(Trees))]
    public async Task Kustomize_Build_IsCleanAndEveryObjectMatchesItsSchema(string tree)
    {
        var yaml = await BuildAsync(tree);

        var validation = await ValidateAsync(yaml);

        Assert.True(validation.ExitCode == 0, validation.ToString());
        var kinds = validation.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1]).ToHashSet();
        foreach (var kind in new[] { "v1/Namespace", "v1/ConfigMap", "v1/PersistentVolumeClaim", "v1/Service", "networking.k8s.io/v1/Ingress",
                     "networking.k8s.io/v1/NetworkPolicy", "autoscaling/v2/HorizontalPodAutoscaler", "apps/v1/StatefulSet", "batch/v1/CronJob" })
        {
            Assert.Contains(kind, kinds);
        }
    }

    [Fact]
    public async Task Overlays_NeverApplyTheSecretTemplate_AndSetTheirEnvironment()
    {
        var baseObjects = Documents(await BuildAsync("base"));
        var secret = Assert.Single(baseObjects, o => Kind(o) == "Secret");
        Assert.All(secret["stringData"]!.AsObject(), p => Assert.StartsWith("REPLACE_WITH_", p.Value!.GetValue<string>(), StringComparison.Ordinal));

        foreach (var (overlay, environment, ns) in new[] { ("staging", "staging", "spacetime-staging"), ("production", "production", "spacetime") })
        {
            var objects = Documents(await BuildAsync($"overlays/{overlay}"));
            Assert.DoesNotContain(objects, o => Kind(o) == "Secret");
            Assert.Equal(environment, Assert.Single(objects, o => Kind(o) == "ConfigMap")["data"]!["GODOT_ENV"]!.GetValue<string>());
            Assert.All(objects.Where(o => Kind(o) != "Namespace"), o => Assert.Equal(ns, o["metadata"]!["namespace"]!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task Production_RunsAtLeastTwoReplicasSharingRedisAndPostgres()
    {
        var objects = Documents(await BuildAsync("overlays/production"));
        var game = Game(objects);
        var hpa = Assert.Single(objects, o => Kind(o) == "HorizontalPodAutoscaler");
        var env = game["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]?.GetValue<string>());

        Assert.True(Number(game["spec"]!["replicas"]!) >= 2);
        Assert.True(Number(hpa["spec"]!["minReplicas"]!) >= 2);
        Assert.True(Number(hpa["spec"]!["maxReplicas"]!) >= Number(hpa["spec"]!["minReplicas"]!));
        Assert.Equal("redis://:$(REDIS_PASSWORD)@redis:6379/0", env["REDIS_URL"]);
        Assert.Equal("postgresql://spacetime:$(POSTGRES_PASSWORD)@postgres:5432/spacetime", env["DATABASE_URL"]);
        Assert.Contains("SPACETIME_INSTANCE_ID", env.Keys);
        Assert.Contains(objects, o => Kind(o) == "StatefulSet" && Name(o) == "postgres");
        Assert.Contains(objects, o => Kind(o) == "StatefulSet" && Name(o) == "redis");
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public async Task GamePods_KeepTheirOwnDataVolumeAcrossRestartsAndScaleDown(string tree)
    {
        var objects = Documents(await BuildAsync(tree));
        var game = Game(objects);
        var spec = game["spec"]!;
        var pod = spec["template"]!["spec"]!;

        // Each pod its own claim (data-spacetime-N: audit file, record outbox), reattached when the pod comes back and
        // kept when the StatefulSet is scaled down or deleted: acknowledged records wait there until PostgreSQL takes them.
        Assert.DoesNotContain(objects, o => Kind(o) == "Deployment");
        var claim = Assert.Single(spec["volumeClaimTemplates"]!.AsArray())!;
        Assert.Equal("data", claim["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(["ReadWriteOnce"], claim["spec"]!["accessModes"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("data", pod["containers"]![0]!["volumeMounts"]!.AsArray().Single(m => m!["mountPath"]!.GetValue<string>() == "/var/lib/spacetime")!["name"]!.GetValue<string>());
        Assert.DoesNotContain(pod["volumes"]!.AsArray(), v => v!["name"]!.GetValue<string>() == "data" || v["ephemeral"] is not null);
        Assert.Equal("Retain", spec["persistentVolumeClaimRetentionPolicy"]!["whenDeleted"]!.GetValue<string>());
        Assert.Equal("Retain", spec["persistentVolumeClaimRetentionPolicy"]!["whenScaled"]!.GetValue<string>());
        Assert.Equal("Parallel", spec["podManagementPolicy"]!.GetValue<string>());

        // The governing Service is headless and selects the game pods; the ClusterIP Service the ingress uses stays.
        var governing = Assert.Single(objects, o => Kind(o) == "Service" && Name(o) == spec["serviceName"]!.GetValue<string>());
        Assert.Equal("None", governing["spec"]!["clusterIP"]!.GetValue<string>());
        Assert.Equal(spec["selector"]!["matchLabels"]!.ToJsonString(), governing["spec"]!["selector"]!.ToJsonString());
        var service = Assert.Single(objects, o => Kind(o) == "Service" && Name(o) == "spacetime");
        Assert.Null(service["spec"]!["clusterIP"]);

        var target = Assert.Single(objects, o => Kind(o) == "HorizontalPodAutoscaler")["spec"]!["scaleTargetRef"]!;
        Assert.Equal(("apps/v1", "StatefulSet", "spacetime"),
            (target["apiVersion"]!.GetValue<string>(), target["kind"]!.GetValue<string>(), target["name"]!.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(Trees))]
    public async Task BackupJob_DumpsPostgresIntoItsOwnVolume_AndMayReachIt(string tree)
    {
        var objects = Documents(await BuildAsync(tree));
        var job = Assert.Single(objects, o => Kind(o) == "CronJob")["spec"]!["jobTemplate"]!["spec"]!["template"]!;
        var container = Assert.Single(job["spec"]!["containers"]!.AsArray())!;
        var env = container["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!);

        // Against PostgreSQL with the URL built like the game's (password from the Secret), not on the command line.
        Assert.Equal(["/app/scripts/backup.sh", "--output", "/backups", "--keep-days", "30"], container["command"]!.AsArray().Select(c => c!.ToString()));
        Assert.Equal("postgresql://spacetime:$(POSTGRES_PASSWORD)@postgres:5432/spacetime", env["DATABASE_URL"]["value"]!.GetValue<string>());
        Assert.Equal("spacetime-secrets", env["POSTGRES_PASSWORD"]["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>());
        Assert.Equal("POSTGRES_PASSWORD", env["POSTGRES_PASSWORD"]["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>());

        // Only its own backups volume (and /tmp): no game data claim, so no need to share the game's node.
        Assert.Null(job["spec"]!["affinity"]);
        var claims = job["spec"]!["volumes"]!.AsArray().Select(v => v!["persistentVolumeClaim"]?["claimName"]?.GetValue<string>()).OfType<string>();
        Assert.Equal(["spacetime-backups"], claims);
        Assert.Equal(["spacetime-backups"], objects.Where(o => Kind(o) == "PersistentVolumeClaim").Select(Name));

        // Egress is denied by default: a policy selecting the job's pods admits PostgreSQL's port.
        var labels = job["metadata"]!["labels"]!.AsObject();
        Assert.Contains(objects.Where(o => Kind(o) == "NetworkPolicy" && Selects(o["spec"]!["podSelector"]!, labels)), policy =>
            policy["spec"]!["egress"]?.AsArray().Any(rule =>
                rule!["to"]!.AsArray().Any(to => to!["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"]?.GetValue<string>() == "postgres") &&
                rule["ports"]!.AsArray().Any(port => port!["port"]!.ToString() == "5432")) == true);
    }

    [Fact]
    public async Task GamePod_IsNonRootReadOnlyAndProbesTheManagerLifecycle()
    {
        var objects = Documents(await BuildAsync("overlays/production"));
        var pod = Game(objects)["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;

        Assert.Equal("true", pod["securityContext"]!["runAsNonRoot"]!.GetValue<string>());
        Assert.Equal("true", container["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<string>());
        Assert.Equal("false", container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<string>());
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
        var mounts = container["volumeMounts"]!.AsArray().ToDictionary(m => m!["mountPath"]!.GetValue<string>(), m => m!["name"]!.GetValue<string>());
        Assert.Equal(["/var/lib/spacetime", "/tmp"], mounts.Keys);
        Assert.NotNull(pod["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == mounts["/tmp"])!["emptyDir"]);

        // Start-up and readiness wait for READY (/health 200); liveness must survive a game restart (/health 503).
        foreach (var probe in new[] { "startupProbe", "readinessProbe" })
        {
            Assert.Equal("/health", container[probe]!["httpGet"]!["path"]!.GetValue<string>());
            Assert.Equal("manager", container[probe]!["httpGet"]!["port"]!.GetValue<string>());
        }

        Assert.Equal("/livez", container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("manager", container["livenessProbe"]!["httpGet"]!["port"]!.GetValue<string>());
    }

    [Fact]
    public async Task ModelValidator_KnownBadObjects_AreRejected()
    {
        const string bad = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: bad}
            spec:
              selector: {matchLabels: {a: b}}
              template:
                metadata: {labels: {a: b}}
                spec:
                  containers: [{name: c, image: i, ports: [{containerPort: manager}]}]
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            """;

        var result = await ValidateAsync(bad);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("INVALID apps/v1/Deployment bad: data/spec/template/spec/containers/0/ports/0/containerPort must be integer", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("UNKNOWN example.com/v1/Widget w", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kustomize_BrokenTree_FailsToBuild()
    {
        using var temp = new TempFolder();
        await File.WriteAllTextAsync(Path.Combine(temp.Path, "kustomization.yaml"), "resources:\n  - missing.yaml\n", TestContext.Current.CancellationToken);

        var result = await Tool.RunAsync(Kubectl(), ["kustomize", temp.Path], null);

        Assert.NotEqual(0, result.ExitCode);
    }

    internal static async Task<string> BuildAsync(string tree)
    {
        var version = await Tool.RunAsync(Kubectl(), ["version", "--client"], null);
        Assert.True(version.StdOut.Contains("Kustomize Version: v5", StringComparison.Ordinal),
            $"kubectl with kustomize v5 is needed (Debian's kubernetes-client bundles kustomize v2): {version}");
        var result = await Tool.RunAsync(Kubectl(), ["kustomize", RepositoryPaths.Deploy("kubernetes", tree)], null);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.StdErr.Length == 0, $"kustomize warned:\n{result.StdErr}");
        return result.StdOut;
    }

    private static async Task<ToolResult> ValidateAsync(string yaml)
    {
        Tool.RequireNpm("kubernetes-models", "5.1.0");
        Tool.RequireNpm("yaml", "2.9.1");
        return await Tool.RunAsync(Tool.Require("node", "apt-get install nodejs"), [RepositoryPaths.TestFile("Kubernetes", "validate-objects.mjs"), RepositoryPaths.NodeModules], null, null, yaml);
    }

    private static string Kubectl() => Tool.Require("kubectl", "apt-get install kubectl (Google Cloud SDK's package; Debian's kubernetes-client is too old for kustomize v5)");

    /// <summary>The game's StatefulSet (spacetime), the one object the probes, env and volumes belong to.</summary>
    internal static JsonNode Game(IEnumerable<JsonNode> objects) => Assert.Single(objects, o => Kind(o) == "StatefulSet" && Name(o) == "spacetime");

    internal static List<JsonNode> Documents(string yaml) =>
        [.. yaml.Split("\n---\n").Where(d => d.Trim().Length > 0).Select(Yaml.Parse)];

    private static string Kind(JsonNode o) => o["kind"]!.GetValue<string>();

    private static string Name(JsonNode o) => o["metadata"]!["name"]!.GetValue<string>();

    private static bool Selects(JsonNode podSelector, JsonObject labels) =>
        podSelector["matchLabels"]?.AsObject().All(l => labels[l.Key]?.GetValue<string>() == l.Value!.GetValue<string>()) ?? true;

    private static int Number(JsonNode node) => int.Parse(node.ToString(), System.Globalization.CultureInfo.InvariantCulture);
}
