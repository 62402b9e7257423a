namespace SpaceTime.Packaging.Building;

/// <summary>
/// Publishes the application with <c>dotnet publish</c>: framework-dependent, linux-x64, a clean CI-deterministic build whose
/// intermediate files go to <c>artifacts/package/</c> of the project's checkout (not the developer's bin/ and obj/). Inside the
/// checkout, ContinuousIntegrationBuild maps those paths to <c>/_/</c>, so the binaries do not depend on where the checkout is.
/// </summary>
public static class DotnetPublisher
{
    public const string RuntimeIdentifier = "linux-x64";

    /// <summary>Publishes <paramref name="projectFile"/> into <paramref name="outputFolder"/>; returns the project.assets.json of that restore.</summary>
    public static async Task<string> PublishAsync(string projectFile, string outputFolder, CancellationToken cancellationToken)
    {
        if (!File.Exists(projectFile))
        {
            throw new PackagingException($"project {projectFile} does not exist: pass --source (the repository checkout) or --project");
        }

        var artifactsFolder = ArtifactsFolder(projectFile);
        if (Directory.Exists(artifactsFolder))
        {
            Directory.Delete(artifactsFolder, recursive: true);
        }

        string[] arguments =
        [
            "publish", projectFile,
            "-c", "Release",
            "-r", RuntimeIdentifier,
            "--self-contained", "false",
            "-p:ContinuousIntegrationBuild=true",
            // No PDBs: .NET 10's LoggerMessage generator emits its classes in a varying order (dotnet/runtime#119587, fixed for
            // .NET 11), which changes the PDB and, through the PDB id, every assembly that logs. Without PDBs the build is
            // byte-for-byte reproducible; stack traces keep method names but lose line numbers.
            "-p:DebugType=none",
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

    /// <summary><c>artifacts/package</c> of the checkout holding the project (git-ignored), else beside the project.</summary>
    public static string ArtifactsFolder(string projectFile)
    {
        var projectFolder = Path.GetDirectoryName(Path.GetFullPath(projectFile))!;
        string root;
        try
        {
            root = Layout.RepositoryRoot.Find(projectFolder);
        }
        catch (PackagingException)
        {
            root = projectFolder;
        }

        return Path.Combine(root, "artifacts", "package");
    }

    /// <summary>The dotnet host running this process when there is one (so the same SDK installation is used), else dotnet on PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}
