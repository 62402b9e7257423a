namespace SpaceTime.Packaging.Building;

/// <summary>
/// Publishes the application with <c>dotnet publish</c> (framework-dependent, linux-x64, CI-deterministic) into a folder of its own:
/// <c>--artifacts-path</c> keeps its intermediate files apart from the developer's bin/ and obj/.
/// </summary>
public static class DotnetPublisher
{
    public const string RuntimeIdentifier = "linux-x64";

    /// <summary>Publishes <paramref name="projectFile"/> into <paramref name="outputFolder"/>; returns the project.assets.json of that restore.</summary>
    public static async Task<string> PublishAsync(string projectFile, string outputFolder, string artifactsFolder, CancellationToken cancellationToken)
    {
        if (!File.Exists(projectFile))
        {
            throw new PackagingException($"project {projectFile} does not exist: pass --source (the repository checkout) or --project");
        }

        string[] arguments =
        [
            "publish", projectFile,
            "-c", "Release",
            "-r", RuntimeIdentifier,
            "--self-contained", "false",
            "-p:ContinuousIntegrationBuild=true",
            "--artifacts-path", artifactsFolder,
            "-o", outputFolder,
            // No MSBuild nodes or compiler server left running: they would outlive the command and hold its output open.
            "--disable-build-servers",
            "-nologo",
            "-v", "quiet",
        ];
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            // Set when this runs under another dotnet/MSBuild process; the child must pick its own SDK.
            ["MSBUILD_EXE_PATH"] = null,
            ["MSBuildExtensionsPath"] = null,
            ["MSBuildSDKsPath"] = null,
        };
        var (code, output) = await ExternalCommand.RunAsync(DotnetHost(), arguments, Path.GetDirectoryName(projectFile)!, environment, cancellationToken);
        if (code != 0)
        {
            var tail = string.Join('\n', output.Split('\n').TakeLast(30));
            throw new PackagingException($"dotnet publish {projectFile} failed with exit code {code}:\n{tail}");
        }

        return Path.Combine(artifactsFolder, "obj", Path.GetFileNameWithoutExtension(projectFile), "project.assets.json");
    }

    /// <summary>The dotnet host running this process when there is one (so the same SDK installation is used), else dotnet on PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}
