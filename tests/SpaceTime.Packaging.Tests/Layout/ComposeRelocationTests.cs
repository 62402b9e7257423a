using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Tests.Layout;

/// <summary>The Compose file's relative paths, rewritten for where the package puts things.</summary>
public sealed class ComposeRelocationTests
{
    private const string Target = "config/production/compose/docker-compose.yml";

    private static readonly PlannedFile[] Planned =
    [
        new("/r/deploy/compose/docker-compose.yml", "deploy/compose/docker-compose.yml", Target),
        new("/r/deploy/compose/nginx-upstreams.conf", "deploy/compose/nginx-upstreams.conf", "config/production/compose/nginx-upstreams.conf"),
        new("/r/deploy/config/production/.env.template", "deploy/config/production/.env.template", "config/production/.env.template"),
        new("/r/deploy/docker/Dockerfile", "deploy/docker/Dockerfile", "config/production/docker/Dockerfile"),
        new("/r/deploy/monitoring/prometheus/alerts.yml", "deploy/monitoring/prometheus/alerts.yml", "monitoring/prometheus/alerts.yml"),
        new("/r/deploy/monitoring/grafana/dashboards/system.json", "deploy/monitoring/grafana/dashboards/system.json", "monitoring/grafana/dashboards/system.json"),
        new("/r/deploy/nginx/spacetime.conf", "deploy/nginx/spacetime.conf", "config/production/nginx/spacetime.conf"),
        new("/r/deploy/scripts/setup_monitoring.sh", "deploy/scripts/setup_monitoring.sh", "scripts/deployment/setup_monitoring.sh"),
    ];

    [Fact]
    public void Relocate_MapsEveryRepositoryPathToItsPackagePath_AndBuildsTheReleaseTarget()
    {
        const string compose = """
            #   cp ../config/production/.env.template .env && ../scripts/setup_monitoring.sh --env-file .env --compose .
            services:
              spacetime:
                build:
                  context: ../..
                  dockerfile: deploy/docker/Dockerfile
                environment:
                  JWT_SECRET_KEY: ${JWT_SECRET_KEY:?set JWT_SECRET_KEY in deploy/compose/.env}
              nginx:
                volumes:
                  - ../nginx/spacetime.conf:/etc/nginx/conf.d/default.conf:ro
                  - ./nginx-upstreams.conf:/etc/nginx/spacetime/upstreams.conf:ro
                  - ./tls:/etc/nginx/spacetime/tls:ro
              prometheus:
                volumes:
                  - ../monitoring/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro
                  - ../monitoring/grafana/dashboards:/var/lib/grafana/dashboards/spacetime:ro
                  - ./secrets/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro
            """;

        var relocated = ComposeRelocation.Relocate(compose, Target, Planned);

        Assert.Equal("""
            #   cp ../.env.template .env && ../../../scripts/deployment/setup_monitoring.sh --env-file .env --compose .
            services:
              spacetime:
                build:
                  context: ../../..
                  dockerfile: config/production/docker/Dockerfile
                  target: release
                environment:
                  JWT_SECRET_KEY: ${JWT_SECRET_KEY:?set JWT_SECRET_KEY in config/production/compose/.env}
              nginx:
                volumes:
                  - ../nginx/spacetime.conf:/etc/nginx/conf.d/default.conf:ro
                  - ./nginx-upstreams.conf:/etc/nginx/spacetime/upstreams.conf:ro
                  - ./tls:/etc/nginx/spacetime/tls:ro
              prometheus:
                volumes:
                  - ../../../monitoring/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro
                  - ../../../monitoring/grafana/dashboards:/var/lib/grafana/dashboards/spacetime:ro
                  - ./secrets/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro
            """, relocated);
    }

    [Fact]
    public void Relocate_DockerfileNotPackaged_IsRefusedByName()
    {
        const string compose = "services:\n  spacetime:\n    build:\n      context: ../..\n      dockerfile: deploy/docker/Missing\n";

        var e = Assert.Throws<PackagingException>(() => ComposeRelocation.Relocate(compose, Target, Planned));

        Assert.Contains("deploy/docker/Missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Relocate_PathOutsideTheRepository_IsRefused()
    {
        var e = Assert.Throws<PackagingException>(() => ComposeRelocation.Relocate("      - ../../../etc/passwd:/x:ro", Target, Planned));

        Assert.Contains("outside the repository", e.Message, StringComparison.Ordinal);
    }
}
