namespace SpaceTime.Engine.Tests;

/// <summary>Locates the repository's folders from the test binary, so tests run from any working directory.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string DemoProject => Path.Combine(RepositoryRoot, "project");

    /// <summary>The shared corpus of real Godot 4 projects (MIT), beside the repository.</summary>
    public static string GodotDemoProjects => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "testdata", "godot-demo-projects"));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SpaceTime.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SpaceTime.slnx not found above " + AppContext.BaseDirectory);
    }
}
