using System.Text.RegularExpressions;

namespace SpaceTime.Packaging.Layout;

/// <summary>
/// Rewrites the Compose file's relative paths for where the package puts things. In the repository it sits in
/// <c>deploy/compose</c> beside <c>deploy/monitoring</c> and builds the image from the checkout; in the package it sits in
/// <c>config/production/compose</c>, <c>monitoring/</c> is at the top and the image is built from the package's own
/// <c>binaries/</c> (the Dockerfile's <c>release</c> target). Paths to files the operator creates (<c>./secrets</c>,
/// <c>./tls</c>) are left as they are.
/// </summary>
public static partial class ComposeRelocation
{
    /// <summary>The Compose file in the repository.</summary>
    public const string ComposeSource = "deploy/compose/docker-compose.yml";

    /// <summary>The Dockerfile target that builds the image from a package's binaries.</summary>
    public const string ReleaseTarget = "release";

    /// <summary>The Compose file's text as it must read at <paramref name="composeTarget"/> in a package laid out as <paramref name="planned"/>.</summary>
    /// <exception cref="PackagingException">The build context or Dockerfile is not part of the package.</exception>
    public static string Relocate(string text, string composeTarget, IReadOnlyList<PlannedFile> planned)
    {
        var sourceFolder = Folder(ComposeSource);
        var targetFolder = Folder(composeTarget);
        var output = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (BuildContext().Match(line) is { Success: true } context)
            {
                var root = Locate(Normalize($"{sourceFolder}/{context.Groups["path"].Value}"), planned)
                    ?? throw new PackagingException($"{ComposeSource}: the build context {context.Groups["path"].Value} is not in the package");
                output.Add(context.Groups["key"].Value + Relative(targetFolder, root));
            }
            else if (BuildDockerfile().Match(line) is { Success: true } dockerfile)
            {
                // Relative to the build context, which is the repository root and becomes the package root.
                var target = Locate(dockerfile.Groups["path"].Value, planned)
                    ?? throw new PackagingException($"{ComposeSource}: the Dockerfile {dockerfile.Groups["path"].Value} is not in the package");
                output.Add(dockerfile.Groups["key"].Value + target);
                output.Add($"{dockerfile.Groups["indent"].Value}target: {ReleaseTarget}");
            }
            else
            {
                var relocated = RelativePath().Replace(line, m =>
                    Locate(Normalize($"{sourceFolder}/{m.Value}"), planned) is { } target ? Relative(targetFolder, target) : m.Value);
                output.Add(relocated.Replace($"{sourceFolder}/.env", $"{targetFolder}/.env", StringComparison.Ordinal));
            }
        }

        return string.Join('\n', output);
    }

    /// <summary>The package path of a repository file or folder ("" for the repository root), or null when the package has none of it.</summary>
    private static string? Locate(string repositoryPath, IReadOnlyList<PlannedFile> planned)
    {
        if (repositoryPath.Length == 0)
        {
            return "";
        }

        if (planned.FirstOrDefault(f => f.Source == repositoryPath) is { } file)
        {
            return file.Target;
        }

        var inside = planned.FirstOrDefault(f => f.Source.StartsWith(repositoryPath + "/", StringComparison.Ordinal));
        return inside?.Target[..^(inside.Source.Length - repositoryPath.Length)];
    }

    private static string Relative(string fromFolder, string to)
    {
        var relative = Path.GetRelativePath("/" + fromFolder, "/" + to).Replace('\\', '/');
        return relative == "." || relative.StartsWith("../", StringComparison.Ordinal) || relative == ".." ? relative : "./" + relative;
    }

    private static string Folder(string path) => path[..Math.Max(0, path.LastIndexOf('/'))];

    /// <summary>A repository-relative path with <c>.</c> and <c>..</c> segments resolved ("" for the root).</summary>
    private static string Normalize(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    throw new PackagingException($"{ComposeSource}: {path} points outside the repository");
                }

                segments.RemoveAt(segments.Count - 1);
            }
            else
            {
                segments.Add(segment);
            }
        }

        return string.Join('/', segments);
    }

    [GeneratedRegex(@"^(?<key>\s+context:\s*)(?<path>\S+)\s*$")]
    private static partial Regex BuildContext();

    [GeneratedRegex(@"^(?<key>(?<indent>\s+)dockerfile:\s*)(?<path>\S+)\s*$")]
    private static partial Regex BuildDockerfile();

    [GeneratedRegex(@"(?<![\w./-])\.\.?/[\w.-]+(?:/[\w.-]+)*")]
    private static partial Regex RelativePath();
}
