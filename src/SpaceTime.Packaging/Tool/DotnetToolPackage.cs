using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using SpaceTime.Packaging.Layout;
using SpaceTime.Packaging.Manifest;

namespace SpaceTime.Packaging.Tool;

/// <summary>
/// The <c>SpaceTime.Cli</c> .NET tool package (<c>.nupkg</c>) of a release, written from the application already in
/// <c>binaries/</c>, so the release's tool is the very build it ships (no second compile) and installs with
/// <c>dotnet tool install SpaceTime.Cli --version X --add-source RELEASE/nuget</c>. The zip depends on the files and the
/// build date only: entries in ordinal order, every time the build date. It is framework-dependent and holds the linux-x64
/// native libraries of the publish, so it runs on linux-x64 (what the release targets).
/// </summary>
public static class DotnetToolPackage
{
    public const string PackageId = "SpaceTime.Cli";
    public const string CommandName = "spacetime";
    public const string EntryPoint = "spacetime.dll";
    public const string ToolFolder = "tools/net10.0/any/";
    public const string SettingsFile = ToolFolder + "DotnetToolSettings.xml";
    public const string NuspecFile = PackageId + ".nuspec";

    private static readonly XNamespace Nuspec = "http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd";

    /// <summary>The package's file name, <c>SpaceTime.Cli.X.Y.Z.nupkg</c> (NuGet's folder-feed naming).</summary>
    public static string FileName(SemanticVersion version) => $"{PackageId}.{version}.nupkg";

    /// <summary>Writes the tool package of the published application in <paramref name="binaries"/> (VERSION.txt aside).</summary>
    public static void Write(string binaries, string nupkg, SemanticVersion version, string? commit, DateTimeOffset time)
    {
        var files = PackageTree.Files(binaries).Where(f => f.Path != "VERSION.txt").ToList();
        if (!files.Any(f => f.Path == EntryPoint))
        {
            throw new PackagingException($"{binaries} has no {EntryPoint}: the tool package needs the published application");
        }

        var stamp = time < Archives.ReproducibleArchive.ZipEpoch
            ? Archives.ReproducibleArchive.ZipEpoch
            : new DateTimeOffset(DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds()).UtcDateTime, TimeSpan.Zero);
        var entries = new SortedDictionary<string, Func<Stream>>(StringComparer.Ordinal)
        {
            [NuspecFile] = () => Text(NuspecXml(version, commit)),
            ["[Content_Types].xml"] = () => Text(ContentTypes(files.Select(f => f.Path).Append(NuspecFile).Append(SettingsFile))),
            ["_rels/.rels"] = () => Text(Relationships()),
            [SettingsFile] = () => Text(ToolSettings()),
        };
        foreach (var file in files)
        {
            entries[ToolFolder + file.Path] = () => File.OpenRead(file.FullPath);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(nupkg))!);
        using var output = new FileStream(nupkg, FileMode.Create, FileAccess.Write);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create);
        foreach (var (name, open) in entries)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize);
            entry.LastWriteTime = stamp;
            using var target = entry.Open();
            using var source = open();
            source.CopyTo(target);
        }
    }

    /// <summary>What is wrong with a release's tool package, for <c>package verify</c>; empty when it is an installable SpaceTime.Cli of that version.</summary>
    public static IReadOnlyList<string> Problems(string nupkg, SemanticVersion version)
    {
        var problems = new List<string>();
        try
        {
            using var zip = ZipFile.OpenRead(nupkg);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            if (zip.GetEntry(NuspecFile) is not { } nuspecEntry)
            {
                problems.Add($"has no {NuspecFile}");
            }
            else
            {
                using var stream = nuspecEntry.Open();
                var metadata = XDocument.Load(stream).Root?.Element(Nuspec + "metadata");
                var id = metadata?.Element(Nuspec + "id")?.Value;
                var packaged = metadata?.Element(Nuspec + "version")?.Value;
                if (id != PackageId)
                {
                    problems.Add($"{NuspecFile} names package '{id}', not {PackageId}");
                }

                if (packaged != version.Text)
                {
                    problems.Add($"{NuspecFile} has version '{packaged}', not the release's {version}");
                }

                if (metadata?.Element(Nuspec + "packageTypes")?.Elements(Nuspec + "packageType").Any(t => (string?)t.Attribute("name") == "DotnetTool") != true)
                {
                    problems.Add($"{NuspecFile} does not declare the DotnetTool package type");
                }
            }

            if (zip.GetEntry(SettingsFile) is not { } settingsEntry)
            {
                problems.Add($"has no {SettingsFile}");
            }
            else
            {
                using var stream = settingsEntry.Open();
                var command = XDocument.Load(stream).Root?.Element("Commands")?.Element("Command");
                var name = (string?)command?.Attribute("Name");
                var entryPoint = (string?)command?.Attribute("EntryPoint");
                if (name != CommandName)
                {
                    problems.Add($"{SettingsFile} names command '{name}', not {CommandName}");
                }

                if (entryPoint is null || !names.Contains(ToolFolder + entryPoint))
                {
                    problems.Add($"{SettingsFile} entry point '{entryPoint}' is not in {ToolFolder}");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or System.Xml.XmlException)
        {
            problems.Add($"is not a readable NuGet package: {e.Message}");
        }

        return problems;
    }

    private static MemoryStream Text(XDocument document)
    {
        var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + document.Root!.ToString().ReplaceLineEndings("\n") + "\n";
        return new MemoryStream(new UTF8Encoding(false).GetBytes(text));
    }

    private static XDocument NuspecXml(SemanticVersion version, string? commit) => new(
        new XElement(
            Nuspec + "package",
            new XElement(
                Nuspec + "metadata",
                new XElement(Nuspec + "id", PackageId),
                new XElement(Nuspec + "version", version.Text),
                new XElement(Nuspec + "authors", "SpaceTime"),
                new XElement(Nuspec + "description", "The spacetime command: the headless game runtime, its manager and the operations and CI tools (scenes validate, health-check, package)."),
                new XElement(Nuspec + "tags", "godot game-server ci"),
                new XElement(Nuspec + "packageTypes", new XElement(Nuspec + "packageType", new XAttribute("name", "DotnetTool"))),
                commit is { Length: > 0 } c && c != Building.GitCheckout.Unknown ? new XElement(Nuspec + "repository", new XAttribute("type", "git"), new XAttribute("commit", c)) : null,
                new XElement(
                    Nuspec + "frameworkReferences",
                    new XElement(Nuspec + "group", new XAttribute("targetFramework", "net10.0"), new XElement(Nuspec + "frameworkReference", new XAttribute("name", "Microsoft.AspNetCore.App")))))));

    private static XDocument ToolSettings() => new(
        new XElement(
            "DotNetCliTool",
            new XAttribute("Version", "1"),
            new XElement("Commands", new XElement("Command", new XAttribute("Name", CommandName), new XAttribute("EntryPoint", EntryPoint), new XAttribute("Runner", "dotnet")))));

    private static XDocument Relationships()
    {
        XNamespace ns = "http://schemas.openxmlformats.org/package/2006/relationships";
        return new XDocument(
            new XElement(
                ns + "Relationships",
                new XElement(ns + "Relationship", new XAttribute("Type", "http://schemas.microsoft.com/packaging/2010/07/manifest"), new XAttribute("Target", "/" + NuspecFile), new XAttribute("Id", "Rnuspec"))));
    }

    private static XDocument ContentTypes(IEnumerable<string> paths)
    {
        XNamespace ns = "http://schemas.openxmlformats.org/package/2006/content-types";
        var extensions = paths.Select(p => Path.GetExtension(p).TrimStart('.')).Where(e => e.Length > 0).Append("rels").Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal);
        return new XDocument(
            new XElement(
                ns + "Types",
                extensions.Select(e => new XElement(
                    ns + "Default",
                    new XAttribute("Extension", e),
                    new XAttribute("ContentType", e == "rels" ? "application/vnd.openxmlformats-package.relationships+xml" : "application/octet")))));
    }
}
