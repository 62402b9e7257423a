using System.Text.Json;

namespace SpaceTime.Packaging.Sbom;

/// <summary>A NuGet package the published application uses, directly or transitively.</summary>
public sealed record NuGetPackage(string Id, string Version, string? Sha512, string? NuspecPath, IReadOnlyList<string> DependsOn)
{
    public string Purl => $"pkg:nuget/{Id}@{Version}";
}

/// <summary>
/// Reads the packages of a project from its restore output, <c>obj/project.assets.json</c>, or of a built application from its
/// <c>.deps.json</c> (the same libraries and targets, without the build machine's package folders).
/// </summary>
public static class NuGetPackageGraph
{
    /// <summary>The name ending of a copied .nuspec: NuGet leaves files ending in .nuspec out of a package, so the tool's copies are renamed.</summary>
    public const string CopiedNuspecExtension = ".nuspec.xml";

    /// <summary>
    /// Every package in every target of the assets or .deps.json file (the runtime-specific target is a superset of the portable one),
    /// sorted by id. The .nuspec files are looked up in the package folders the restore used, or, when given, in <paramref name="nuspecCopies"/>:
    /// a copy laid out as NuGet's folder, each file named <c>id</c> + <see cref="CopiedNuspecExtension"/> (shipped with the tool).
    /// </summary>
    public static IReadOnlyList<NuGetPackage> Read(string assetsFile, string? nuspecCopies = null)
    {
        if (!File.Exists(assetsFile))
        {
            throw new PackagingException($"{assetsFile} is missing: restore the application (dotnet restore/build) before packaging it, or let package build publish it");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(assetsFile));
            var root = document.RootElement;
            List<string> folders = nuspecCopies is null ? [.. root.GetProperty("packageFolders").EnumerateObject().Select(f => f.Name)] : [nuspecCopies];
            var extension = nuspecCopies is null ? ".nuspec" : CopiedNuspecExtension;
            var libraries = root.GetProperty("libraries");
            var packages = new SortedDictionary<string, NuGetPackage>(StringComparer.OrdinalIgnoreCase);
            foreach (var target in root.GetProperty("targets").EnumerateObject())
            {
                var versions = target.Value.EnumerateObject().ToDictionary(e => e.Name.Split('/')[0], e => e.Name.Split('/')[1], StringComparer.OrdinalIgnoreCase);
                foreach (var entry in target.Value.EnumerateObject())
                {
                    // project.assets.json types each target entry; a .deps.json types only the library.
                    var library = libraries.GetProperty(entry.Name);
                    var type = (entry.Value.TryGetProperty("type", out var own) ? own : library.GetProperty("type")).GetString();
                    if (type != "package" || packages.ContainsKey(entry.Name))
                    {
                        continue;
                    }

                    var (id, version) = (entry.Name.Split('/')[0], entry.Name.Split('/')[1]);
                    var dependsOn = entry.Value.TryGetProperty("dependencies", out var deps)
                        ? deps.EnumerateObject().Where(d => versions.ContainsKey(d.Name)).Select(d => $"pkg:nuget/{d.Name}@{versions[d.Name]}").Order(StringComparer.Ordinal).ToList()
                        : [];
                    packages[entry.Name] = new NuGetPackage(id, version, Sha512Hex(library), FindNuspec(folders, library, id, extension), dependsOn);
                }
            }

            return [.. packages.Values];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new PackagingException($"{assetsFile} is not a readable project.assets.json or .deps.json: {e.Message}", e);
        }
    }

    private static string? Sha512Hex(JsonElement library)
    {
        if (!library.TryGetProperty("sha512", out var value) || value.GetString() is not { } text)
        {
            return null;
        }

        // A .deps.json writes "sha512-<base64>".
        var base64 = text.StartsWith("sha512-", StringComparison.Ordinal) ? text["sha512-".Length..] : text;

        Span<byte> bytes = stackalloc byte[64];
        return Convert.TryFromBase64String(base64, bytes, out var written) && written == 64 ? Convert.ToHexStringLower(bytes) : null;
    }

    private static string? FindNuspec(IEnumerable<string> folders, JsonElement library, string id, string extension)
    {
        if (!library.TryGetProperty("path", out var path) || path.GetString() is not { } relative)
        {
            return null;
        }

        return folders.Select(f => Path.Combine(f, relative, $"{id.ToLowerInvariant()}{extension}")).FirstOrDefault(File.Exists);
    }
}
