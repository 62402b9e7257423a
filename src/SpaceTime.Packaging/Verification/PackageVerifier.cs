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
            var manifest = CheckManifest();
            var sums = CheckChecksums(manifest);
            var (state, signer) = CheckSignature(manifest, sums);
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
                else if (item is FileInfo file && (file.Attributes & FileAttributes.Device) == 0)
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

        private PackageManifest? CheckManifest()
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

            if (manifest is null)
            {
                return null;
            }

            if (manifest.Version is { } version && Path.GetFileName(root) != PackageLayout.FolderName(version))
            {
                Problem($"{Path.GetFileName(root)}/", $"the package folder should be named {PackageLayout.FolderName(version)} (MANIFEST.json version {version})");
            }

            foreach (var listed in manifest.Files)
            {
                if (!_files.TryGetValue(listed.Path, out var onDisk))
                {
                    Problem(listed.Path, "missing: MANIFEST.json lists it");
                    continue;
                }

                var size = new FileInfo(onDisk).Length;
                if (size != listed.Size)
                {
                    Problem(listed.Path, $"size is {size} bytes, MANIFEST.json says {listed.Size}");
                }

                if (Digest(listed.Path) != listed.Sha256)
                {
                    Problem(listed.Path, $"sha256 is {Digest(listed.Path)}, MANIFEST.json says {listed.Sha256}");
                }
            }

            var known = manifest.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var extra in _files.Keys.Where(p => !PackageLayout.IsMetadata(p) && !known.Contains(p)))
            {
                Problem(extra, "not listed in MANIFEST.json (a file was added)");
            }

            return manifest;
        }

        private byte[]? CheckChecksums(PackageManifest? manifest)
        {
            if (!_files.TryGetValue(PackageLayout.ChecksumFile, out var file))
            {
                return null;
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
                return bytes;
            }

            var format = new List<string>();
            var entries = ChecksumList.Parse(text, format);
            foreach (var problem in format)
            {
                Problem(PackageLayout.ChecksumFile, problem);
            }

            foreach (var entry in entries)
            {
                if (!_files.ContainsKey(entry.Path))
                {
                    Problem(entry.Path, "missing: SHA256SUMS lists it");
                }
                else if (Digest(entry.Path) != entry.Sha256)
                {
                    Problem(entry.Path, $"sha256 is {Digest(entry.Path)}, SHA256SUMS says {entry.Sha256}");
                }
            }

            if (manifest is not null)
            {
                var expected = manifest.Files.Select(f => f.Path).Append(PackageLayout.ManifestFile).ToHashSet(StringComparer.Ordinal);
                var summed = entries.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
                foreach (var path in expected.Where(p => !summed.Contains(p)).Order(StringComparer.Ordinal))
                {
                    Problem(path, "not listed in SHA256SUMS");
                }

                foreach (var path in summed.Where(p => !expected.Contains(p)).Order(StringComparer.Ordinal))
                {
                    Problem(PackageLayout.ChecksumFile, $"lists {path}, which MANIFEST.json does not");
                }
            }

            return bytes;
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
                    Problem(Asc, check.Message);
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
