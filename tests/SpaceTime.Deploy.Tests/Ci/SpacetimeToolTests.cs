using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Ci;

/// <summary>The SpaceTime.Cli tool package (dotnet pack) installs from a folder feed, and the shared CI script's contract.</summary>
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
    public async Task CiScript_ShellcheckFindsNothing_AndAKnownBadScriptIsFlagged()
    {
        var shellcheck = Tool.Require("shellcheck", "apt-get install shellcheck");

        var clean = await Tool.RunAsync(shellcheck, ["--external-sources", RepositoryPaths.Deploy("ci", "spacetime-ci.sh")], null);
        using var temp = new TempFolder();
        var bad = Path.Combine(temp.Path, "bad.sh");
        await File.WriteAllTextAsync(bad, "#!/usr/bin/env bash\nspacetime scenes validate $SPACETIME_PROJECT_DIR\n", TestContext.Current.CancellationToken);
        var flagged = await Tool.RunAsync(shellcheck, [bad], null);

        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.NotEqual(0, flagged.ExitCode);
        Assert.Contains("SC2086", flagged.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CiScript_IsStrictExecutableAndExplainsItself()
    {
        var path = RepositoryPaths.Deploy("ci", "spacetime-ci.sh");
        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        Assert.StartsWith("#!/usr/bin/env bash\n", text, StringComparison.Ordinal);
        Assert.Contains("\nset -euo pipefail\n", text, StringComparison.Ordinal);
        Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), "spacetime-ci.sh is not executable");

        var help = await Tool.RunAsync("bash", [path, "--help"], null);
        var wrong = await Tool.RunAsync("bash", [path, "lint", "no-such-step"], null);
        var none = await Tool.RunAsync("bash", [path], null);

        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("Usage: spacetime-ci.sh", help.StdOut, StringComparison.Ordinal);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("unknown step 'no-such-step'", wrong.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, none.ExitCode);
    }

    [Fact]
    public async Task CiScript_BuildWithoutASigningKey_RefusesToMakeAnUnsignedRelease()
    {
        using var temp = new TempFolder();

        var result = await Tool.RunAsync("bash", [RepositoryPaths.Deploy("ci", "spacetime-ci.sh"), "build"], temp.Path, new Dictionary<string, string?> { ["SPACETIME_VERSION"] = "1.2.3", ["SPACETIME_SIGNING_KEY"] = null });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("SPACETIME_SIGNING_KEY (the release signing key) is not set: a release is signed", result.StdErr, StringComparison.Ordinal);
    }
}
