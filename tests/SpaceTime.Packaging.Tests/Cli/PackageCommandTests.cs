using System.Security.Cryptography;
using System.Text.Json;
using SpaceTime.Packaging.Layout;
using SpaceTime.Packaging.Signing;

namespace SpaceTime.Packaging.Tests.Cli;

/// <summary>The real <c>spacetime package</c> commands as a user runs them, checked with the real sha256sum and gpg.</summary>
public sealed class PackageCommandTests(SignedPackage package)
{
    private static readonly Dictionary<string, string?> Epoch = new() { ["SOURCE_DATE_EPOCH"] = "1733000000" };

    private static string[] Build(FakeRepository repo, string output, string version = "1.4.0", params string[] more) =>
        ["package", "build", "--version", version, "--output", output, "--source", repo.Root, "--project", repo.ProjectFile, "--binaries", repo.Binaries, .. more];

    [Fact]
    public async Task KeygenBuildVerify_RealProcesses_PassAndRealSha256sumAndGpgAccept()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("passphrase"), "correct horse battery\n");

        var keygen = await ProcessRunner.SpacetimeAsync(["package", "keygen", "--output", temp.Combine("keys"), "--name", "SpaceTime Release", "--email", "release@example.org", "--passphrase-file", temp.Combine("passphrase")]);
        var build = await ProcessRunner.SpacetimeAsync(
            Build(package.Repository, temp.Combine("out"), "1.4.0", "--signing-key", temp.Combine("keys", ReleaseKeyFiles.SecretFileName), "--passphrase-file", temp.Combine("passphrase"), "--json"),
            Epoch);

        Assert.True(keygen.ExitCode == 0, keygen.Output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Combine("keys", ReleaseKeyFiles.SecretFileName)));
        Assert.True(build.ExitCode == 0, build.Output);
        foreach (var step in new[] { "package: using the published application", "package: hashing", "package: signing SHA256SUMS", "package: archiving spacetime-vr-v1.4.0.tar.gz", "package: archiving spacetime-vr-v1.4.0.zip" })
        {
            Assert.Contains(step, build.StandardError, StringComparison.Ordinal);
        }

        using var summary = JsonDocument.Parse(build.StandardOutput);
        var folder = summary.RootElement.GetProperty("package_folder").GetString()!;
        Assert.Equal(temp.Combine("out", "spacetime-vr-v1.4.0"), folder);
        Assert.Equal("1.4.0", summary.RootElement.GetProperty("version").GetString());
        Assert.True(summary.RootElement.GetProperty("signed").GetBoolean());
        Assert.Equal(3, summary.RootElement.GetProperty("sbom_components").GetInt32());
        Assert.Equal(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count(), summary.RootElement.GetProperty("file_count").GetInt32());
        foreach (var archive in summary.RootElement.GetProperty("archives").EnumerateArray())
        {
            var path = archive.GetProperty("path").GetString()!;
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), archive.GetProperty("sha256").GetString());
            Assert.Equal(new FileInfo(path).Length, archive.GetProperty("size").GetInt64());
        }

        var publicKey = temp.Combine("keys", ReleaseKeyFiles.PublicFileName);
        foreach (var target in new[] { folder, folder + ".tar.gz", folder + ".zip" })
        {
            var verify = await ProcessRunner.SpacetimeAsync(["package", "verify", target, "--public-key", publicKey]);
            Assert.True(verify.ExitCode == 0, verify.Output);
            Assert.Contains("OK: spacetime-vr 1.4.0", verify.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("signature verified", verify.StandardOutput, StringComparison.Ordinal);
        }

        var sha256sum = await ProcessRunner.RunAsync("sha256sum", ["-c", "--strict", "SHA256SUMS"], folder);
        Assert.True(sha256sum.ExitCode == 0, sha256sum.Output);
        Assert.Equal(File.ReadAllLines(Path.Combine(folder, "SHA256SUMS")).Length, sha256sum.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith(": OK", StringComparison.Ordinal)));

        await using var gpg = new Gpg();
        var import = await gpg.RunAsync("--import", publicKey);
        var gpgVerify = await gpg.RunAsync("--verify", Path.Combine(folder, "SHA256SUMS.asc"), Path.Combine(folder, "SHA256SUMS"));
        Assert.True(import.ExitCode == 0, import.Output);
        Assert.True(gpgVerify.ExitCode == 0, gpgVerify.Output);
        Assert.Contains("Good signature from \"SpaceTime Release <release@example.org>\"", gpgVerify.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_TwiceWithTheSameSourceDateEpoch_ByteIdenticalArchivesAndSignature()
    {
        using var temp = new TempFolder();
        string[] sign = ["--signing-key", package.SecretKeyFile];

        var first = await ProcessRunner.SpacetimeAsync(Build(package.Repository, temp.Combine("a"), "1.4.0", sign), Epoch);
        var second = await ProcessRunner.SpacetimeAsync(Build(package.Repository, temp.Combine("b"), "1.4.0", sign), Epoch);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        foreach (var file in new[] { "spacetime-vr-v1.4.0.tar.gz", "spacetime-vr-v1.4.0.zip", "spacetime-vr-v1.4.0/SHA256SUMS.asc", "spacetime-vr-v1.4.0/MANIFEST.json" })
        {
            Assert.Equal(File.ReadAllBytes(temp.Combine("a", file)), File.ReadAllBytes(temp.Combine("b", file)));
        }
    }

    [Fact]
    public async Task Verify_TamperedPackage_ExitsNonZeroNamingTheFile_AlsoAsJson()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        File.AppendAllText(Path.Combine(folder, "config", "production", ".env.template"), "DEBUG=true\n");

        var text = await ProcessRunner.SpacetimeAsync(["package", "verify", folder, "--public-key", package.PublicKeyFile]);
        var json = await ProcessRunner.SpacetimeAsync(["package", "verify", folder, "--public-key", package.PublicKeyFile, "--json"]);

        Assert.Equal(1, text.ExitCode);
        Assert.Contains("PROBLEM config/production/.env.template: sha256 is", text.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("FAILED:", text.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, json.ExitCode);
        using var report = JsonDocument.Parse(json.StandardOutput);
        Assert.False(report.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal("verified", report.RootElement.GetProperty("signature").GetString());
        Assert.Contains(report.RootElement.GetProperty("problems").EnumerateArray(), p => p.GetProperty("path").GetString() == "config/production/.env.template");
    }

    [Fact]
    public async Task Verify_WithoutPublicKey_ExitsNonZeroSayingTheShippedKeyProvesNothing()
    {
        var result = await ProcessRunner.SpacetimeAsync(["package", "verify", package.Result.TarGz.Path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("PROBLEM SHA256SUMS.asc: not verified against a trusted key: pass --public-key", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_Unsigned_WarnsAndVerifyReportsUnsigned_UnlessAllowed()
    {
        using var temp = new TempFolder();

        var build = await ProcessRunner.SpacetimeAsync(Build(package.Repository, temp.Path), Epoch);
        var strict = await ProcessRunner.SpacetimeAsync(["package", "verify", temp.Combine("spacetime-vr-v1.4.0.zip")]);
        var lenient = await ProcessRunner.SpacetimeAsync(["package", "verify", temp.Combine("spacetime-vr-v1.4.0.zip"), "--allow-unsigned"]);

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("package: warning: the package is UNSIGNED", build.StandardError, StringComparison.Ordinal);
        Assert.Contains("UNSIGNED", build.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("PROBLEM SHA256SUMS.asc: missing: the package is unsigned", strict.StandardOutput, StringComparison.Ordinal);
        Assert.True(lenient.ExitCode == 0, lenient.Output);
        Assert.Contains("signature unsigned", lenient.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.2", "three numbers")]
    [InlineData("v1.2.3", "drop the leading 'v'")]
    [InlineData("01.2.3", "leading zeros")]
    public async Task Build_BadVersion_ClearErrorAndNonZeroExit(string version, string reason)
    {
        using var temp = new TempFolder();

        var result = await ProcessRunner.SpacetimeAsync(Build(package.Repository, temp.Path, version));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"spacetime: error: version '{version}' is not a semantic version", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(reason, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("garbage", "is not an OpenPGP secret key")]
    [InlineData("directory", "cannot read signing key file")]
    [InlineData("public", "holds a public key")]
    [InlineData("no-passphrase", "protected by a passphrase: pass --passphrase-file")]
    [InlineData("wrong-passphrase", "wrong passphrase")]
    public async Task Build_UnusableSigningKey_ClearErrorNamingTheFile(string kind, string expected)
    {
        using var temp = new TempFolder();
        var protectedKey = ReleaseKeyGenerator.Generate("Release", "release@example.org", "right", SignedPackage.Epoch);
        ReleaseKeyFiles.Write(temp.Combine("protected"), protectedKey, overwrite: false);
        File.WriteAllText(temp.Combine("garbage.asc"), "this is not a key\n");
        File.WriteAllText(temp.Combine("wrong"), "wrong\n");
        var (key, more) = kind switch
        {
            "missing" => (temp.Combine("missing.asc"), Array.Empty<string>()),
            "garbage" => (temp.Combine("garbage.asc"), []),
            "directory" => (temp.Combine("protected"), []),
            "public" => (package.PublicKeyFile, []),
            "no-passphrase" => (temp.Combine("protected", ReleaseKeyFiles.SecretFileName), []),
            _ => (temp.Combine("protected", ReleaseKeyFiles.SecretFileName), ["--passphrase-file", temp.Combine("wrong")]),
        };

        var result = await ProcessRunner.SpacetimeAsync(Build(package.Repository, temp.Combine("out"), "1.4.0", ["--signing-key", key, .. more]));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("spacetime: error: ", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(key, result.StandardError, StringComparison.Ordinal);
        Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    [Fact]
    public async Task Build_MissingRequiredSource_ClearErrorNamingThePath()
    {
        using var repo = FakeRepository.Create();
        using var temp = new TempFolder();
        repo.Delete("deploy/config/production/.env.template");

        var result = await ProcessRunner.SpacetimeAsync(Build(repo, temp.Path));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("spacetime: error: missing required source(s)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("deploy/config/production/.env.template", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_OutsideACheckoutWithoutSourceOrKit_SaysWhereItLooked()
    {
        using var temp = new TempFolder();
        // A copy of this application without its release kit (tests/SpaceTime.Deploy.Tests build with the kit, from an installed
        // tool). Copied, not linked: the host finds the application folder through links.
        var application = temp.Combine("app");
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(AppContext.BaseDirectory, file);
            if (!relative.StartsWith(BundledKit.FolderName + "/", StringComparison.Ordinal))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(application, relative))!);
                File.Copy(file, Path.Combine(application, relative));
            }
        }

        var result = await ProcessRunner.RunAsync(
            "dotnet", [Path.Combine(application, "spacetime.dll"), "package", "build", "--version", "1.0.0", "--output", temp.Combine("out")], temp.Path, timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"no {RepositoryRoot.Marker} in {temp.Path} or any folder above it, and this spacetime carries no release kit", result.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    [Fact]
    public async Task Verify_UnreadablePublicKey_ClearError()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("key.asc"), "nope");

        var garbage = await ProcessRunner.SpacetimeAsync(["package", "verify", package.Folder, "--public-key", temp.Combine("key.asc")]);
        var missing = await ProcessRunner.SpacetimeAsync(["package", "verify", package.Folder, "--public-key", temp.Combine("missing.asc")]);

        Assert.Equal(1, garbage.ExitCode);
        Assert.Contains($"spacetime: error: {temp.Combine("key.asc")} is not an OpenPGP public key", garbage.StandardError, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.StandardError, StringComparison.Ordinal);
    }
}
