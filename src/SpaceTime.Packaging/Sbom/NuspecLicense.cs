using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace SpaceTime.Packaging.Sbom;

/// <summary>A package's licence as its .nuspec declares it, in the three shapes CycloneDX distinguishes.</summary>
public abstract record PackageLicense
{
    /// <summary>A single SPDX licence id, e.g. MIT.</summary>
    public sealed record SpdxId(string Id) : PackageLicense;

    /// <summary>An SPDX expression, e.g. "MIT OR Apache-2.0".</summary>
    public sealed record Expression(string Value) : PackageLicense;

    /// <summary>A licence the package ships as a file or points to by URL (older packages).</summary>
    public sealed record Named(string Name, string? Url) : PackageLicense;
}

public static partial class NuspecLicense
{
    /// <summary>The licence in a .nuspec, or null when it declares none.</summary>
    public static PackageLicense? Read(string nuspecFile)
    {
        XElement? metadata;
        try
        {
            metadata = XDocument.Load(nuspecFile).Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata");
        }
        catch (XmlException e)
        {
            throw new PackagingException($"{nuspecFile} is not readable XML: {e.Message}", e);
        }

        var license = metadata?.Elements().FirstOrDefault(e => e.Name.LocalName == "license");
        var url = metadata?.Elements().FirstOrDefault(e => e.Name.LocalName == "licenseUrl")?.Value.Trim();
        return (license?.Attribute("type")?.Value, license?.Value.Trim()) switch
        {
            ("expression", { Length: > 0 } text) when SingleId().IsMatch(text) && !text.StartsWith("LicenseRef-", StringComparison.Ordinal) => new PackageLicense.SpdxId(text),
            ("expression", { Length: > 0 } text) => new PackageLicense.Expression(text),
            ("file", { Length: > 0 } file) => new PackageLicense.Named($"see {file} in the NuGet package", null),
            _ when !string.IsNullOrEmpty(url) => new PackageLicense.Named($"see {url}", url),
            _ => null,
        };
    }

    [GeneratedRegex(@"^[A-Za-z0-9.\-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex SingleId();
}
