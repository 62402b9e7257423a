using System.Text;

namespace SpaceTime.Packaging.Tests;

/// <summary>
/// A small repository checkout in a temp folder with everything the source map reads (deploy kit, docs, security settings,
/// restore output naming three NuGet packages with .nuspec files), plus a small "published" application to package with
/// --binaries. Contents are fixed, so two instances package to the same bytes.
/// </summary>
public sealed class FakeRepository : IDisposable
{
    private readonly TempFolder _folder = new();

    private FakeRepository()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Binaries);
    }

    public string Root => _folder.Combine("repo");

    public string Binaries => _folder.Combine("published");

    public string ProjectFile => Path.Combine(Root, "src", "SpaceTime.Cli", "SpaceTime.Cli.csproj");

    public static readonly string[] Scripts = ["deploy", "rollback", "setup_monitoring", "backup", "restore", "migrate_database", "smoke_test"];

    public static FakeRepository Create()
    {
        var repo = new FakeRepository();
        repo.Write("SpaceTime.slnx", "<Solution />\n");
        repo.Write("README.md", "# SpaceTime\n\nThe server side of a VR game.\n");
        repo.Write("docs/ARCHITECTURE.md", "# Architecture\n");
        repo.Write("docs/SECURITY.md", "# Security\n");
        repo.Write("docs/notes.txt", "not markdown, not packaged\n");
        foreach (var environment in new[] { "production", "staging", "development" })
        {
            repo.Write($"deploy/config/{environment}/.env.template", $"GODOT_ENV={environment}\nJWT_SECRET=<GENERATE_32_CHAR_SECRET>\n");
        }

        repo.Write("deploy/config/production/prometheus.yml", "global:\n  scrape_interval: 15s\n");
        foreach (var script in Scripts.Append("health_check"))
        {
            // Written without the execute bit on purpose: the package must make scripts executable whatever the checkout did.
            repo.Write($"deploy/scripts/{script}.sh", $"#!/usr/bin/env bash\nset -euo pipefail\necho {script}\n");
        }

        repo.Write("deploy/scripts/lib/postgres_url.bash", "# shellcheck shell=bash\npostgres_url() { pg_url=$1; }\n");
        repo.Write("deploy/scripts/migrations/001_baseline.sql", "CREATE TABLE IF NOT EXISTS t (id INTEGER);\n");
        repo.Write("deploy/kubernetes/base/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: spacetime\n");
        repo.Write("deploy/kubernetes/base/kustomization.yaml", "resources:\n  - namespace.yaml\n");
        repo.Write("deploy/kubernetes/overlays/production/kustomization.yaml", "resources:\n  - ../../base\n");
        repo.Write("deploy/helm/spacetime/Chart.yaml", "apiVersion: v2\nname: spacetime\nversion: 0.1.0\n");
        repo.Write("deploy/helm/spacetime/templates/deployment.yaml", "kind: Deployment\n");
        repo.Write("deploy/monitoring/prometheus/alerts.yml", "groups: []\n");
        repo.Write("deploy/monitoring/grafana/dashboards/api.json", "{\"title\": \"API\"}\n");
        repo.Write("deploy/monitoring/alertmanager/config.yml", "route:\n  receiver: default\n");
        repo.Write("deploy/nginx/nginx.conf", "events {}\n");
        repo.Write("deploy/systemd/spacetime.service", "[Service]\nExecStart=/opt/spacetime/spacetime manage\n");
        repo.Write("config/security_production.json", "{\"auth_required\": true}\n");
        repo.Write("config/scene_whitelist.json", "{\"production\": [\"res://vr_main.tscn\"]}\n");
        repo.Write("config/production.json", "{\"http_api_port\": 8080}\n");
        repo.WriteAssets();
        repo.WritePublishedApplication();
        return repo;
    }

    public void Write(string relative, string contents) => Write(relative, Encoding.UTF8.GetBytes(contents));

    public void Write(string relative, byte[] contents)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, contents);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }

    public void Delete(string relative)
    {
        var path = Path.Combine(Root, relative);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    /// <summary>Replaces the checkout's config/*.json (and the published copies) with the files of another folder.</summary>
    public void UseConfigFrom(string folder)
    {
        foreach (var target in new[] { Path.Combine(Root, "config"), Path.Combine(Binaries, "config") })
        {
            Directory.Delete(target, recursive: true);
            Directory.CreateDirectory(target);
            foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>An application "published" by hand: an app host (ELF header), a large assembly, its config copied from the checkout.</summary>
    private void WritePublishedApplication()
    {
        var random = new Random(20251202);
        var assembly = new byte[96 * 1024];
        random.NextBytes(assembly);
        File.WriteAllBytes(Path.Combine(Binaries, "spacetime.dll"), assembly);
        var host = new byte[4096];
        random.NextBytes(host);
        "\u007fELF"u8.CopyTo(host);
        File.WriteAllBytes(Path.Combine(Binaries, "spacetime"), host);
        File.WriteAllText(Path.Combine(Binaries, "spacetime.runtimeconfig.json"), "{\"runtimeOptions\": {\"tfm\": \"net10.0\"}}\n");
        Directory.CreateDirectory(Path.Combine(Binaries, "config"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "config")))
        {
            File.Copy(file, Path.Combine(Binaries, "config", Path.GetFileName(file)));
        }

        Directory.CreateDirectory(Path.Combine(Binaries, "project"));
        File.WriteAllText(Path.Combine(Binaries, "project", "vr_main.tscn"), "[gd_scene format=3]\n");
    }

    /// <summary>Restore output naming Alpha (MIT) → Beta (an SPDX expression) → Gamma (licence by URL only), with their .nuspec files.</summary>
    private void WriteAssets()
    {
        var packages = Path.Combine(Root, "nuget-packages") + "/";
        Nuspec(packages, "Alpha", "1.0.0", "<license type=\"expression\">MIT</license>");
        Nuspec(packages, "Beta", "2.1.0", "<license type=\"expression\">MIT OR Apache-2.0</license>");
        Nuspec(packages, "Gamma", "0.3.0", "<licenseUrl>https://example.org/gamma/LICENSE</licenseUrl>");
        var sha512 = Convert.ToBase64String(new byte[64]);
        Write("src/SpaceTime.Cli/obj/project.assets.json", $$"""
            {
              "version": 3,
              "targets": {
                "net10.0": {
                  "Alpha/1.0.0": { "type": "package", "dependencies": { "Beta": "2.1.0" } },
                  "Beta/2.1.0": { "type": "package", "dependencies": { "Gamma": "0.3.0" } },
                  "Gamma/0.3.0": { "type": "package" },
                  "SpaceTime.Runtime/1.0.0": { "type": "project" }
                }
              },
              "libraries": {
                "Alpha/1.0.0": { "sha512": "{{sha512}}", "type": "package", "path": "alpha/1.0.0" },
                "Beta/2.1.0": { "sha512": "{{sha512}}", "type": "package", "path": "beta/2.1.0" },
                "Gamma/0.3.0": { "type": "package", "path": "gamma/0.3.0" },
                "SpaceTime.Runtime/1.0.0": { "type": "project", "path": "../SpaceTime.Runtime/SpaceTime.Runtime.csproj" }
              },
              "packageFolders": { "{{packages}}": {} }
            }
            """);
    }

    private void Nuspec(string packages, string id, string version, string license) =>
        Write(Path.Combine(packages, id.ToLowerInvariant(), version, $"{id.ToLowerInvariant()}.nuspec"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata>
                <id>{id}</id>
                <version>{version}</version>
                {license}
              </metadata>
            </package>
            """);
}
