using System.Text;
using SpaceTime.Packaging.Manifest;

namespace SpaceTime.Packaging.Building;

/// <summary>RELEASE_NOTES.md and DEPLOYMENT_CHECKLIST.md, written from what the build knows (version, provenance, contents).</summary>
public static class ReleaseDocuments
{
    public static byte[] ReleaseNotes(SemanticVersion version, DateTimeOffset buildDate, GitCheckout git, int dependencyCount, string? signerFingerprint)
    {
        var text = new StringBuilder();
        text.Append($"# SpaceTime VR {version}\n\n");
        text.Append($"Built {PackageManifest.FormatDate(buildDate)} from commit `{git.Commit}` (branch `{git.Branch}`).\n\n");
        text.Append("## Contents\n\n");
        text.Append("| folder | what it holds |\n|---|---|\n");
        text.Append("| `binaries/` | the `spacetime` server (framework-dependent .NET, linux-x64; needs the ASP.NET Core 10 runtime), its config and `VERSION.txt` |\n");
        text.Append("| `config/` | `.env.template` per environment; production service files (docker, compose, nginx, systemd...) |\n");
        text.Append("| `scripts/` | deployment, maintenance (backup/restore) and migration scripts |\n");
        text.Append("| `kubernetes/` | manifests and the Helm chart |\n");
        text.Append("| `monitoring/` | Prometheus, alert rules, Alertmanager, Grafana dashboards |\n");
        text.Append("| `docs/` | README and operator documentation |\n");
        text.Append("| `tests/smoke/` | the post-deployment smoke test |\n");
        text.Append($"| `security/` | security policies, the SBOM (`sbom.cdx.json`, {dependencyCount} NuGet packages with licences){(signerFingerprint is null ? "" : " and the release public key")} |\n\n");
        text.Append("## Changes\n\n");
        if (git.RecentChanges.Count == 0)
        {
            text.Append("No change history: the package was built outside a git checkout.\n");
        }
        else
        {
            foreach (var change in git.RecentChanges)
            {
                text.Append("- ").Append(change).Append('\n');
            }
        }

        text.Append("\n## Verifying this release\n\n");
        if (signerFingerprint is null)
        {
            text.Append("This package is **not signed**: only its checksums can be checked.\n\n");
        }
        else
        {
            text.Append($"SHA256SUMS is signed by OpenPGP key `{signerFingerprint}`. Get that key from a trusted channel (not from this package), then:\n\n");
        }

        text.Append("```sh\nsha256sum -c SHA256SUMS\n");
        if (signerFingerprint is not null)
        {
            text.Append("gpg --import spacetime-release.public.asc && gpg --verify SHA256SUMS.asc SHA256SUMS\n");
            text.Append("spacetime package verify . --public-key spacetime-release.public.asc\n");
        }
        else
        {
            text.Append("spacetime package verify . --allow-unsigned\n");
        }

        text.Append("```\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static byte[] DeploymentChecklist(SemanticVersion version) => Encoding.UTF8.GetBytes(
        $"""
        # Deployment checklist — SpaceTime VR {version}

        ## Before
        - [ ] The package verifies against the release key from a trusted channel: `spacetime package verify spacetime-vr-v{version}.tar.gz --public-key KEY`
        - [ ] `sha256sum -c SHA256SUMS` passes in the package folder
        - [ ] Release notes read; breaking changes planned for
        - [ ] `config/<environment>/.env.template` copied to `.env` and every `<PLACEHOLDER>` replaced (no default secrets)
        - [ ] Security policy reviewed: `security/policies/security_production.json`, `security/policies/scene_whitelist.json`
        - [ ] SBOM (`security/sbom.cdx.json`) checked for known-vulnerable packages
        - [ ] A fresh backup taken: `scripts/maintenance/backup.sh`
        - [ ] Staging deployed and smoke-tested with this exact package

        ## Deploy
        - [ ] `scripts/migration/migrate_database.sh` (if the release notes list migrations)
        - [ ] `scripts/deployment/deploy.sh production`
        - [ ] `tests/smoke/smoke_test.sh` passes against production
        - [ ] Monitoring shows the new version healthy (dashboards in `monitoring/`, no firing alerts)

        ## If something is wrong
        - [ ] `scripts/deployment/rollback.sh production`
        - [ ] `scripts/maintenance/restore.sh` if data must be restored
        - [ ] Incident written up

        """.Replace("\r\n", "\n", StringComparison.Ordinal));
}
