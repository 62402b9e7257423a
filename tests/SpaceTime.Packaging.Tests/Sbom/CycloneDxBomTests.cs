using System.Text.Json;
using SpaceTime.Packaging.Manifest;
using SpaceTime.Packaging.Sbom;

namespace SpaceTime.Packaging.Tests.Sbom;

public sealed class CycloneDxBomTests
{
    private static JsonElement Bom(FakeRepository repo, string version = "2.5.0")
    {
        var packages = NuGetPackageGraph.Read(Path.Combine(repo.Root, "src/SpaceTime.Cli/obj/project.assets.json"));
        var components = packages.Select(p => (p, p.NuspecPath is null ? null : NuspecLicense.Read(p.NuspecPath))).ToList();
        return JsonDocument.Parse(CycloneDxBom.Write(SemanticVersion.Parse(version), DateTimeOffset.FromUnixTimeSeconds(1_733_000_000), components)).RootElement;
    }

    [Fact]
    public void Write_FakeRestoreOutput_ListsEveryTransitivePackageWithPurlAndLicence()
    {
        using var repo = FakeRepository.Create();

        var bom = Bom(repo);

        Assert.Equal("CycloneDX", bom.GetProperty("bomFormat").GetString());
        Assert.Equal("1.5", bom.GetProperty("specVersion").GetString());
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", bom.GetProperty("serialNumber").GetString());
        var components = bom.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(["Alpha", "Beta", "Gamma"], components.Keys.Order(StringComparer.Ordinal));
        Assert.All(components.Values, c => Assert.Equal("library", c.GetProperty("type").GetString()));
        Assert.Equal("pkg:nuget/Beta@2.1.0", components["Beta"].GetProperty("purl").GetString());
        Assert.Equal("MIT", components["Alpha"].GetProperty("licenses")[0].GetProperty("license").GetProperty("id").GetString());
        Assert.Equal("MIT OR Apache-2.0", components["Beta"].GetProperty("licenses")[0].GetProperty("expression").GetString());
        Assert.Equal("https://example.org/gamma/LICENSE", components["Gamma"].GetProperty("licenses")[0].GetProperty("license").GetProperty("url").GetString());
        Assert.Equal(new string('0', 128), components["Alpha"].GetProperty("hashes")[0].GetProperty("content").GetString());
        var dependencies = bom.GetProperty("dependencies").EnumerateArray().ToDictionary(d => d.GetProperty("ref").GetString()!, d => d.GetProperty("dependsOn").EnumerateArray().Select(x => x.GetString()).ToList());
        Assert.Equal(["pkg:nuget/Beta@2.1.0"], dependencies["pkg:nuget/Alpha@1.0.0"]);
        Assert.Equal(3, dependencies["pkg:generic/spacetime-vr@2.5.0"].Count);
    }

    [Fact]
    public void Write_SameInputs_SameBytes_OtherVersion_OtherSerial()
    {
        using var repo = FakeRepository.Create();

        Assert.Equal(Bom(repo).GetRawText(), Bom(repo).GetRawText());
        Assert.NotEqual(Bom(repo).GetProperty("serialNumber").GetString(), Bom(repo, "2.5.1").GetProperty("serialNumber").GetString());
    }

    [Fact]
    public void Read_TheRealApplicationsRestoreOutput_FindsItsPackagesAndTheirLicences()
    {
        var assets = Path.Combine(RepositoryPaths.Root, "src/SpaceTime.Cli/obj/project.assets.json");

        var packages = NuGetPackageGraph.Read(assets).ToDictionary(p => p.Id);

        Assert.Equal("2.0.0", packages["System.CommandLine"].Version);
        Assert.Equal("2.7.0", packages["BouncyCastle.Cryptography"].Version);
        Assert.Contains("Yarp.ReverseProxy", packages.Keys);
        // A transitive package: the app references Microsoft.Data.Sqlite, which brings the SQLitePCLRaw packages.
        Assert.Contains("SQLitePCLRaw.core", packages.Keys);
        Assert.DoesNotContain("SpaceTime.Runtime", packages.Keys);
        Assert.Equal(new PackageLicense.SpdxId("MIT"), NuspecLicense.Read(packages["System.CommandLine"].NuspecPath!));
        Assert.Equal(new PackageLicense.SpdxId("Apache-2.0"), NuspecLicense.Read(packages["SQLitePCLRaw.core"].NuspecPath!));
    }

    [Fact]
    public void Read_TheApplicationsDepsJsonWithTheKitsNuspecCopies_ListsWhatTheRestoreOutputDoes()
    {
        var fromRestore = NuGetPackageGraph.Read(Path.Combine(RepositoryPaths.Root, "src/SpaceTime.Cli/obj/project.assets.json"));

        var fromApplication = NuGetPackageGraph.Read(Path.Combine(AppContext.BaseDirectory, "spacetime.deps.json"), Path.Combine(AppContext.BaseDirectory, "kit", "sbom", "packages"));

        Assert.Equal(fromRestore.Select(p => (p.Id, p.Version, p.Sha512)), fromApplication.Select(p => (p.Id, p.Version, p.Sha512)));
        Assert.All(fromApplication, p => Assert.NotNull(p.NuspecPath));
        Assert.Equal(new PackageLicense.SpdxId("MIT"), NuspecLicense.Read(fromApplication.Single(p => p.Id == "System.CommandLine").NuspecPath!));
    }

    [Fact]
    public void Read_WithNuspecCopies_TakesTheLicencesFromTheCopiesNotTheRestoreFolders()
    {
        using var repo = FakeRepository.Create();
        using var copies = new TempFolder();
        var alpha = Path.Combine(copies.Path, "alpha", "1.0.0");
        Directory.CreateDirectory(alpha);
        File.Copy(Path.Combine(repo.Root, "nuget-packages", "alpha", "1.0.0", "alpha.nuspec"), Path.Combine(alpha, "alpha" + NuGetPackageGraph.CopiedNuspecExtension));
        Directory.Delete(Path.Combine(repo.Root, "nuget-packages"), recursive: true);

        var packages = NuGetPackageGraph.Read(Path.Combine(repo.Root, "src/SpaceTime.Cli/obj/project.assets.json"), copies.Path).ToDictionary(p => p.Id);

        Assert.Equal(new PackageLicense.SpdxId("MIT"), NuspecLicense.Read(packages["Alpha"].NuspecPath!));
        Assert.Null(packages["Beta"].NuspecPath);
    }

    [Fact]
    public void Read_NoRestoreOutput_SaysHowToGetIt()
    {
        using var temp = new TempFolder();

        var error = Assert.Throws<PackagingException>(() => NuGetPackageGraph.Read(temp.Combine("project.assets.json")));

        Assert.Contains("restore", error.Message, StringComparison.Ordinal);
    }
}
