using SpaceTime.Engine.Formats;
using SpaceTime.Engine.Scenes;

namespace SpaceTime.Engine.Validation;

public enum ProblemSeverity
{
    Error,
    Warning,
}

/// <summary>One finding, printed the way compilers do: <c>file:line:column: error: message</c>.</summary>
public sealed record ValidationProblem(string File, int? Line, int? Column, ProblemSeverity Severity, string Message)
{
    public override string ToString()
    {
        var where = Line is { } line ? Column is { } column ? $"{File}:{line}:{column}" : $"{File}:{line}" : File;
        return $"{where}: {(Severity == ProblemSeverity.Error ? "error" : "warning")}: {Message}";
    }
}

/// <summary>What <see cref="SceneValidator"/> checked and found.</summary>
public sealed record ValidationReport(int Projects, int Scenes, int Resources, IReadOnlyList<ValidationProblem> Problems)
{
    public int FilesChecked => Projects + Scenes + Resources;

    /// <summary>Every file checked, in the order checked (full paths).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    public int Errors => Problems.Count(p => p.Severity == ProblemSeverity.Error);

    public int Warnings => Problems.Count(p => p.Severity == ProblemSeverity.Warning);
}

/// <summary>
/// Checks Godot projects and scenes the way the original CI did with Godot's own scripts: every <c>project.godot</c>
/// parses and names a main scene that exists; every <c>.tres</c> parses; every <c>.tscn</c> parses and, inside a
/// project, builds into a node tree (instanced scenes exist, no cycles). Folders are searched recursively, skipping
/// hidden folders such as Godot's <c>.godot</c> cache.
/// </summary>
public static class SceneValidator
{
    /// <summary>Validates files and folders; a path that does not exist is itself an error.</summary>
    public static ValidationReport Validate(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var problems = new List<ValidationProblem>();
        var loaders = new Dictionary<string, SceneLoader>(StringComparer.Ordinal);
        var files = new List<string>();
        int projects = 0, scenes = 0, resources = 0;
        foreach (var file in ExpandFiles(paths, problems))
        {
            files.Add(file);
            switch (Path.GetExtension(file))
            {
                case ".godot":
                    projects++;
                    ValidateProject(file, problems);
                    break;
                case ".tscn":
                    scenes++;
                    ValidateScene(file, loaders, problems);
                    break;
                default:
                    resources++;
                    Parse(file, problems);
                    break;
            }
        }

        return new ValidationReport(projects, scenes, resources, problems) { Files = files };
    }

    private static IEnumerable<string> ExpandFiles(IEnumerable<string> paths, List<ValidationProblem> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            if (File.Exists(full))
            {
                if (IsCheckedFile(full))
                {
                    if (seen.Add(full))
                    {
                        yield return full;
                    }
                }
                else
                {
                    problems.Add(new ValidationProblem(path, null, null, ProblemSeverity.Error, "not a Godot scene, resource or project file (.tscn, .tres, project.godot)"));
                }
            }
            else if (Directory.Exists(full))
            {
                foreach (var file in EnumerateFolder(full).Where(seen.Add))
                {
                    yield return file;
                }
            }
            else
            {
                problems.Add(new ValidationProblem(path, null, null, ProblemSeverity.Error, "no such file or folder"));
            }
        }
    }

    private static IEnumerable<string> EnumerateFolder(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder).Where(IsCheckedFile).Order(StringComparer.Ordinal))
        {
            yield return file;
        }

        foreach (var child in Directory.EnumerateDirectories(folder).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            foreach (var file in EnumerateFolder(child))
            {
                yield return file;
            }
        }
    }

    private static bool IsCheckedFile(string file) =>
        Path.GetFileName(file) == "project.godot" || Path.GetExtension(file) is ".tscn" or ".tres";

    private static void ValidateProject(string file, List<ValidationProblem> problems)
    {
        ProjectSettings settings;
        try
        {
            settings = ProjectSettings.Load(file);
        }
        catch (GodotParseException e)
        {
            problems.Add(new ValidationProblem(file, e.Line, e.Column, ProblemSeverity.Error, e.Reason));
            return;
        }

        // Godot 4.4+ may name the main scene by uid://, which only the editor's cache resolves.
        if (settings.MainScene is not { Length: > 0 } main || main.StartsWith("uid://", StringComparison.Ordinal))
        {
            return;
        }

        var root = Path.GetDirectoryName(file)!;
        if (!ResourcePath.TryCanonicalize(main, out var canonical, out var error))
        {
            problems.Add(new ValidationProblem(file, null, null, ProblemSeverity.Error, $"main scene '{main}' is not a valid path: {error}"));
        }
        else if (!File.Exists(ResourcePath.ToFileSystemPath(root, canonical)))
        {
            problems.Add(new ValidationProblem(file, null, null, ProblemSeverity.Error, $"main scene {canonical} does not exist"));
        }
    }

    private static void ValidateScene(string file, Dictionary<string, SceneLoader> loaders, List<ValidationProblem> problems)
    {
        if (FindProjectRoot(file) is not { } root)
        {
            // Outside a project, res:// references cannot be resolved: check the syntax only.
            Parse(file, problems);
            return;
        }

        if (!loaders.TryGetValue(root, out var loader))
        {
            loaders[root] = loader = new SceneLoader(root);
        }

        try
        {
            var instance = loader.Instantiate(ResourcePath.FromFileSystemPath(root, file));
            problems.AddRange(instance.Warnings.Select(w => new ValidationProblem(file, null, null, ProblemSeverity.Warning, w)));
        }
        catch (SceneLoadException e)
        {
            var where = e.File is { } source && source.StartsWith("res://", StringComparison.Ordinal)
                ? ResourcePath.ToFileSystemPath(root, source)
                : e.File ?? file;
            var message = e.InnerException is GodotParseException parse ? parse.Reason : e.Message;
            problems.Add(new ValidationProblem(where, e.Line, e.Column, ProblemSeverity.Error, message));
        }
    }

    private static void Parse(string file, List<ValidationProblem> problems)
    {
        try
        {
            SceneDocument.Load(file);
        }
        catch (GodotParseException e)
        {
            problems.Add(new ValidationProblem(file, e.Line, e.Column, ProblemSeverity.Error, e.Reason));
        }
    }

    private static string? FindProjectRoot(string file)
    {
        for (var folder = Path.GetDirectoryName(file); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "project.godot")))
            {
                return folder;
            }
        }

        return null;
    }
}
