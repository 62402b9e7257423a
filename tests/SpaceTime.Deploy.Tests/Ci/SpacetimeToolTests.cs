using System.Text.Json.Nodes;
using SpaceTime.Deploy.Tests.Support;
using SpaceTime.Packaging.Layout;

namespace SpaceTime.Deploy.Tests.Ci;

/// <summary>
/// The SpaceTime.Cli tool package (dotnet pack) installed from a folder feed: it runs, builds releases from the kit it carries
/// with no checkout around, and its <c>ci</c> steps refuse what they cannot do with one line naming the setting.
/// </summary>
[Collection(CiCollection.Name)]
public sealed class SpacetimeToolTests(SpacetimeToolFeed tool)
{
    [Fact]
    public async Task ToolPackage_InstalledFromAFolderFeed_PrintsVersionAndCommit()
    {
        Assert.Contains("'spacetime.cli' (version '1.0.0') was successfully installed", tool.InstallOutput, StringComparison.OrdinalIgnoreCase);

        var version = await Tool.RunAsync(tool.Spacetime, ["--version"], null);

        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^1\.0\.0\+[0-9a-f]{40}\n$", version.StdOut);
    }

    [Fact]
    public async Task ToolPackage_RunsItsCommands_WithTheBundledConfigAndProject()
    {
        var result = await Tool.RunAsync(tool.Spacetime, ["scenes", "validate", "--format", "junit", RepositoryPaths.Path("project")], null);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("<testsuites name=\"spacetime scenes validate\"", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackageBuild_FromTheInstalledTool_InAnEmptyFolderOutsideAnyCheckout_BuildsAReleaseThatVerifies()
    {
        using var empty = new TempFolder();
        Assert.Null(RepositoryRoot.TryFind(empty.Path));

        var build = await Tool.RunAsync(tool.Spacetime, ["package", "build", "--version", "3.1.4", "--output", "out"], empty.Path, timeout: TimeSpan.FromMinutes(3));
        var verify = await Tool.RunAsync(tool.Spacetime, ["package", "verify", Path.Combine(empty.Path, "out", "spacetime-vr-v3.1.4.tar.gz"), "--allow-unsigned"], empty.Path);

        Assert.True(build.ExitCode == 0, build.ToString());
        // Every NuGet package of the SBOM has its licence: the kit carries the .nuspec files.
        Assert.DoesNotContain("no licence found", build.Output, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("OK: spacetime-vr 3.1.4", verify.StdOut, StringComparison.Ordinal);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(empty.Path, "out", "spacetime-vr-v3.1.4", "MANIFEST.json"), TestContext.Current.CancellationToken))!;
        Assert.Matches("^[0-9a-f]{40}$", manifest["git_commit"]!.ToString());
        Assert.Contains(manifest["files"]!.AsArray(), f => f!["path"]!.ToString() == "scripts/deployment/deploy.sh");
        Assert.Contains(manifest["files"]!.AsArray(), f => f!["path"]!.ToString() == PackageLayout.ExecutableFile);
    }

    [Fact]
    public void BundledKit_HoldsEveryFileTheCheckoutWouldPackage()
    {
        var kit = BundledKit.Beside(tool.InstalledApplication);

        Assert.NotNull(kit);
        Assert.Equal(
            SourceMap.Resolve(RepositoryPaths.Root).Select(f => f.Target),
            SourceMap.Resolve(kit.Root).Select(f => f.Target));
        Assert.True(File.Exists(kit.DependenciesFile));
        // Nothing of the machine the tool was built on (the restore output names the checkout and the NuGet folder).
        Assert.DoesNotContain(Directory.EnumerateFiles(kit.Root, "*", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains(RepositoryPaths.Root, StringComparison.Ordinal));
        Assert.NotEmpty(Directory.EnumerateFiles(kit.NuGetPackagesFolder, "*" + Packaging.Sbom.NuGetPackageGraph.CopiedNuspecExtension, SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(kit.Root, "deploy", "ci")), "the CI templates are not part of a release");
    }

    [Fact]
    public async Task CiBuild_WithoutASigningKey_RefusesToMakeAnUnsignedRelease()
    {
        using var temp = new TempFolder();

        var result = await Tool.RunAsync(tool.Spacetime, ["ci", "build"], temp.Path, new Dictionary<string, string?> { ["CI_COMMIT_TAG"] = "v1.2.3", ["SPACETIME_SIGNING_KEY"] = null });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("spacetime ci: error: SPACETIME_SIGNING_KEY (the release signing key) is not set: a release is signed\n", result.StdErr);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "dist")));
    }

    [Fact]
    public async Task CiBuild_OffATag_NamesTheMissingVersion()
    {
        using var temp = new TempFolder();
        var branch = new Dictionary<string, string?> { ["CI_COMMIT_TAG"] = null, ["GITHUB_REF_TYPE"] = "branch", ["GITHUB_REF_NAME"] = "main", ["SPACETIME_VERSION"] = null };

        var result = await Tool.RunAsync(tool.Spacetime, ["ci", "build"], temp.Path, branch);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("spacetime: error: no release version: run on a tag, or set SPACETIME_VERSION or --version\n", result.StdErr);
    }

    [Fact]
    public async Task CiTest_InARepositoryWithoutAProject_FailsNamingIt()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, ".hidden", "game"));
        await File.WriteAllTextAsync(Path.Combine(temp.Path, ".hidden", "game", "project.godot"), "config_version=5\n", TestContext.Current.CancellationToken);

        var result = await Tool.RunAsync(tool.Spacetime, ["ci", "test"], temp.Path, new Dictionary<string, string?> { ["SPACETIME_PROJECT_DIR"] = null });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"spacetime: error: no project.godot in {temp.Path} or the folders below it (set SPACETIME_PROJECT_DIR or --project)\n", result.StdErr);
    }
}
