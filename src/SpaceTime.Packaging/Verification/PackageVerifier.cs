using System.Text;
using SpaceTime.Packaging.Archives;
using SpaceTime.Packaging.Layout;
using SpaceTime.Packaging.Manifest;
using SpaceTime.Packaging.Signing;

namespace SpaceTime.Packaging.Verification;

/// <summary>
/// Checks a package folder or archive: the layout, MANIFEST.json (schema, and every file's presence, size and SHA-256, with no
/// unlisted extras), SHA256SUMS (every line, same set of files), script modes, and the signature against trusted keys.
/// </summary>
public static class PackageVerifier
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static VerificationReport Verify(string path, VerifyOptions options)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return new FolderCheck(full, full, options).Run([]);
        }

        if (!File.Exists(full))
        {
            return Failed(full, $"{path} does not exist");
        }

        if (!SafeArchiveExtractor.IsArchive(full))
        {
            return Failed(full, $"{path} is not a package folder, .tar.gz or .zip");
        }

        var scratch = Directory.CreateTempSubdirectory("spacetime-verify-");
        try
        {
            var extraction = SafeArchiveExtractor.Extract(full, scratch.FullName);
            var refused = extraction.Problems.Select(p => new VerificationProblem(Path.GetFileName(full), p)).ToList();
            return extraction.PackageFolder is { } folder && Directory.Exists(folder)
                ? new FolderCheck(folder, full, options).Run(refused)
                : new VerificationReport(full, null, 0, SignatureState.Unsigned, null, refused, []);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static VerificationReport Failed(string target, string message) =>
        new(target, null, 0, SignatureState.Unsigned, null, [new VerificationProblem(Path.GetFileName(target), message)], []);

    private sealed class FolderCheck(string root, string target, VerifyOptions options)
    {
        private readonly List<VerificationProblem> _problems = [];
        private readonly List<string> _notes = [];
        private readonly Dictionary<string, string> _digests = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, string> _files = new(StringComparer.Ordinal);

        public VerificationReport Run(IEnumerable<VerificationProblem> earlier)
        {
            _problems.AddRange(earlier);
            Walk(new DirectoryInfo(root), "");
            CheckLayout();
            var manifest = ReadManifest();
            CheckToolPackage(manifest);
            var (sumsBytes, sums) = ReadChecksums();
            CheckFiles(manifest, sums);
            var (state, signer) = CheckSignature(manifest, sumsBytes);
            CheckScriptModes();
            return new VerificationReport(target, manifest?.Version?.Text, _files.Count, state, signer, _problems, _notes);
        }

        private void Problem(string path, string message) => _problems.Add(new VerificationProblem(path, message));

        /// <summary>Records every regular file; links are reported, never followed.</summary>
        private void Walk(DirectoryInfo folder, string prefix)
        {
            foreach (var item in folder.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                var path = prefix + item.Name;
                if (item.LinkTarget is { } link)
                {
                    Problem(path, $"is a symbolic link (to {link}); a package holds regular files only");
                }
                else if (item is DirectoryInfo directory)
                {
                    Walk(directory, path + "/");
                }
                else if (item is FileInfo file && RegularFile.Is(file.FullName))
                {
                    _files[path] = file.FullName;
                }
                else
                {
                    Problem(path, "is not a regular file");
                }
            }
        }

        private string Digest(string path) => _digests.TryGetValue(path, out var digest) ? digest : _digests[path] = FileDigest.Sha256(_files[path]);

        private void CheckLayout()
        {
            foreach (var directory in PackageLayout.RequiredDirectories.Where(d => !Directory.Exists(PackagePath.Combine(root, d))))
            {
                Problem($"{directory}/", "missing: the package layout requires this folder");
            }

            foreach (var file in PackageLayout.RequiredFiles.Where(f => !_files.ContainsKey(f)))
            {
                Problem(file, "missing: the package layout requires this file");
            }
        }

        /// <summary>The release's .NET tool package: present under the manifest's version and installable (id, version, tool settings).</summary>
        private void CheckToolPackage(PackageManifest? manifest)
        {
            if (manifest?.Version is not { } version)
            {
                return;
            }

            var path = PackageLayout.ToolPackageFile(version);
            if (!_files.TryGetValue(path, out var file))
            {
                Problem(path, "missing: the package layout requires the .NET tool package of its version");
                return;
            }

            foreach (var problem in Tool.DotnetToolPackage.Problems(file, version))
            {
                Problem(path, problem);
            }
        }

        private PackageManifest? ReadManifest()
        {
            if (!_files.TryGetValue(PackageLayout.ManifestFile, out var file))
            {
                return null;
            }

            var schema = new List<string>();
            var manifest = PackageManifest.Read(File.ReadAllBytes(file), schema);
            foreach (var problem in schema)
            {
                Problem(PackageLayout.ManifestFile, problem);
            }

            if (manifest?.Version is { } version && Path.GetFileName(root) != PackageLayout.FolderName(version))
            {
                Problem($"{Path.GetFileName(root)}/", $"the package folder should be named {PackageLayout.FolderName(version)} (MANIFEST.json version {version})");
            }

            return manifest;
        }

        private (byte[]? Bytes, Dictionary<string, string>? Entries) ReadChecksums()
        {
            if (!_files.TryGetValue(PackageLayout.ChecksumFile, out var file))
            {
                return (null, null);
            }

            var bytes = File.ReadAllBytes(file);
            string text;
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                Problem(PackageLayout.ChecksumFile, "is not UTF-8 text");
                return (bytes, null);
            }

            var format = new List<string>();
            var entries = ChecksumList.Parse(text, format);
            foreach (var problem in format)
            {
                Problem(PackageLayout.ChecksumFile, problem);
            }

            return (bytes, entries.ToDictionary(e => e.Path, e => e.Sha256, StringComparer.Ordinal));
        }

        /// <summary>
        /// Every file against MANIFEST.json and SHA256SUMS. When the two disagree about a file, the one that disagrees with the
        /// file's bytes is the one that was changed, and it is the one named.
        /// </summary>
        private void CheckFiles(PackageManifest? manifest, Dictionary<string, string>? sums)
        {
            const string Manifest = PackageLayout.ManifestFile;
            const string Sums = PackageLayout.ChecksumFile;
            var listed = manifest?.Files.ToDictionary(f => f.Path, StringComparer.Ordinal) ?? [];
            foreach (var file in manifest?.Files ?? [])
            {
                var summed = sums?.GetValueOrDefault(file.Path);
                if (!_files.TryGetValue(file.Path, out var onDisk))
                {
                    Problem(file.Path, $"missing: {(summed is null ? Manifest : $"{Manifest} and {Sums}")} list it");
                    continue;
                }

                var actual = Digest(file.Path);
                if (file.Sha256 != actual && summed == actual)
                {
                    Problem(Manifest, $"lists {file.Path} with sha256 {file.Sha256}, but the file and {Sums} have {actual}");
                }
                else if (summed is not null && summed != actual && file.Sha256 == actual)
                {
                    Problem(Sums, $"lists {file.Path} with sha256 {summed}, but the file and {Manifest} have {actual}");
                }
                else
                {
                    if (file.Sha256 != actual)
                    {
                        Problem(file.Path, $"sha256 is {actual}, {Manifest} says {file.Sha256}");
                    }

                    if (summed is not null && summed != actual)
                    {
                        Problem(file.Path, $"sha256 is {actual}, {Sums} says {summed}");
                    }
                }

                var size = new FileInfo(onDisk).Length;
                if (size != file.Size)
                {
                    Problem(file.Sha256 == actual ? Manifest : file.Path, file.Sha256 == actual
                        ? $"lists {file.Path} with size {file.Size}, but the file has {size} bytes"
                        : $"size is {size} bytes, {Manifest} says {file.Size}");
                }

                if (sums is not null && summed is null)
                {
                    Problem(file.Path, $"not listed in {Sums}");
                }
            }

            if (manifest is not null)
            {
                foreach (var extra in _files.Keys.Where(p => !PackageLayout.IsMetadata(p) && !listed.ContainsKey(p)))
                {
                    Problem(extra, $"not listed in {Manifest} (a file was added)");
                }
            }

            foreach (var (path, sha) in sums ?? [])
            {
                if (path == Manifest)
                {
                    if (_files.ContainsKey(Manifest) && Digest(Manifest) != sha)
                    {
                        Problem(Manifest, $"sha256 is {Digest(Manifest)}, {Sums} says {sha}");
                    }
                }
                else if (manifest is not null && !listed.ContainsKey(path))
                {
                    Problem(Sums, $"lists {path}, which {Manifest} does not");
                }
                else if (manifest is null)
                {
                    if (!_files.ContainsKey(path))
                    {
                        Problem(path, $"missing: {Sums} lists it");
                    }
                    else if (Digest(path) != sha)
                    {
                        Problem(path, $"sha256 is {Digest(path)}, {Sums} says {sha}");
                    }
                }
            }

            if (sums is not null && _files.ContainsKey(Manifest) && !sums.ContainsKey(Manifest))
            {
                Problem(Manifest, $"not listed in {Sums}");
            }
        }

        private (SignatureState State, string? Signer) CheckSignature(PackageManifest? manifest, byte[]? sums)
        {
            const string Asc = PackageLayout.SignatureFile;
            if (!_files.TryGetValue(Asc, out var file))
            {
                if (manifest is { Signed: true })
                {
                    Problem(Asc, "missing, but MANIFEST.json says the package was signed: the signature was removed");
                }
                else if (options.TrustedKeys is not null)
                {
                    // A trusted key asks for proof of origin; an unsigned package cannot give it, whatever else was allowed.
                    Problem(Asc, "missing: a public key was given, but the package is unsigned");
                }
                else if (options.AllowUnsigned)
                {
                    _notes.Add("the package is unsigned (accepted with --allow-unsigned)");
                }
                else
                {
                    Problem(Asc, "missing: the package is unsigned (pass --allow-unsigned to accept an unsigned package)");
                }

                return (SignatureState.Unsigned, null);
            }

            if (sums is null)
            {
                Problem(Asc, "cannot be checked: SHA256SUMS is missing");
                return (SignatureState.Invalid, null);
            }

            if (manifest is { Signed: false })
            {
                _notes.Add("MANIFEST.json says the build was unsigned: SHA256SUMS.asc was added afterwards");
            }

            var signature = File.ReadAllBytes(file);
            if (options.TrustedKeys is { } trusted)
            {
                var check = SignatureVerifier.Verify(sums, signature, trusted);
                if (!check.IsValid)
                {
                    Problem(Asc, $"bad signature of SHA256SUMS: {check.Message}");
                    return (SignatureState.Invalid, check.SignerFingerprint);
                }

                _notes.Add($"signature: {check.Message} (trusted key from {trusted.Source})");
                return (SignatureState.Verified, check.SignerFingerprint);
            }

            // Without a trusted key the bundled key can still show the signature is intact, but anyone can re-sign a package and
            // ship their own key beside it, so this never counts as verified.
            const string Untrusted = "not verified against a trusted key: pass --public-key FILE with the release key from a trusted channel (the key inside the package proves nothing about who made it)";
            if (_files.TryGetValue(PackageLayout.PublicKeyFile, out var bundledFile))
            {
                SignatureCheck bundled;
                try
                {
                    bundled = SignatureVerifier.Verify(sums, signature, TrustedKeys.Parse(File.ReadAllBytes(bundledFile), PackageLayout.PublicKeyFile));
                }
                catch (SigningKeyException e)
                {
                    bundled = new SignatureCheck(false, e.Message, null);
                }

                if (!bundled.IsValid)
                {
                    Problem(Asc, $"does not even match the key shipped in the package: {bundled.Message}");
                    return (SignatureState.Invalid, bundled.SignerFingerprint);
                }

                _notes.Add($"signature matches the key shipped in the package ({bundled.SignerFingerprint}), which is not a trusted key");
            }

            if (options.AllowUnsigned)
            {
                _notes.Add($"signature {Untrusted}");
            }
            else
            {
                Problem(Asc, Untrusted);
            }

            return (SignatureState.Untrusted, null);
        }

        private void CheckScriptModes()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            foreach (var (path, file) in _files.Where(f => f.Key.EndsWith(".sh", StringComparison.Ordinal)))
            {
                if (!FileModes.IsExecutable(file))
                {
                    Problem(path, $"is not executable (mode {FileModes.Octal(File.GetUnixFileMode(file))}); scripts must be 0755");
                }
            }
        }
    }
}
