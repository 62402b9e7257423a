using FsCheck;
using FsCheck.Fluent;
using SpaceTime.Packaging.Archives;
using SpaceTime.Packaging.Layout;
using SpaceTime.Packaging.Signing;
using SpaceTime.Packaging.Verification;

namespace SpaceTime.Packaging.Tests.Verification;

public sealed class PackageVerifierTests(SignedPackage package)
{
    private static string Describe(VerificationReport report) => string.Join('\n', report.Problems.Select(p => p.ToString()).Concat(report.Notes));

    private static void AssertNames(VerificationReport report, string path)
    {
        Assert.False(report.Passed, $"expected a problem with {path}");
        Assert.True(report.Problems.Any(p => p.Path == path), $"no problem names {path}:\n{Describe(report)}");
    }

    [Fact]
    public void Verify_FreshPackage_FolderTarGzAndZip_PassWithTheTrustedKey()
    {
        foreach (var path in new[] { package.Folder, package.Result.TarGz.Path, package.Result.Zip.Path })
        {
            var report = PackageVerifier.Verify(path, package.Trusted);

            Assert.True(report.Passed, Describe(report));
            Assert.Equal(SignatureState.Verified, report.Signature);
            Assert.Equal(package.Key.Fingerprint, report.SignerFingerprint);
            Assert.Equal("2.5.0", report.Version);
            Assert.Equal(package.Result.FileCount, report.FileCount);
        }
    }

    [Fact]
    public void Verify_OneByteChangedInEveryFileInTurn_NamesThatFile()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        var random = new Random(7);
        var files = PackageTree.Files(folder).Where(f => new FileInfo(f.FullPath).Length > 0).ToList();
        Assert.True(files.Count > 40, $"only {files.Count} files");

        foreach (var file in files)
        {
            var original = File.ReadAllBytes(file.FullPath);
            var changed = (byte[])original.Clone();
            changed[random.Next(changed.Length)] ^= (byte)random.Next(1, 256);
            File.WriteAllBytes(file.FullPath, changed);

            AssertNames(PackageVerifier.Verify(folder, package.Trusted), file.Path);

            File.WriteAllBytes(file.FullPath, original);
        }

        Assert.True(PackageVerifier.Verify(folder, package.Trusted).Passed);
    }

    [Fact]
    public void Verify_AnyByteOfAnyFileChanged_NamesThatFile()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        var files = PackageTree.Files(folder).Where(f => new FileInfo(f.FullPath).Length > 0).ToList();
        var changes = (from index in Gen.Choose(0, files.Count - 1) from offset in Gen.Choose(0, int.MaxValue) from mask in Gen.Choose(1, 255) select (index, offset, mask)).ToArbitrary();

        Prop.ForAll(changes, change =>
        {
            var (index, offset, mask) = change;
            var file = files[index];
            var original = File.ReadAllBytes(file.FullPath);
            var changed = (byte[])original.Clone();
            changed[offset % changed.Length] ^= (byte)mask;
            File.WriteAllBytes(file.FullPath, changed);
            try
            {
                var report = PackageVerifier.Verify(folder, package.Trusted);
                return report.Problems.Any(p => p.Path == file.Path).Label($"{file.Path} byte {offset % changed.Length} ^ {mask}:\n{Describe(report)}");
            }
            finally
            {
                File.WriteAllBytes(file.FullPath, original);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void Verify_FileAdded_NamesIt()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        File.WriteAllText(Path.Combine(folder, "binaries", "backdoor.dll"), "evil");

        AssertNames(PackageVerifier.Verify(folder, package.Trusted), "binaries/backdoor.dll");
    }

    [Theory]
    [InlineData("kubernetes/helm/spacetime/Chart.yaml")]
    [InlineData("binaries/spacetime.dll")]
    [InlineData("security/sbom.cdx.json")]
    public void Verify_FileRemoved_NamesIt(string path)
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        File.Delete(PackagePath.Combine(folder, path));

        AssertNames(PackageVerifier.Verify(folder, package.Trusted), path);
    }

    [Fact]
    public void Verify_ToolPackageOfAnotherVersion_NamesItsVersion()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        var path = PackageLayout.ToolPackageFile(SignedPackage.Version);
        var other = Path.Combine(temp.Path, "other.nupkg");
        Tool.DotnetToolPackage.Write(Path.Combine(folder, "binaries"), other, SpaceTime.Packaging.Manifest.SemanticVersion.Parse("9.9.9"), null, SignedPackage.Epoch);
        File.Copy(other, PackagePath.Combine(folder, path), overwrite: true);

        var report = PackageVerifier.Verify(folder, new VerifyOptions(null, AllowUnsigned: true));

        Assert.Contains(report.Problems, p => p.Path == path && p.ToString().Contains("version '9.9.9', not the release's 2.5.0", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_ToolPackageMissing_NamesIt()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        var path = PackageLayout.ToolPackageFile(SignedPackage.Version);
        File.Delete(PackagePath.Combine(folder, path));

        var report = PackageVerifier.Verify(folder, package.Trusted);

        Assert.Contains(report.Problems, p => p.Path == path && p.ToString().Contains("requires the .NET tool package", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(PackageLayout.ManifestFile)]
    [InlineData(PackageLayout.ChecksumFile)]
    public void Verify_MetadataRemoved_NamesIt(string path)
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        File.Delete(PackagePath.Combine(folder, path));

        AssertNames(PackageVerifier.Verify(folder, package.Trusted), path);
    }

    [Fact]
    public void Verify_SignatureSwappedForAnotherKeys_NamesTheSignature()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        var other = ReleaseKeyGenerator.Generate("Mallory", "mallory@example.org", null, SignedPackage.Epoch);
        ReleaseKeyFiles.Write(temp.Combine("mallory"), other, overwrite: false);
        var mallory = ReleaseSigningKey.Load(temp.Combine("mallory", ReleaseKeyFiles.SecretFileName), null);
        File.WriteAllBytes(Path.Combine(folder, PackageLayout.SignatureFile), mallory.SignDetached(File.ReadAllBytes(Path.Combine(folder, PackageLayout.ChecksumFile)), SignedPackage.Epoch));

        var report = PackageVerifier.Verify(folder, package.Trusted);

        AssertNames(report, PackageLayout.SignatureFile);
        Assert.Equal(SignatureState.Invalid, report.Signature);
        Assert.Contains(report.Problems, p => p.Message.Contains("not a trusted key", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_ResignedWithAnotherKeyShippedInside_IsStillRejectedWithOrWithoutATrustedKey()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        var other = ReleaseKeyGenerator.Generate("Mallory", "mallory@example.org", null, SignedPackage.Epoch);
        ReleaseKeyFiles.Write(temp.Combine("mallory"), other, overwrite: false);
        var mallory = ReleaseSigningKey.Load(temp.Combine("mallory", ReleaseKeyFiles.SecretFileName), null);
        File.WriteAllBytes(Path.Combine(folder, PackageLayout.SignatureFile), mallory.SignDetached(File.ReadAllBytes(Path.Combine(folder, PackageLayout.ChecksumFile)), SignedPackage.Epoch));
        File.WriteAllBytes(Path.Combine(folder, PackageLayout.PublicKeyFile), other.PublicKey);

        var withoutKey = PackageVerifier.Verify(folder, new VerifyOptions(null, AllowUnsigned: false));
        var withKey = PackageVerifier.Verify(folder, package.Trusted);

        AssertNames(withoutKey, PackageLayout.SignatureFile);
        Assert.Equal(SignatureState.Untrusted, withoutKey.Signature);
        AssertNames(withKey, PackageLayout.SignatureFile);
        AssertNames(withKey, PackageLayout.PublicKeyFile);
    }

    [Fact]
    public async Task Verify_FifoInPlaceOfAPackagedFile_IsNamedWithoutHanging()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        var script = Path.Combine(folder, "scripts", "deployment", "deploy.sh");
        File.Delete(script);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [script]))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Opening a FIFO to hash it would block for ever: the verifier must not open it at all.
        var report = await Task.Run(() => PackageVerifier.Verify(folder, package.Trusted), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.False(report.Passed);
        Assert.Contains(report.Problems, p => p.Path == "scripts/deployment/deploy.sh" && p.Message.Contains("not a regular file", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_WithoutATrustedKey_FailsSayingWhy_UnlessUnsignedIsAllowed()
    {
        var strict = PackageVerifier.Verify(package.Folder, new VerifyOptions(null, AllowUnsigned: false));
        var lenient = PackageVerifier.Verify(package.Folder, new VerifyOptions(null, AllowUnsigned: true));

        AssertNames(strict, PackageLayout.SignatureFile);
        Assert.Contains(strict.Problems, p => p.Message.Contains("--public-key", StringComparison.Ordinal) && p.Message.Contains("proves nothing", StringComparison.Ordinal));
        Assert.True(lenient.Passed, Describe(lenient));
        Assert.Equal(SignatureState.Untrusted, lenient.Signature);
        Assert.Contains(lenient.Notes, n => n.Contains("not a trusted key", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_SignatureRemoved_IsAProblemEvenWhenUnsignedIsAllowed()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        File.Delete(Path.Combine(folder, PackageLayout.SignatureFile));

        var report = PackageVerifier.Verify(folder, new VerifyOptions(null, AllowUnsigned: true));

        AssertNames(report, PackageLayout.SignatureFile);
        Assert.Contains("removed", report.Problems.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_UnsignedBuild_ReportsUnsigned_UnlessAllowed()
    {
        using var temp = new TempFolder();
        var result = await TestPackages.BuildAsync(package.Repository, temp.Path);

        var strict = PackageVerifier.Verify(result.PackageFolder, new VerifyOptions(null, AllowUnsigned: false));
        var lenient = PackageVerifier.Verify(result.PackageFolder, new VerifyOptions(null, AllowUnsigned: true));

        Assert.False(File.Exists(Path.Combine(result.PackageFolder, PackageLayout.SignatureFile)));
        AssertNames(strict, PackageLayout.SignatureFile);
        Assert.Contains("unsigned", strict.Problems.Single().Message, StringComparison.Ordinal);
        Assert.True(lenient.Passed, Describe(lenient));
        Assert.Equal(SignatureState.Unsigned, lenient.Signature);

        // A trusted key asks for proof of origin: --allow-unsigned cannot waive it.
        var withKey = PackageVerifier.Verify(result.PackageFolder, package.Trusted with { AllowUnsigned = true });
        AssertNames(withKey, PackageLayout.SignatureFile);
        Assert.Contains("a public key was given", withKey.Problems.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ScriptLostItsExecuteBit_NamesIt()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        File.SetUnixFileMode(Path.Combine(folder, "scripts/deployment/deploy.sh"), FileModes.Regular);

        var report = PackageVerifier.Verify(folder, package.Trusted);

        AssertNames(report, "scripts/deployment/deploy.sh");
        Assert.Contains("0644", report.Problems.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SymbolicLinkInTheFolder_NamesItWithoutFollowing()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        File.CreateSymbolicLink(Path.Combine(folder, "docs", "passwd"), "/etc/passwd");

        AssertNames(PackageVerifier.Verify(folder, package.Trusted), "docs/passwd");
    }

    [Fact]
    public void Verify_FolderRenamed_NamesTheFolder()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        var renamed = temp.Combine("spacetime-vr-v9.9.9");
        Directory.Move(folder, renamed);

        AssertNames(PackageVerifier.Verify(renamed, package.Trusted), "spacetime-vr-v9.9.9/");
    }

    [Fact]
    public void Verify_ArchiveOfATamperedFolder_NamesTheFile()
    {
        using var temp = new TempFolder();
        var folder = package.CopyTo(temp);
        File.AppendAllText(Path.Combine(folder, "monitoring", "prometheus", "alerts.yml"), "# silenced\n");
        ReproducibleArchive.WriteTarGz(folder, temp.Combine("t.tar.gz"), SignedPackage.Epoch);
        ReproducibleArchive.WriteZip(folder, temp.Combine("t.zip"), SignedPackage.Epoch);

        AssertNames(PackageVerifier.Verify(temp.Combine("t.tar.gz"), package.Trusted), "monitoring/prometheus/alerts.yml");
        AssertNames(PackageVerifier.Verify(temp.Combine("t.zip"), package.Trusted), "monitoring/prometheus/alerts.yml");
    }

    [Theory]
    [InlineData("missing.tar.gz", "does not exist")]
    [InlineData("README.md", "is not a package folder")]
    public void Verify_NotAPackage_SaysSo(string name, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("README.md"), "#");

        var report = PackageVerifier.Verify(temp.Combine(name), package.Trusted);

        Assert.Contains(report.Problems, p => p.Message.Contains(expected, StringComparison.Ordinal));
    }
}
