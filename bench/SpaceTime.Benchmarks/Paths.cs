namespace SpaceTime.Benchmarks;

internal static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string DemoProject => Path.Combine(RepositoryRoot, "project");

    public static string Corpus => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "testdata", "godot-demo-projects"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SpaceTime.slnx")))
            {
                return dir.FullName;
            }
        }

        // BenchmarkDotNet runs a generated copy elsewhere; fall back to the working directory.
        return Directory.GetCurrentDirectory();
    }
}
