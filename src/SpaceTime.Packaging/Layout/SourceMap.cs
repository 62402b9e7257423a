namespace SpaceTime.Packaging.Layout;

public enum SourceKind
{
    /// <summary>One file.</summary>
    File,

    /// <summary>Every file under a folder, recursively, keeping its relative path.</summary>
    Tree,

    /// <summary>The Markdown files directly in a folder.</summary>
    MarkdownFiles,
}

/// <summary>Where something in the repository goes in the package. Required rules name sources a release cannot do without.</summary>
public sealed record SourceRule(string Source, string Target, SourceKind Kind, bool Required);

/// <summary>A repository file and the package path it is copied to.</summary>
public sealed record PlannedFile(string SourcePath, string Source, string Target);

/// <summary>The mapping from the repository checkout (deploy kit, docs, security settings) into the package layout.</summary>
public static class SourceMap
{
    private static readonly string[] Environments = ["production", "staging", "development"];

    private static readonly string[] ProductionConfigTrees = ["docker", "compose", "nginx", "systemd", "supervisor", "logrotate"];

    public static IReadOnlyList<SourceRule> Default { get; } =
    [
        .. Environments.Select(e => new SourceRule($"deploy/config/{e}/.env.template", $"config/{e}/.env.template", SourceKind.File, Required: true)),
        new("deploy/config", "config", SourceKind.Tree, Required: false),
        Script("deploy.sh", "scripts/deployment"),
        Script("rollback.sh", "scripts/deployment"),
        Script("setup_monitoring.sh", "scripts/deployment"),
        Script("backup.sh", "scripts/maintenance"),
        Script("restore.sh", "scripts/maintenance"),
        // Sourced by backup.sh, restore.sh and migrate_database.sh from lib/ beside them.
        new("deploy/scripts/lib", "scripts/maintenance/lib", SourceKind.Tree, Required: true),
        Script("health_check.sh", "scripts/maintenance", required: false),
        Script("migrate_database.sh", "scripts/migration"),
        new("deploy/scripts/lib", "scripts/migration/lib", SourceKind.Tree, Required: true),
        new("deploy/scripts/migrations", "scripts/migration/migrations", SourceKind.Tree, Required: true),
        Script("smoke_test.sh", "tests/smoke"),
        new("deploy/kubernetes", "kubernetes", SourceKind.Tree, Required: true),
        new("deploy/helm", "kubernetes/helm", SourceKind.Tree, Required: false),
        new("deploy/monitoring", "monitoring", SourceKind.Tree, Required: true),
        .. ProductionConfigTrees.Select(t => new SourceRule($"deploy/{t}", $"config/production/{t}", SourceKind.Tree, Required: false)),
        new("README.md", "docs/README.md", SourceKind.File, Required: true),
        new("deploy/README.md", "docs/deployment/README.md", SourceKind.File, Required: false),
        new("docs", "docs", SourceKind.MarkdownFiles, Required: false),
        new("config/security_production.json", "security/policies/security_production.json", SourceKind.File, Required: true),
        new("config/scene_whitelist.json", "security/policies/scene_whitelist.json", SourceKind.File, Required: true),
    ];

    /// <summary>The files to copy, sorted by package path.</summary>
    /// <exception cref="MissingSourcesException">Required sources are absent (all of them are named).</exception>
    /// <exception cref="PackagingException">A source is a symbolic link, or two sources land on the same package path.</exception>
    public static IReadOnlyList<PlannedFile> Resolve(string sourceRoot, IReadOnlyList<SourceRule>? rules = null)
    {
        var missing = new List<string>();
        var planned = new SortedDictionary<string, PlannedFile>(StringComparer.Ordinal);
        foreach (var rule in rules ?? Default)
        {
            var found = Expand(sourceRoot, rule).ToList();
            if (found.Count == 0 && rule.Required)
            {
                missing.Add(rule.Kind == SourceKind.File ? rule.Source : $"{rule.Source}/ (a folder with at least one file)");
            }

            foreach (var file in found)
            {
                if (PackagePath.Problem(file.Target) is { } why)
                {
                    throw new PackagingException($"{file.Source} cannot be packaged: {why}");
                }

                if (SecretLooking(file.Source) is { } secret)
                {
                    throw new PackagingException(
                        $"{file.Source} looks like a secret ({secret}); a release package never holds one. Move it out of the checkout (operators keep .env files, keys and certificates on the hosts).");
                }

                if (planned.TryGetValue(file.Target, out var other) && other.Source != file.Source)
                {
                    throw new PackagingException($"{other.Source} and {file.Source} would both become {file.Target} in the package");
                }

                planned[file.Target] = file;
            }
        }

        return missing.Count > 0 ? throw new MissingSourcesException(sourceRoot, missing) : [.. planned.Values];
    }

    /// <summary>
    /// Why a repository path looks like a deployment secret an operator created in the checkout (the Compose
    /// <c>.env</c>, <c>secrets/</c>, TLS keys), or null. Templates (<c>.env.template</c>, <c>.env.example</c>) are fine.
    /// </summary>
    public static string? SecretLooking(string repositoryPath)
    {
        var segments = repositoryPath.Split('/');
        var name = segments[^1];
        if (name == ".env" || (name.StartsWith(".env.", StringComparison.Ordinal) && name is not (".env.template" or ".env.example")))
        {
            return "an environment file with real values";
        }

        if (segments[..^1].Any(s => s is "secrets" or "tls" or "private"))
        {
            return $"it is in a '{segments[..^1].First(s => s is "secrets" or "tls" or "private")}' folder";
        }

        string[] keyExtensions = [".key", ".pem", ".p12", ".pfx", ".jks", ".keystore"];
        return keyExtensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)) || name.Contains("secret.asc", StringComparison.OrdinalIgnoreCase)
            ? "a key or certificate file"
            : null;
    }

    private static SourceRule Script(string name, string folder, bool required = true) =>
        new($"deploy/scripts/{name}", $"{folder}/{name}", SourceKind.File, required);

    private static IEnumerable<PlannedFile> Expand(string root, SourceRule rule)
    {
        var full = Path.Combine(root, rule.Source);
        switch (rule.Kind)
        {
            case SourceKind.File:
                if (File.Exists(full))
                {
                    RejectLink(full, rule.Source);
                    yield return new PlannedFile(full, rule.Source, rule.Target);
                }

                break;
            case SourceKind.Tree when Directory.Exists(full):
                RejectLink(full, rule.Source);
                foreach (var file in Walk(full, rule.Source))
                {
                    var relative = PackagePath.FromRelative(Path.GetRelativePath(full, file));
                    yield return new PlannedFile(file, $"{rule.Source}/{relative}", $"{rule.Target}/{relative}");
                }

                break;
            case SourceKind.MarkdownFiles when Directory.Exists(full):
                foreach (var file in Directory.EnumerateFiles(full, "*.md").Order(StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(file);
                    RejectLink(file, $"{rule.Source}/{name}");
                    yield return new PlannedFile(file, $"{rule.Source}/{name}", $"{rule.Target}/{name}");
                }

                break;
        }
    }

    /// <summary>Files under a folder; links are refused rather than followed, so nothing outside the checkout slips in.</summary>
    private static IEnumerable<string> Walk(string folder, string shownAs)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var shown = $"{shownAs}/{entry.Name}";
            RejectLink(entry.FullName, shown);
            if (entry is DirectoryInfo)
            {
                foreach (var file in Walk(entry.FullName, shown))
                {
                    yield return file;
                }
            }
            else if (entry is FileInfo info && RegularFile.Is(info.FullName))
            {
                yield return info.FullName;
            }
            else
            {
                throw new PackagingException($"{shown} is not a regular file");
            }
        }
    }

    private static void RejectLink(string path, string shownAs)
    {
        if (new FileInfo(path).LinkTarget is { } target)
        {
            throw new PackagingException($"{shownAs} is a symbolic link (to {target}); a package holds regular files only");
        }
    }
}
