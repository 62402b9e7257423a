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

    /// <summary>
    /// DEPLOYMENT_CHECKLIST.md: the operations documents' checklists as they apply to SpaceTime (Building/DeploymentChecklist.md),
    /// every command in it one that runs from the extracted package.
    /// </summary>
    public static byte[] DeploymentChecklist(SemanticVersion version)
    {
        using var stream = typeof(ReleaseDocuments).Assembly.GetManifestResourceStream("DeploymentChecklist.md")
            ?? throw new InvalidOperationException("DeploymentChecklist.md is not embedded in SpaceTime.Packaging");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Encoding.UTF8.GetBytes(reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal).Replace("{version}", version.ToString(), StringComparison.Ordinal));
    }
}
