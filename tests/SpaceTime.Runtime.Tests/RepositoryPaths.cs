namespace SpaceTime.Runtime.Tests;

/// <summary>Locates the repository from the test binary, so tests run from any working directory.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string DemoProject => Path.Combine(Root, "project");

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
