namespace SpaceTime.Engine.Formats;

/// <summary>A Godot text file could not be read. Carries the file, 1-based line and column.</summary>
public sealed class GodotParseException(string file, int line, int column, string reason)
    : Exception($"{file}:{line}:{column}: {reason}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string Reason { get; } = reason;
}
