using SpaceTime.Packaging.Manifest;

namespace SpaceTime.Packaging.Layout;

/// <summary>The release package layout: the folder name and the entries every package must have.</summary>
public static class PackageLayout
{
    public const string Name = "spacetime-vr";
    public const string ManifestFile = "MANIFEST.json";
    public const string ChecksumFile = "SHA256SUMS";
    public const string SignatureFile = "SHA256SUMS.asc";
    public const string VersionFile = "binaries/VERSION.txt";
    public const string SbomFile = "security/sbom.cdx.json";
    public const string PublicKeyFile = "security/spacetime-release.public.asc";
    public const string ReleaseNotesFile = "RELEASE_NOTES.md";
    public const string ChecklistFile = "DEPLOYMENT_CHECKLIST.md";

    /// <summary>The folder feed holding the release's .NET tool package (<c>SpaceTime.Cli.X.Y.Z.nupkg</c>).</summary>
    public const string ToolFeedFolder = "nuget";

    /// <summary>The main assembly of the published application, as it sits in the package.</summary>
    public const string ApplicationFile = "binaries/spacetime.dll";

    /// <summary>The executable the release's scripts and service units start (the app host, or a launcher script).</summary>
    public const string ExecutableFile = "binaries/spacetime";

    public static IReadOnlyList<string> RequiredDirectories { get; } =
    [
        "binaries",
        "config/production",
        "config/staging",
        "config/development",
        "scripts/deployment",
        "scripts/maintenance",
        "scripts/migration",
        "kubernetes",
        "monitoring",
        "docs",
        "tests/smoke",
        "security",
        ToolFeedFolder,
    ];

    /// <summary>Files every package has. <see cref="SignatureFile"/> is not among them: an unsigned package is a signature problem, not a layout one.</summary>
    public static IReadOnlyList<string> RequiredFiles { get; } =
    [
        ApplicationFile,
        VersionFile,
        .. SourceMap.Default.Where(r => r.Required && r.Kind == SourceKind.File).Select(r => r.Target),
        SbomFile,
        ReleaseNotesFile,
        ChecklistFile,
        ManifestFile,
        ChecksumFile,
    ];

    public static string FolderName(SemanticVersion version) => $"{Name}-v{version}";

    /// <summary>The .NET tool package of a version: listed in MANIFEST.json and SHA256SUMS like every file, so the signature covers it.</summary>
    public static string ToolPackageFile(SemanticVersion version) => $"{ToolFeedFolder}/{Tool.DotnetToolPackage.FileName(version)}";

    /// <summary>Files that describe the others and so are not listed in the manifest.</summary>
    public static bool IsMetadata(string path) => path is ManifestFile or ChecksumFile or SignatureFile;
}
