using System.Diagnostics;
using System.Text.Json;
using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Tests.Cli;

/// <summary>
/// The default path, once: <c>package build</c> without --binaries runs the real <c>dotnet publish</c> of the real application
/// (framework-dependent linux-x64), and the package it makes verifies and runs.
/// </summary>
public sealed class DefaultPublishTests(SignedPackage package)
{
    [Fact]
    public async Task Build_WithoutBinaries_PublishesTheRealApplication_PackageVerifiesAndRuns()
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

        foreach (var file in new[] { "spacetime.dll", "spacetime.runtimeconfig.json", "spacetime.deps.json", "System.CommandLine.dll", "BouncyCastle.Cryptography.dll", "config/security_production.json", "project/project.godot" })
        {
            Assert.True(File.Exists(Path.Combine(folder, "binaries", file)), file);
        }

        Assert.True(FileModes.IsExecutable(Path.Combine(folder, "binaries", "spacetime")), "the app host is executable");
        using var sbom = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, PackageLayout.SbomFile)));
        var components = sbom.RootElement.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("pkg:nuget/System.CommandLine@2.0.0", components["System.CommandLine"].GetProperty("purl").GetString());
        Assert.Equal("MIT", components["System.CommandLine"].GetProperty("licenses")[0].GetProperty("license").GetProperty("id").GetString());
        Assert.Contains("SQLitePCLRaw.core", components.Keys);

        var help = await ProcessRunner.RunAsync("dotnet", [Path.Combine(folder, "binaries", "spacetime.dll"), "package", "--help"]);
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("verify", help.StandardOutput, StringComparison.Ordinal);
    }
}
