namespace SpaceTime.Engine.Scenes;

public enum SceneLoadFailure
{
    /// <summary>The path is not an acceptable <c>res://</c> scene path.</summary>
    InvalidPath,

    /// <summary>The scene, or a scene it instances, does not exist.</summary>
    NotFound,

    /// <summary>A file could not be parsed.</summary>
    ParseError,

    /// <summary>Scenes instance each other in a cycle.</summary>
    Cycle,

    /// <summary>The scene parsed but cannot be built into a tree.</summary>
    Invalid,
}

/// <summary>A scene could not be loaded; the message names the file (and line and column for parse errors).</summary>
public sealed class SceneLoadException(SceneLoadFailure failure, string message, string? file = null, int? line = null, int? column = null, Exception? inner = null)
    : Exception(message, inner)
{
    public SceneLoadFailure Failure { get; } = failure;

    public string? File { get; } = file;

    public int? Line { get; } = line;

    public int? Column { get; } = column;
}
