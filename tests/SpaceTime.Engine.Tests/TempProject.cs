namespace SpaceTime.Engine.Tests;

/// <summary>A throwaway Godot project folder under the temp directory, deleted on dispose.</summary>
internal sealed class TempProject : IDisposable
{
    public const string DefaultSettings = """
        config_version=5

        [application]

        config/name="Temp"
        """;

    public TempProject(string projectGodot = DefaultSettings)
    {
        Root = Path.Combine(Path.GetTempPath(), "spacetime-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Write("project.godot", projectGodot);
    }

    public string Root { get; }

    /// <summary>Writes a file at a path relative to the project root, creating folders as needed.</summary>
    public string Write(string relativePath, string text)
    {
        var file = Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test on cleanup.
        }
    }
}
