using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Tests.Layout;

public sealed class SourceMapTests
{
    [Fact]
    public void Resolve_FullCheckout_PutsEachSourceWhereTheLayoutSays()
    {
        using var repo = FakeRepository.Create();

        var targets = SourceMap.Resolve(repo.Root).ToDictionary(f => f.Target, f => f.Source);

        Assert.Equal("deploy/config/production/.env.template", targets["config/production/.env.template"]);
        Assert.Equal("deploy/config/production/prometheus.yml", targets["config/production/prometheus.yml"]);
        Assert.Equal("deploy/scripts/deploy.sh", targets["scripts/deployment/deploy.sh"]);
        Assert.Equal("deploy/scripts/setup_monitoring.sh", targets["scripts/deployment/setup_monitoring.sh"]);
        Assert.Equal("deploy/scripts/backup.sh", targets["scripts/maintenance/backup.sh"]);
        Assert.Equal("deploy/scripts/health_check.sh", targets["scripts/maintenance/health_check.sh"]);
        Assert.Equal("deploy/scripts/lib/postgres_url.bash", targets["scripts/maintenance/lib/postgres_url.bash"]);
        Assert.Equal("deploy/scripts/migrate_database.sh", targets["scripts/migration/migrate_database.sh"]);
        Assert.Equal("deploy/scripts/lib/postgres_url.bash", targets["scripts/migration/lib/postgres_url.bash"]);
        Assert.Equal("deploy/scripts/smoke_test.sh", targets["tests/smoke/smoke_test.sh"]);
        Assert.Equal("deploy/kubernetes/overlays/production/kustomization.yaml", targets["kubernetes/overlays/production/kustomization.yaml"]);
        Assert.Equal("deploy/helm/spacetime/Chart.yaml", targets["kubernetes/helm/spacetime/Chart.yaml"]);
        Assert.Equal("deploy/monitoring/grafana/dashboards/api.json", targets["monitoring/grafana/dashboards/api.json"]);
        Assert.Equal("deploy/nginx/nginx.conf", targets["config/production/nginx/nginx.conf"]);
        Assert.Equal("deploy/systemd/spacetime.service", targets["config/production/systemd/spacetime.service"]);
        Assert.Equal("README.md", targets["docs/README.md"]);
        Assert.Equal("docs/ARCHITECTURE.md", targets["docs/ARCHITECTURE.md"]);
        Assert.Equal("config/security_production.json", targets["security/policies/security_production.json"]);
        Assert.Equal("config/scene_whitelist.json", targets["security/policies/scene_whitelist.json"]);
        Assert.DoesNotContain("docs/notes.txt", targets.Keys);
        Assert.DoesNotContain(targets.Keys, t => t.StartsWith("binaries/", StringComparison.Ordinal));
        Assert.Equal(targets.Keys.Order(StringComparer.Ordinal), SourceMap.Resolve(repo.Root).Select(f => f.Target));
    }

    [Fact]
    public void Resolve_OptionalSourcesAbsent_StillResolves()
    {
        using var repo = FakeRepository.Create();
        foreach (var optional in new[] { "deploy/helm", "deploy/nginx", "deploy/systemd", "deploy/scripts/health_check.sh", "docs", "deploy/config/production/prometheus.yml" })
        {
            repo.Delete(optional);
        }

        var targets = SourceMap.Resolve(repo.Root).Select(f => f.Target).ToList();

        Assert.Contains("config/production/.env.template", targets);
        Assert.DoesNotContain(targets, t => t.StartsWith("kubernetes/helm/", StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_RequiredSourcesMissing_NamesEveryOne()
    {
        using var repo = FakeRepository.Create();
        repo.Delete("deploy/scripts/rollback.sh");
        repo.Delete("deploy/config/staging/.env.template");
        repo.Delete("deploy/monitoring");
        repo.Delete("README.md");

        var error = Assert.Throws<MissingSourcesException>(() => SourceMap.Resolve(repo.Root));

        Assert.Equal(["deploy/config/staging/.env.template", "deploy/scripts/rollback.sh", "deploy/monitoring/ (a folder with at least one file)", "README.md"], error.Paths);
        Assert.Contains(repo.Root, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EmptyRequiredFolder_CountsAsMissing()
    {
        using var repo = FakeRepository.Create();
        repo.Delete("deploy/kubernetes");
        Directory.CreateDirectory(Path.Combine(repo.Root, "deploy/kubernetes/base"));

        var error = Assert.Throws<MissingSourcesException>(() => SourceMap.Resolve(repo.Root));

        Assert.Contains(error.Paths, p => p.StartsWith("deploy/kubernetes/", StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_SymbolicLinkInTheDeployKit_IsRefused()
    {
        using var repo = FakeRepository.Create();
        File.CreateSymbolicLink(Path.Combine(repo.Root, "deploy/monitoring/passwd"), "/etc/passwd");

        var error = Assert.Throws<PackagingException>(() => SourceMap.Resolve(repo.Root));

        Assert.Contains("deploy/monitoring/passwd is a symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy/compose/.env")]
    [InlineData("deploy/config/production/.env")]
    [InlineData("deploy/compose/secrets/metrics_token")]
    [InlineData("deploy/compose/tls/fullchain.txt")]
    [InlineData("deploy/nginx/server.key")]
    [InlineData("deploy/monitoring/grafana/admin.PEM")]
    public void Resolve_SecretLeftInTheDeployKit_IsRefusedNamingIt(string secret)
    {
        using var repo = FakeRepository.Create();
        repo.Write(secret, "s3cr3t-value\n");

        var error = Assert.Throws<PackagingException>(() => SourceMap.Resolve(repo.Root));

        Assert.Contains($"{secret} looks like a secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy/config/production/.env.template")]
    [InlineData("deploy/compose/.env.example")]
    [InlineData("deploy/kubernetes/base/secret.yaml")]
    public void SecretLooking_TemplatesAndManifests_AreNotSecrets(string path) => Assert.Null(SourceMap.SecretLooking(path));

    [Fact]
    public void Resolve_TwoSourcesForOnePackagePath_IsRefused()
    {
        using var repo = FakeRepository.Create();
        repo.Write("deploy/kubernetes/helm/spacetime/Chart.yaml", "name: other\n");

        var error = Assert.Throws<PackagingException>(() => SourceMap.Resolve(repo.Root));

        Assert.Contains("kubernetes/helm/spacetime/Chart.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredFiles_CoverEveryRequiredFileRule()
    {
        foreach (var rule in SourceMap.Default.Where(r => r.Required && r.Kind == SourceKind.File))
        {
            Assert.Contains(rule.Target, PackageLayout.RequiredFiles);
        }
    }
}
