using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Scenes;

/// <summary>A scene file found in the project.</summary>
public sealed record SceneFileInfo(string Name, string Path, long SizeBytes, DateTimeOffset Modified);

/// <summary>A Godot project folder: its <c>project.godot</c> settings and its scenes.</summary>
public sealed class GodotProject
{
    private GodotProject(string root, ProjectSettings settings)
    {
        Root = root;
        Settings = settings;
        Loader = new SceneLoader(root);
    }

    public string Root { get; }

    public ProjectSettings Settings { get; }

    public SceneLoader Loader { get; }

    /// <summary>Opens a project folder; a missing folder or project.godot, or a bad project.godot, is a clear error.</summary>
    public static GodotProject Open(string folder)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new SceneLoadException(SceneLoadFailure.NotFound, $"project folder not found: {root}", root);
        }

        var file = Path.Combine(root, "project.godot");
        if (!File.Exists(file))
        {
            throw new SceneLoadException(SceneLoadFailure.NotFound, $"not a Godot project: no project.godot in {root}", file);
        }

        try
        {
            return new GodotProject(root, ProjectSettings.Load(file));
        }
        catch (GodotParseException e)
        {
            throw new SceneLoadException(SceneLoadFailure.ParseError, e.Message, e.File, e.Line, e.Column, e);
        }
    }

    /// <summary>Scenes under a <c>res://</c> folder, sorted by path; <c>addons/</c> only when asked.</summary>
    public IReadOnlyList<SceneFileInfo> ListScenes(string resFolder, bool includeAddons)
    {
        if (!ResourcePath.TryCanonicalize(resFolder, out var canonical, out var error))
        {
            throw new SceneLoadException(SceneLoadFailure.InvalidPath, $"invalid folder '{resFolder}': {error}");
        }

        var folder = ResourcePath.ToFileSystemPath(Root, canonical);
        if (!Directory.Exists(folder))
        {
            throw new SceneLoadException(SceneLoadFailure.NotFound, $"folder not found: {canonical}", canonical);
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        return Directory.EnumerateFiles(folder, "*.tscn", options)
            .Select(f => new FileInfo(f))
            .Select(f => new SceneFileInfo(Path.GetFileNameWithoutExtension(f.Name), ResourcePath.FromFileSystemPath(Root, f.FullName), f.Length, f.LastWriteTimeUtc))
            .Where(s => includeAddons || !s.Path.StartsWith("res://addons/", StringComparison.Ordinal))
            .OrderBy(s => s.Path, StringComparer.Ordinal)
            .ToList();
    }
}
