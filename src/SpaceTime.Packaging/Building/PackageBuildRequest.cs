using SpaceTime.Packaging.Manifest;
using SpaceTime.Packaging.Signing;

namespace SpaceTime.Packaging.Building;

/// <summary>What to package and where.</summary>
public sealed record PackageBuildRequest(SemanticVersion Version, string SourceRoot, string OutputFolder)
{
    /// <summary>The application project; default <c>src/SpaceTime.Cli/SpaceTime.Cli.csproj</c> under <see cref="SourceRoot"/>.</summary>
    public string? ProjectFile { get; init; }

    /// <summary>An already-published application to package instead of publishing one.</summary>
    public string? BinariesFolder { get; init; }

    /// <summary>
    /// What lists the application's NuGet packages (for the SBOM): a restore output or the application's .deps.json; default: the
    /// restore output of <see cref="Project"/>.
    /// </summary>
    public string? DependenciesFile { get; init; }

    /// <summary>Where the packages' .nuspec files are (for their licences); default: the package folders of the restore.</summary>
    public string? NuGetPackagesFolder { get; init; }

    /// <summary>The commit the application was built from, when it is known without reading <see cref="SourceRoot"/> with git.</summary>
    public GitCheckout? Provenance { get; init; }

    /// <summary>Signs SHA256SUMS when set; the package is unsigned otherwise.</summary>
    public ReleaseSigningKey? SigningKey { get; init; }

    /// <summary>The build time to record and stamp on archive entries; the current time when null.</summary>
    public DateTimeOffset? SourceDateEpoch { get; init; }

    /// <summary>Replace an existing package of the same version in <see cref="OutputFolder"/>.</summary>
    public bool Overwrite { get; init; }

    public string BuildUser { get; init; } = Environment.UserName;

    public string Project => ProjectFile ?? Path.Combine(SourceRoot, "src", "SpaceTime.Cli", "SpaceTime.Cli.csproj");
}

/// <summary>An archive the build wrote.</summary>
public sealed record ArchiveFile(string Path, long Size, string Sha256);

/// <summary>What the build produced.</summary>
public sealed record PackageBuildResult(
    SemanticVersion Version,
    string PackageFolder,
    int FileCount,
    long TotalSize,
    ArchiveFile TarGz,
    ArchiveFile Zip,
    string? SignerFingerprint,
    int SbomComponents,
    DateTimeOffset BuildDate,
    TimeSpan Elapsed);

/// <summary>Where the build reports what it is doing.</summary>
public interface IBuildProgress
{
    void Step(string message);

    void Warning(string message);
}
