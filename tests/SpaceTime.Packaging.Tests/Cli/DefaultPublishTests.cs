using System.Diagnostics;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Tests.Cli;

/// <summary>
/// The default path, once: <c>package build</c> without --binaries runs the real, clean <c>dotnet publish</c> of the real
/// application (framework-dependent linux-x64), and the package it makes verifies, runs, and holds nothing that varies
/// between clean publishes.
/// </summary>
public sealed class DefaultPublishTests(SignedPackage package)
{
    [Fact]
    public async Task Build_WithoutBinaries_PublishesTheRealApplication_PackageVerifiesRunsAndIsReproducible()
    {
        using var repo = FakeRepository.Create();
        using var temp = new TempFolder();
        repo.UseConfigFrom(Path.Combine(RepositoryPaths.Root, "config"));
        var clock = Stopwatch.StartNew();

        var build = await ProcessRunner.SpacetimeAsync(
            ["package", "build", "--version", "1.0.0", "--output", temp.Path, "--source", repo.Root, "--project", RepositoryPaths.CliProject, "--signing-key", package.SecretKeyFile, "--json"],
            new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = "1733000000" },
            timeout: TimeSpan.FromMinutes(4));

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("package: publishing", build.StandardError, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(build.StandardOutput);
        var folder = summary.RootElement.GetProperty("package_folder").GetString()!;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"package build with dotnet publish: {clock.Elapsed.TotalSeconds:F1} s, {summary.RootElement.GetProperty("file_count").GetInt32()} files, {summary.RootElement.GetProperty("total_size").GetInt64()} bytes, tar.gz {summary.RootElement.GetProperty("archives")[0].GetProperty("size").GetInt64()} bytes");

        var verify = await ProcessRunner.SpacetimeAsync(["package", "verify", folder + ".tar.gz", "--public-key", package.PublicKeyFile]);
        Assert.True(verify.ExitCode == 0, verify.Output);

        var binaries = Path.Combine(folder, "binaries");
        foreach (var file in new[] { "spacetime.dll", "spacetime.runtimeconfig.json", "spacetime.deps.json", "System.CommandLine.dll", "BouncyCastle.Cryptography.dll", "config/security_production.json", "project/project.godot" })
        {
            Assert.True(File.Exists(Path.Combine(binaries, file)), file);
        }

        Assert.True(FileModes.IsExecutable(Path.Combine(binaries, "spacetime")), "the app host is executable");
        using var sbom = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, PackageLayout.SbomFile)));
        var components = sbom.RootElement.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("pkg:nuget/System.CommandLine@2.0.0", components["System.CommandLine"].GetProperty("purl").GetString());
        Assert.Equal("MIT", components["System.CommandLine"].GetProperty("licenses")[0].GetProperty("license").GetProperty("id").GetString());
        Assert.Contains("SQLitePCLRaw.core", components.Keys);

        var help = await ProcessRunner.RunAsync("dotnet", [Path.Combine(binaries, "spacetime.dll"), "package", "--help"]);
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("verify", help.StandardOutput, StringComparison.Ordinal);

        AssertNothingVariesBetweenCleanPublishes(binaries);

        // The release's tool package installs from the release's own folder feed and runs.
        var tools = Path.Combine(temp.Path, "tool-path");
        var install = await ProcessRunner.RunAsync(
            "dotnet", ["tool", "install", "SpaceTime.Cli", "--version", "1.0.0", "--add-source", Path.Combine(folder, "nuget"), "--tool-path", tools],
            environment: new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(temp.Path, "nuget-packages") },
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(install.ExitCode == 0, install.Output);
        var version = await ProcessRunner.RunAsync(Path.Combine(tools, "spacetime"), ["--version"]);
        Assert.True(version.ExitCode == 0, version.Output);
        Assert.StartsWith("1.0.0", version.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two clean publishes once differed through the PDBs: their paths (a build folder outside the mapped checkout) and
    /// .NET 10's unordered LoggerMessage output (dotnet/runtime#119587) reached every assembly through its PDB id. A second
    /// real publish costs a full compile, so the test checks that both channels are closed.
    /// </summary>
    private static void AssertNothingVariesBetweenCleanPublishes(string binaries)
    {
        Assert.Empty(Directory.EnumerateFiles(binaries, "*.pdb"));
        var ours = Directory.EnumerateFiles(binaries, "*.dll").Where(f => Path.GetFileName(f).StartsWith("SpaceTime.", StringComparison.Ordinal) || Path.GetFileName(f) == "spacetime.dll").ToList();
        Assert.True(ours.Count >= 6, string.Join(", ", ours));
        foreach (var assembly in ours)
        {
            using var pe = new PEReader(File.OpenRead(assembly));
            Assert.DoesNotContain(pe.ReadDebugDirectory(), e => e.Type == DebugDirectoryEntryType.CodeView);
        }

        var checkout = RepositoryPaths.Root;
        foreach (var file in Directory.EnumerateFiles(binaries, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(checkout)) < 0, $"{file} holds the checkout path {checkout}");
            Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(checkout)) < 0, $"{file} holds the checkout path {checkout} (UTF-16)");
        }
    }
}
