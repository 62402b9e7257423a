using SpaceTime.Engine.Formats;

namespace SpaceTime.Cli.Ci;

/// <summary>
/// The game repository a CI job runs in (the current folder): where its Godot project, main scene and scenarios are, and the
/// release version a tag pipeline builds. Hidden folders (.git, the runners' own .gitlab-ci-local) are never searched.
/// </summary>
internal sealed class CiRepository(string root)
{
    /// <summary>Scenario files for <c>spacetime scenario run</c>: <c>scenarios/*.json</c> at the repository root, as in SpaceTime's own.</summary>
    public const string ScenariosFolder = "scenarios";

    private const int ProjectSearchDepth = 3;

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The folder given, or else the first folder (by path) within three levels holding a <c>project.godot</c>.</summary>
    public string ProjectFolder(string? given)
    {
        if (given is not null)
        {
            return File.Exists(Path.Combine(given, "project.godot"))
                ? Path.GetFullPath(given)
                : throw new ArgumentException($"SPACETIME_PROJECT_DIR / --project {given} holds no project.godot", "project");
        }

        return FindProjects(Root, 0).Order(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new ArgumentException($"no project.godot in {Root} or the folders below it (set SPACETIME_PROJECT_DIR or --project)", "project");
    }

    /// <summary>The scene given, or the project's <c>application/run/main_scene</c>.</summary>
    public static string MainScene(string projectFolder, string? given)
    {
        if (given is not null)
        {
            return given;
        }

        var file = Path.Combine(projectFolder, "project.godot");
        return ProjectSettings.Load(file).MainScene is { Length: > 0 } scene
            ? scene
            : throw new ArgumentException($"{file} names no application/run/main_scene (set SPACETIME_SCENE or --scene)", "scene");
    }

    /// <summary>The repository's scenario files, sorted; none when it has no <see cref="ScenariosFolder"/>.</summary>
    public IReadOnlyList<string> Scenarios()
    {
        var folder = Path.Combine(Root, ScenariosFolder);
        return Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal)] : [];
    }

    /// <summary>
    /// The release version: the one given, else the tag of the pipeline (GitLab's <c>CI_COMMIT_TAG</c>, GitHub's
    /// <c>GITHUB_REF_NAME</c> when <c>GITHUB_REF_TYPE</c> is tag), without a leading <c>v</c>.
    /// </summary>
    public static string ReleaseVersion(string? given, Func<string, string?> variable)
    {
        var version = given ?? variable("CI_COMMIT_TAG") ?? (variable("GITHUB_REF_TYPE") == "tag" ? variable("GITHUB_REF_NAME") : null);
        return version is { Length: > 0 }
            ? version.StartsWith('v') ? version[1..] : version
            : throw new ArgumentException("no release version: run on a tag, or set SPACETIME_VERSION or --version", "version");
    }

    private static IEnumerable<string> FindProjects(string folder, int depth)
    {
        if (File.Exists(Path.Combine(folder, "project.godot")))
        {
            yield return folder;
        }

        if (depth >= ProjectSearchDepth - 1)
        {
            yield break;
        }

        foreach (var child in Directory.EnumerateDirectories(folder).Where(d => !Path.GetFileName(d).StartsWith('.')))
        {
            foreach (var found in FindProjects(child, depth + 1))
            {
                yield return found;
            }
        }
    }
}
