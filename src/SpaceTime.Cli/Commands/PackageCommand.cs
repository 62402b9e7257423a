using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using SpaceTime.Packaging;
using SpaceTime.Packaging.Building;
using SpaceTime.Packaging.Layout;
using SpaceTime.Packaging.Manifest;
using SpaceTime.Packaging.Signing;
using SpaceTime.Packaging.Verification;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime package build|verify|keygen</c>: release packages (layout, manifest, SBOM, checksums, OpenPGP signature, archives).</summary>
internal static class PackageCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static Command Create() => new("package", "Build, sign and verify release packages (spacetime-vr-vX.Y.Z folder, .tar.gz and .zip).")
    {
        Build(),
        Verify(),
        Keygen(),
    };

    private static Command Build()
    {
        var version = new Option<string>("--version") { Description = "Release version, a semantic version such as 2.5.0 or 2.5.0-rc.1.", Required = true };
        var output = new Option<string>("--output") { Description = "Folder to write spacetime-vr-vX.Y.Z/, .tar.gz and .zip into.", Required = true };
        var source = new Option<string?>("--source") { Description = "Repository checkout to package. Default: the folder holding SpaceTime.slnx at or above the current one; outside a checkout, the release kit this tool carries, with its own application." };
        var project = new Option<string?>("--project") { Description = "Application project to publish. Default: SOURCE/src/SpaceTime.Cli/SpaceTime.Cli.csproj." };
        var binaries = new Option<string?>("--binaries") { Description = "Package this already-published application folder instead of running dotnet publish." };
        var signingKey = new Option<string?>("--signing-key") { Description = "OpenPGP secret key file (from `package keygen`) to sign SHA256SUMS with. Without it the package is unsigned." };
        var passphraseFile = new Option<string?>("--passphrase-file") { Description = "File whose first line is the signing key's passphrase." };
        var force = new Option<bool>("--force") { Description = "Replace an existing package of the same version in the output folder." };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary on standard output (progress stays on standard error)." };
        var command = new Command("build", "Publish the app and package it with the deploy kit, docs, SBOM, MANIFEST.json, SHA256SUMS and signature. Honours SOURCE_DATE_EPOCH for reproducible archives.")
        {
            version, output, source, project, binaries, signingKey, passphraseFile, force, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var parsedVersion = SemanticVersion.Parse(parse.GetValue(version)!);
            var epoch = SourceDateEpoch.Parse(Environment.GetEnvironmentVariable(SourceDateEpoch.VariableName));
            var key = parse.GetValue(signingKey) is { } keyFile ? ReleaseSigningKey.Load(keyFile, ReadPassphrase(parse.GetValue(passphraseFile))) : null;
            var sourceRoot = parse.GetValue(source) is { } given
                ? Directory.Exists(given) ? Path.GetFullPath(given) : throw new PackagingException($"--source {given} is not a folder")
                : RepositoryRoot.TryFind(Environment.CurrentDirectory);
            var request = sourceRoot is null
                ? BundledRequest(parsedVersion, parse.GetValue(output)!) with { BinariesFolder = parse.GetValue(binaries) ?? AppContext.BaseDirectory }
                : new PackageBuildRequest(parsedVersion, sourceRoot, parse.GetValue(output)!)
                {
                    ProjectFile = parse.GetValue(project) is { } p ? Path.GetFullPath(p) : null,
                    BinariesFolder = parse.GetValue(binaries),
                };
            request = request with { SigningKey = key, SourceDateEpoch = epoch, Overwrite = parse.GetValue(force) };

            var result = await new PackageBuilder(TimeProvider.System, new ConsoleProgress()).BuildAsync(request, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(
                    new
                    {
                        Name = PackageLayout.Name,
                        Version = result.Version.Text,
                        result.PackageFolder,
                        result.FileCount,
                        result.TotalSize,
                        BuildDate = PackageManifest.FormatDate(result.BuildDate),
                        Signed = result.SignerFingerprint is not null,
                        result.SignerFingerprint,
                        result.SbomComponents,
                        ElapsedSeconds = Math.Round(result.Elapsed.TotalSeconds, 2),
                        Archives = new[] { result.TarGz, result.Zip },
                    },
                    Json));
            }
            else
            {
                Console.WriteLine($"{PackageLayout.Name} {result.Version} packaged in {result.Elapsed.TotalSeconds:F1} s");
                Console.WriteLine($"  folder  {result.PackageFolder} ({result.FileCount} files, {Size(result.TotalSize)})");
                foreach (var archive in new[] { result.TarGz, result.Zip })
                {
                    Console.WriteLine($"  archive {archive.Path} ({Size(archive.Size)}, sha256 {archive.Sha256})");
                }

                Console.WriteLine(result.SignerFingerprint is { } fingerprint ? $"  signed  by {fingerprint}" : "  UNSIGNED");
            }

            return 0;
        }));
        return command;
    }

    private static Command Verify()
    {
        var path = new Argument<string>("PATH") { Description = "A package folder, .tar.gz or .zip." };
        var publicKey = new Option<string?>("--public-key") { Description = "The trusted release public key. Required for the signature to count: the key shipped inside a package proves nothing." };
        var allowUnsigned = new Option<bool>("--allow-unsigned") { Description = "Accept a package that is unsigned or whose signature is not checked against --public-key (checksums are still checked)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("verify", "Check a package's layout, MANIFEST.json, SHA256SUMS, script modes and signature; exit non-zero naming each problem.")
        {
            path, publicKey, allowUnsigned, json,
        };
        command.SetAction(parse => CliErrors.RunAsync(() =>
        {
            var trusted = parse.GetValue(publicKey) is { } keyFile ? TrustedKeys.Load(keyFile) : null;
            var report = PackageVerifier.Verify(parse.GetValue(path)!, new VerifyOptions(trusted, parse.GetValue(allowUnsigned)));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Json));
            }
            else
            {
                Console.WriteLine($"verifying {report.Target} ({PackageLayout.Name} {report.Version ?? "?"}, {report.FileCount} files)");
                foreach (var note in report.Notes)
                {
                    Console.WriteLine($"  note: {note}");
                }

                foreach (var problem in report.Problems)
                {
                    Console.WriteLine($"  PROBLEM {problem}");
                }

                Console.WriteLine(report.Passed
                    ? $"OK: {PackageLayout.Name} {report.Version}, {report.FileCount} files, signature {report.Signature.ToString().ToLowerInvariant()}{(report.SignerFingerprint is { } f ? $" ({f})" : "")}"
                    : $"FAILED: {report.Problems.Count} problem(s)");
            }

            return Task.FromResult(report.Passed ? 0 : CliErrors.Failure);
        }));
        return command;
    }

    private static Command Keygen()
    {
        var output = new Option<string>("--output") { Description = "Folder for spacetime-release.secret.asc (mode 0600) and spacetime-release.public.asc.", Required = true };
        var name = new Option<string>("--name") { Description = "Name on the key.", DefaultValueFactory = _ => "SpaceTime Release" };
        var email = new Option<string>("--email") { Description = "Email on the key.", DefaultValueFactory = _ => "release@spacetime.invalid" };
        var passphraseFile = new Option<string?>("--passphrase-file") { Description = "Protect the secret key with the first line of this file (AES-256). Without it the secret key is stored unencrypted." };
        var force = new Option<bool>("--force") { Description = "Replace existing key files." };
        var command = new Command("keygen", "Create an Ed25519 OpenPGP release key pair that gpg imports and `package build --signing-key` uses.")
        {
            output, name, email, passphraseFile, force,
        };
        command.SetAction(parse => CliErrors.RunAsync(() =>
        {
            var passphrase = ReadPassphrase(parse.GetValue(passphraseFile));
            var key = ReleaseKeyGenerator.Generate(parse.GetValue(name)!, parse.GetValue(email)!, passphrase, TimeProvider.System.GetUtcNow());
            var (secret, @public) = ReleaseKeyFiles.Write(parse.GetValue(output)!, key, parse.GetValue(force));
            Console.WriteLine($"key {key.Fingerprint} ({key.UserId}){(passphrase is null ? ", secret key NOT passphrase-protected" : "")}");
            Console.WriteLine($"  secret {secret} (mode 0600: keep it off the build machines that do not sign)");
            Console.WriteLine($"  public {@public} (publish it through a channel users trust; verify with --public-key)");
            return Task.FromResult(0);
        }));
        return command;
    }

    /// <summary>Outside a checkout: this tool's own application and the release kit it carries (<see cref="BundledKit"/>).</summary>
    private static PackageBuildRequest BundledRequest(SemanticVersion version, string output)
    {
        var kit = BundledKit.Beside(AppContext.BaseDirectory)
            ?? throw new PackagingException($"no {RepositoryRoot.Marker} in {Environment.CurrentDirectory} or any folder above it, and this spacetime carries no release kit: run from the repository checkout or pass --source DIR");
        var commit = typeof(PackageCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+') is [_, var c] ? c : GitCheckout.Unknown;
        return kit.Request(version, output, new GitCheckout(commit, GitCheckout.Unknown, []));
    }

    private static string? ReadPassphrase(string? file)
    {
        if (file is null)
        {
            return null;
        }

        try
        {
            return File.ReadLines(file).FirstOrDefault() ?? throw new PackagingException($"passphrase file {file} is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PackagingException($"cannot read passphrase file {file}: {e.Message}", e);
        }
    }

    private static string Size(long bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB");

    /// <summary>Progress lines on standard error, so standard output stays the result (and valid JSON with --json).</summary>
    private sealed class ConsoleProgress : IBuildProgress
    {
        public void Step(string message) => Console.Error.WriteLine($"package: {message}");

        public void Warning(string message) => Console.Error.WriteLine($"package: warning: {message}");
    }
}
