using SpaceTime.Packaging.Archives;
using SpaceTime.Packaging.Layout;
using SpaceTime.Packaging.Manifest;
using SpaceTime.Packaging.Sbom;

namespace SpaceTime.Packaging.Building;

/// <summary>
/// Builds a release package: stages the application and the repository's deploy kit in the package layout, writes the SBOM,
/// MANIFEST.json, SHA256SUMS and (with a key) SHA256SUMS.asc, then the .tar.gz and .zip. Work happens in a hidden staging
/// folder that is renamed at the end, so a failed build leaves no half package behind.
/// </summary>
public sealed class PackageBuilder(TimeProvider time, IBuildProgress progress)
{
    public async Task<PackageBuildResult> BuildAsync(PackageBuildRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var buildDate = DateTimeOffset.FromUnixTimeSeconds((request.SourceDateEpoch ?? time.GetUtcNow()).ToUnixTimeSeconds());
        var name = PackageLayout.FolderName(request.Version);
        var output = Path.GetFullPath(request.OutputFolder);
        var folder = Path.Combine(output, name);
        var tarGz = folder + ".tar.gz";
        var zip = folder + ".zip";

        // Everything that can be checked cheaply is checked before the slow publish.
        var sources = SourceMap.Resolve(request.SourceRoot);
        if (request.BinariesFolder is { } given && !File.Exists(Path.Combine(given, "spacetime.dll")))
        {
            throw new PackagingException($"--binaries {given} is not a published spacetime application: spacetime.dll is missing");
        }

        var existing = new[] { folder, tarGz, zip }.Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
        if (existing.Count > 0 && !request.Overwrite)
        {
            throw new PackagingException($"{existing[0]} already exists: remove it or pass --force to replace it");
        }

        Directory.CreateDirectory(output);
        var stage = Path.Combine(output, $".{name}.partial");
        var scratch = Directory.CreateTempSubdirectory("spacetime-package-");
        DeleteIfPresent(stage);
        try
        {
            var assets = await StageBinariesAsync(request, stage, scratch.FullName, cancellationToken);
            CheckPublishedConfig(request.SourceRoot, stage);
            File.WriteAllText(PackagePath.Combine(stage, PackageLayout.VersionFile), $"{request.Version}\n");

            progress.Step($"copying {sources.Count} files from {request.SourceRoot} (deploy kit, docs, security policies)");
            foreach (var file in sources)
            {
                var target = PackagePath.Combine(stage, file.Target);
                Copy(file.SourcePath, target, FileModes.ForFile(file.Target, file.SourcePath));
                if (file.Source == ComposeRelocation.ComposeSource)
                {
                    File.WriteAllText(target, ComposeRelocation.Relocate(File.ReadAllText(file.SourcePath), file.Target, sources));
                }
            }

            foreach (var directory in PackageLayout.RequiredDirectories)
            {
                Directory.CreateDirectory(PackagePath.Combine(stage, directory));
            }

            var components = ReadDependencies(assets, request.NuGetPackagesFolder);
            Write(stage, PackageLayout.SbomFile, CycloneDxBom.Write(request.Version, buildDate, components));
            progress.Step($"sbom: {components.Count} NuGet packages in {PackageLayout.SbomFile}");

            var git = request.Provenance ?? await GitCheckout.ReadAsync(request.SourceRoot, cancellationToken);
            var toolPackage = PackageLayout.ToolPackageFile(request.Version);
            progress.Step($"writing the .NET tool package {toolPackage}");
            Tool.DotnetToolPackage.Write(PackagePath.Combine(stage, "binaries"), PackagePath.Combine(stage, toolPackage), request.Version, git.Commit, buildDate);
            FileModes.Set(PackagePath.Combine(stage, toolPackage), FileModes.Regular);
            var signer = request.SigningKey;
            if (signer is not null)
            {
                Write(stage, PackageLayout.PublicKeyFile, signer.ExportPublicKey());
            }

            Write(stage, PackageLayout.ReleaseNotesFile, ReleaseDocuments.ReleaseNotes(request.Version, buildDate, git, components.Count, signer?.Fingerprint));
            Write(stage, PackageLayout.ChecklistFile, ReleaseDocuments.DeploymentChecklist(request.Version));

            var files = PackageTree.Files(stage).Where(f => !PackageLayout.IsMetadata(f.Path)).ToList();
            progress.Step($"hashing {files.Count} files");
            var listed = files.Select(f => new ManifestFile(f.Path, new FileInfo(f.FullPath).Length, FileDigest.Sha256(f.FullPath))).ToList();
            var manifest = new PackageManifest(PackageLayout.Name, request.Version, buildDate, git.Commit, git.Branch, request.BuildUser, signer is not null, listed);
            var manifestJson = manifest.ToJson();
            Write(stage, PackageLayout.ManifestFile, manifestJson);
            var sums = ChecksumList.Write([.. listed.Select(f => new ChecksumEntry(f.Path, f.Sha256)), new ChecksumEntry(PackageLayout.ManifestFile, FileDigest.Sha256(manifestJson))]);
            Write(stage, PackageLayout.ChecksumFile, sums);

            if (signer is null)
            {
                progress.Warning($"the package is UNSIGNED (no --signing-key): {PackageLayout.SignatureFile} is not written and verify will report it");
            }
            else
            {
                progress.Step($"signing {PackageLayout.ChecksumFile} with key {signer.Fingerprint} ({signer.UserId})");
                Write(stage, PackageLayout.SignatureFile, signer.SignDetached(sums, buildDate));
            }

            foreach (var path in existing)
            {
                DeleteIfPresent(path);
            }

            Directory.Move(stage, folder);
            progress.Step($"archiving {Path.GetFileName(tarGz)}");
            var tarInfo = WriteArchive(tarGz, partial => ReproducibleArchive.WriteTarGz(folder, partial, buildDate));
            progress.Step($"archiving {Path.GetFileName(zip)}");
            var zipInfo = WriteArchive(zip, partial => ReproducibleArchive.WriteZip(folder, partial, buildDate));

            var all = PackageTree.Files(folder).ToList();
            return new PackageBuildResult(
                request.Version,
                folder,
                all.Count,
                all.Sum(f => new FileInfo(f.FullPath).Length),
                tarInfo,
                zipInfo,
                signer?.Fingerprint,
                components.Count,
                buildDate,
                time.GetElapsedTime(started));
        }
        finally
        {
            DeleteIfPresent(stage);
            DeleteIfPresent(scratch.FullName);
        }
    }

    private async Task<string> StageBinariesAsync(PackageBuildRequest request, string stage, string scratch, CancellationToken cancellationToken)
    {
        string published;
        string assets;
        if (request.BinariesFolder is { } given)
        {
            published = Path.GetFullPath(given);
            assets = request.DependenciesFile ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(request.Project))!, "obj", "project.assets.json");
            progress.Step($"using the published application in {published}");
        }
        else
        {
            published = Path.Combine(scratch, "publish");
            progress.Step($"publishing {request.Project} (clean dotnet publish -c Release -r {DotnetPublisher.RuntimeIdentifier} --self-contained false, build files in {DotnetPublisher.ArtifactsFolder(request.Project)})");
            var publishStarted = time.GetTimestamp();
            assets = await DotnetPublisher.PublishAsync(request.Project, published, cancellationToken);
            progress.Step($"published in {time.GetElapsedTime(publishStarted).TotalSeconds:F1} s");
        }

        var binaries = PackageTree.Files(published).Where(f => f.Path != "VERSION.txt").ToList();
        progress.Step($"copying {binaries.Count} application files into binaries/");
        foreach (var file in binaries)
        {
            var target = $"binaries/{file.Path}";
            if (PackagePath.Problem(target) is { } why)
            {
                throw new PackagingException($"{file.FullPath} cannot be packaged: {why}");
            }

            Copy(file.FullPath, PackagePath.Combine(stage, target), FileModes.ForFile(target, file.FullPath));
        }

        var executable = PackagePath.Combine(stage, PackageLayout.ExecutableFile);
        if (!File.Exists(executable))
        {
            // A .NET tool's application (the kit an installed tool packages) has no app host; deploy.sh and the units start binaries/spacetime.
            progress.Step($"the application has no app host (a .NET tool's): {PackageLayout.ExecutableFile} starts spacetime.dll with dotnet");
            File.WriteAllText(executable, "#!/bin/sh\n# Starts the framework-dependent application with the installed .NET runtime.\nexec dotnet \"$(dirname \"$0\")/spacetime.dll\" \"$@\"\n");
            FileModes.Set(executable, FileModes.Executable);
        }

        return assets;
    }

    /// <summary>The published app reads its settings from binaries/config; a stale publish would ship settings that differ from the checkout's.</summary>
    private static void CheckPublishedConfig(string sourceRoot, string stage)
    {
        var config = Path.Combine(sourceRoot, "config");
        if (!Directory.Exists(config))
        {
            return;
        }

        foreach (var source in Directory.EnumerateFiles(config, "*.json").Order(StringComparer.Ordinal))
        {
            var packaged = PackagePath.Combine(stage, $"binaries/config/{Path.GetFileName(source)}");
            if (!File.Exists(packaged))
            {
                throw new PackagingException($"binaries/config/{Path.GetFileName(source)} is missing from the published application (config/{Path.GetFileName(source)} is in the checkout): publish again");
            }

            if (!File.ReadAllBytes(packaged).AsSpan().SequenceEqual(File.ReadAllBytes(source)))
            {
                throw new PackagingException($"binaries/config/{Path.GetFileName(source)} differs from config/{Path.GetFileName(source)} in the checkout: publish again");
            }
        }
    }

    private List<(NuGetPackage Package, PackageLicense? License)> ReadDependencies(string assets, string? packagesFolder)
    {
        var components = new List<(NuGetPackage, PackageLicense?)>();
        foreach (var package in NuGetPackageGraph.Read(assets, packagesFolder))
        {
            var license = package.NuspecPath is { } nuspec ? NuspecLicense.Read(nuspec) : null;
            if (license is null)
            {
                progress.Warning($"sbom: no licence found for {package.Id} {package.Version}{(package.NuspecPath is null ? " (its .nuspec is not in the NuGet packages folder)" : "")}");
            }

            components.Add((package, license));
        }

        return components;
    }

    private static ArchiveFile WriteArchive(string path, Action<string> write)
    {
        var partial = path + ".partial";
        try
        {
            write(partial);
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }

        return new ArchiveFile(path, new FileInfo(path).Length, FileDigest.Sha256(path));
    }

    private static void Copy(string source, string target, UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target, overwrite: true);
        FileModes.Set(target, mode);
    }

    private static void Write(string stage, string path, byte[] contents)
    {
        var target = PackagePath.Combine(stage, path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllBytes(target, contents);
        FileModes.Set(target, FileModes.Regular);
    }

    private static void DeleteIfPresent(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
