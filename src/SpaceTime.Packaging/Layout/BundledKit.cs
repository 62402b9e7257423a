using SpaceTime.Packaging.Building;
using SpaceTime.Packaging.Manifest;

namespace SpaceTime.Packaging.Layout;

/// <summary>
/// The release kit the <c>spacetime</c> tool carries in <c>kit/</c> beside its application, so <c>package build</c> works from
/// an installed tool with no SpaceTime checkout: the repository files <see cref="SourceMap"/> packages (deploy kit, docs,
/// security policies) at their repository paths, and for the SBOM's licences a copy of the .nuspec of each NuGet package
/// (<c>sbom/packages/</c>, laid out as NuGet's). The application packaged is the tool's own, so the release is the very build that
/// runs; its packages are read from its <c>spacetime.deps.json</c>, which holds no path of the machine it was built on.
/// </summary>
public sealed class BundledKit
{
    public const string FolderName = "kit";

    private BundledKit(string application)
    {
        Application = application;
        Root = Path.Combine(application, FolderName);
    }

    /// <summary>The application folder the kit sits in: what the release's <c>binaries/</c> holds.</summary>
    public string Application { get; }

    /// <summary>The kit itself: laid out as a checkout, so it is a <see cref="PackageBuildRequest.SourceRoot"/>.</summary>
    public string Root { get; }

    /// <summary>The application's packages, for the SBOM.</summary>
    public string DependenciesFile => Path.Combine(Application, "spacetime.deps.json");

    public string NuGetPackagesFolder => Path.Combine(Root, "sbom", "packages");

    /// <summary>The kit beside <paramref name="applicationFolder"/>, or null when that application carries none.</summary>
    public static BundledKit? Beside(string applicationFolder) =>
        Directory.Exists(Path.Combine(applicationFolder, FolderName)) ? new BundledKit(Path.GetFullPath(applicationFolder)) : null;

    /// <summary>A build of this kit with its application; <paramref name="provenance"/> is the commit the application was built from.</summary>
    public PackageBuildRequest Request(SemanticVersion version, string outputFolder, GitCheckout provenance) => new(version, Root, outputFolder)
    {
        BinariesFolder = Application,
        DependenciesFile = DependenciesFile,
        NuGetPackagesFolder = NuGetPackagesFolder,
        Provenance = provenance,
    };
}
