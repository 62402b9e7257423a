namespace SpaceTime.Engine.Tests;

/// <summary>The engine's test data: the demo game and the corpus of real Godot 4 projects.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot => RepositoryPaths.Root;

    public static string DemoProject => RepositoryPaths.DemoProject;

    /// <summary>The shared corpus of real Godot 4 projects (MIT), beside the repository.</summary>
    public static string GodotDemoProjects => Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "testdata", "godot-demo-projects"));
}
