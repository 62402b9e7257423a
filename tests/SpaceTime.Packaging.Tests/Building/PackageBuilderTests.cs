using System.IO.Compression;
using System.Text.Json;
using SpaceTime.Packaging.Layout;
using SpaceTime.Packaging.Signing;

namespace SpaceTime.Packaging.Tests.Building;

public sealed class PackageBuilderTests(SignedPackage package)
{
    [Fact]
    public void Build_Package_HasEveryRequiredEntryOfTheLayout()
    {
        foreach (var directory in PackageLayout.RequiredDirectories)
        {
            Assert.True(Directory.Exists(PackagePath.Combine(package.Folder, directory)), directory);
        }

        foreach (var file in PackageLayout.RequiredFiles.Append(PackageLayout.SignatureFile).Append(PackageLayout.PublicKeyFile))
        {
            Assert.True(File.Exists(PackagePath.Combine(package.Folder, file)), file);
        }

        Assert.Equal("spacetime-vr-v2.5.0", Path.GetFileName(package.Folder));
        Assert.Equal(package.Folder + ".tar.gz", package.Result.TarGz.Path);
        Assert.Equal(package.Folder + ".zip", package.Result.Zip.Path);
        Assert.Equal("2.5.0\n", File.ReadAllText(Path.Combine(package.Folder, "binaries/VERSION.txt")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(package.Repository.Binaries, "spacetime.dll")), File.ReadAllBytes(Path.Combine(package.Folder, "binaries/spacetime.dll")));
        Assert.True(File.Exists(Path.Combine(package.Folder, "binaries/config/security_production.json")));
        Assert.Equal(package.Key.PublicKey, File.ReadAllBytes(PackagePath.Combine(package.Folder, PackageLayout.PublicKeyFile)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(package.Folder)!, ".*"));
    }

    [Fact]
    public void Build_ToolPackage_IsListedAndSummedAndHoldsThePackagedApplication()
    {
        const string path = "nuget/SpaceTime.Cli.2.5.0.nupkg";
        var nupkg = PackagePath.Combine(package.Folder, path);

        Assert.Equal(path, PackageLayout.ToolPackageFile(SignedPackage.Version));
        Assert.Empty(Tool.DotnetToolPackage.Problems(nupkg, SignedPackage.Version));
        Assert.Contains($"  {path}\n", File.ReadAllText(PackagePath.Combine(package.Folder, PackageLayout.ChecksumFile)), StringComparison.Ordinal);
        using (var manifest = JsonDocument.Parse(File.ReadAllBytes(PackagePath.Combine(package.Folder, PackageLayout.ManifestFile))))
        {
            Assert.Contains(manifest.RootElement.GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString() == path);
        }

        using var zip = ZipFile.OpenRead(nupkg);
        var entry = zip.GetEntry("tools/net10.0/any/spacetime.dll");
        Assert.NotNull(entry);
        using var packaged = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(packaged);
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(package.Folder, "binaries/spacetime.dll")), packaged.ToArray());
        Assert.Null(zip.GetEntry("tools/net10.0/any/VERSION.txt"));
        Assert.All(zip.Entries, e => Assert.Equal(SignedPackage.Epoch.UtcDateTime, e.LastWriteTime.UtcDateTime));
    }

    [Fact]
    public void Build_Modes_ScriptsAndAppHostExecutable_EverythingElseNot()
    {
        var executables = PackageTree.Files(package.Folder).Where(f => f.Mode == FileModes.Executable).Select(f => f.Path).ToList();

        Assert.Equal(
            [
                "binaries/spacetime",
                "scripts/deployment/deploy.sh",
                "scripts/deployment/rollback.sh",
                "scripts/deployment/setup_monitoring.sh",
                "scripts/maintenance/backup.sh",
                "scripts/maintenance/health_check.sh",
                "scripts/maintenance/restore.sh",
                "scripts/migration/migrate_database.sh",
                "tests/smoke/smoke_test.sh",
            ],
            executables);
    }

    [Fact]
    public void Build_Manifest_ListsEveryFileButTheMetadata_WithProvenance()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(package.Folder, PackageLayout.ManifestFile)));
        var root = json.RootElement;
        var listed = root.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ToList();

        Assert.Equal("2024-11-30T20:53:20Z", root.GetProperty("build_date").GetString());
        Assert.Equal("unknown", root.GetProperty("git_commit").GetString());
        Assert.Equal("ci", root.GetProperty("build_user").GetString());
        Assert.True(root.GetProperty("signed").GetBoolean());
        Assert.Equal(PackageTree.Files(package.Folder).Select(f => f.Path).Where(p => !PackageLayout.IsMetadata(p)), listed);
        Assert.Contains(PackageLayout.SbomFile, listed);
    }

    [Fact]
    public async Task Build_InAGitCheckout_RecordsCommitBranchAndChanges()
    {
        using var repo = FakeRepository.Create();
        using var output = new TempFolder();
        var environment = new Dictionary<string, string?> { ["GIT_AUTHOR_NAME"] = "t", ["GIT_AUTHOR_EMAIL"] = "t@example.org", ["GIT_COMMITTER_NAME"] = "t", ["GIT_COMMITTER_EMAIL"] = "t@example.org" };
        foreach (var command in new[] { new[] { "init", "-q", "-b", "release/2.5" }, ["add", "-A"], ["commit", "-q", "-m", "Ship the deploy kit"] })
        {
            var git = await ProcessRunner.RunAsync("git", command, repo.Root, environment);
            Assert.True(git.ExitCode == 0, git.Output);
        }

        var head = (await ProcessRunner.RunAsync("git", ["rev-parse", "HEAD"], repo.Root)).StandardOutput.Trim();

        var result = await TestPackages.BuildAsync(repo, output.Path);

        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(result.PackageFolder, PackageLayout.ManifestFile)));
        Assert.Equal(head, manifest.RootElement.GetProperty("git_commit").GetString());
        Assert.Equal("release/2.5", manifest.RootElement.GetProperty("git_branch").GetString());
        Assert.Contains("Ship the deploy kit", File.ReadAllText(Path.Combine(result.PackageFolder, PackageLayout.ReleaseNotesFile)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_TwiceWithTheSameInputsAndEpoch_ArchivesAndSignatureAreByteIdentical()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        var key = ReleaseSigningKey.Load(package.SecretKeyFile, null);

        var a = await TestPackages.BuildAsync(package.Repository, first.Path, key);
        var b = await TestPackages.BuildAsync(package.Repository, second.Path, key);

        Assert.Equal(a.TarGz.Sha256, b.TarGz.Sha256);
        Assert.Equal(a.Zip.Sha256, b.Zip.Sha256);
        Assert.Equal(File.ReadAllBytes(a.TarGz.Path), File.ReadAllBytes(b.TarGz.Path));
        Assert.Equal(File.ReadAllBytes(a.Zip.Path), File.ReadAllBytes(b.Zip.Path));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a.PackageFolder, PackageLayout.SignatureFile)), File.ReadAllBytes(Path.Combine(b.PackageFolder, PackageLayout.SignatureFile)));
        Assert.Equal(package.Result.TarGz.Sha256, a.TarGz.Sha256);
    }

    [Fact]
    public async Task Build_AnotherEpoch_GivesOtherArchives()
    {
        using var output = new TempFolder();

        var result = await TestPackages.BuildAsync(package.Repository, output.Path, ReleaseSigningKey.Load(package.SecretKeyFile, null), epoch: SignedPackage.Epoch.AddDays(1));

        Assert.NotEqual(package.Result.TarGz.Sha256, result.TarGz.Sha256);
        Assert.NotEqual(package.Result.Zip.Sha256, result.Zip.Sha256);
    }

    [Fact]
    public async Task Build_MissingRequiredSource_FailsBeforeWritingAnything()
    {
        using var repo = FakeRepository.Create();
        using var output = new TempFolder();
        repo.Delete("deploy/scripts/migrate_database.sh");

        var error = await Assert.ThrowsAsync<MissingSourcesException>(() => TestPackages.BuildAsync(repo, output.Path));

        Assert.Contains("deploy/scripts/migrate_database.sh", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output.Path));
    }

    [Fact]
    public async Task Build_PublishedConfigDiffersFromTheCheckout_FailsNamingIt()
    {
        using var repo = FakeRepository.Create();
        using var output = new TempFolder();
        repo.Write("config/scene_whitelist.json", "{\"production\": []}\n");

        var error = await Assert.ThrowsAsync<PackagingException>(() => TestPackages.BuildAsync(repo, output.Path));

        Assert.Contains("binaries/config/scene_whitelist.json differs from config/scene_whitelist.json", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output.Path));
    }

    [Fact]
    public async Task Build_BinariesFolderWithoutTheApplication_FailsNamingIt()
    {
        using var repo = FakeRepository.Create();
        using var output = new TempFolder();
        File.Delete(Path.Combine(repo.Binaries, "spacetime.dll"));

        var error = await Assert.ThrowsAsync<PackagingException>(() => TestPackages.BuildAsync(repo, output.Path));

        Assert.Contains($"--binaries {repo.Binaries}", error.Message, StringComparison.Ordinal);
        Assert.Contains("spacetime.dll", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_ExistingPackage_RefusedWithoutOverwrite_ReplacedWithIt()
    {
        using var output = new TempFolder();
        await TestPackages.BuildAsync(package.Repository, output.Path, version: "3.0.0-rc.1");
        File.WriteAllText(Path.Combine(output.Path, "spacetime-vr-v3.0.0-rc.1", "stale.txt"), "left over");

        var error = await Assert.ThrowsAsync<PackagingException>(() => TestPackages.BuildAsync(package.Repository, output.Path, version: "3.0.0-rc.1"));
        var replaced = await TestPackages.BuildAsync(package.Repository, output.Path, overwrite: true, version: "3.0.0-rc.1");

        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(replaced.PackageFolder, "stale.txt")));
    }

    [Fact]
    public async Task Build_Unsigned_WarnsAndShowsProgress()
    {
        using var output = new TempFolder();
        var progress = new RecordingProgress();

        await TestPackages.BuildAsync(package.Repository, output.Path, progress: progress);

        Assert.Contains(progress.Warnings, w => w.Contains("UNSIGNED", StringComparison.Ordinal));
        foreach (var step in new[] { "copying", "sbom: 3 NuGet packages", "hashing", "archiving spacetime-vr-v2.5.0.tar.gz", "archiving spacetime-vr-v2.5.0.zip" })
        {
            Assert.Contains(progress.Steps, s => s.StartsWith(step, StringComparison.Ordinal));
        }
    }
}
