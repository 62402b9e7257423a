namespace SpaceTime.Testing;

/// <summary>The checkout the tests were built from (found from the test binary, so tests run from any working directory).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The bundled demo game.</summary>
    public static string DemoProject => Path(["project"]);

    public static string CliProject => Path("src", "SpaceTime.Cli", "SpaceTime.Cli.csproj");

    /// <summary>npm tools test.sh installs (dockerfilelint, kubernetes-models...): <c>$SPACETIME_TOOLS_DIR</c> or <c>.tools/node_modules</c>.</summary>
    public static string NodeModules { get; } =
        Environment.GetEnvironmentVariable("SPACETIME_TOOLS_DIR") is { Length: > 0 } tools ? tools : Path(".tools", "node_modules");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string Deploy(params string[] parts) => System.IO.Path.Combine([Root, "deploy", .. parts]);

    /// <summary>A file copied beside the tests (validator scripts).</summary>
    public static string TestFile(params string[] parts) => System.IO.Path.Combine([AppContext.BaseDirectory, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SpaceTime.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"SpaceTime.slnx not found above {AppContext.BaseDirectory}");
    }
}
