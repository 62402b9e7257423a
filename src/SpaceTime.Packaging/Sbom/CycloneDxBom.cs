using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SpaceTime.Packaging.Layout;
using SpaceTime.Packaging.Manifest;

namespace SpaceTime.Packaging.Sbom;

/// <summary>A CycloneDX 1.5 JSON bill of materials of the NuGet packages the application ships with.</summary>
public static class CycloneDxBom
{
    public const string SpecVersion = "1.5";

    /// <summary>The SBOM document; the same inputs give the same bytes, serial number included.</summary>
    public static byte[] Write(SemanticVersion version, DateTimeOffset timestamp, IReadOnlyList<(NuGetPackage Package, PackageLicense? License)> components)
    {
        var applicationRef = $"pkg:generic/{PackageLayout.Name}@{version}";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteString("bomFormat", "CycloneDX");
            json.WriteString("specVersion", SpecVersion);
            json.WriteString("serialNumber", SerialNumber(applicationRef, components.Select(c => c.Package.Purl)));
            json.WriteNumber("version", 1);

            json.WriteStartObject("metadata");
            json.WriteString("timestamp", PackageManifest.FormatDate(timestamp));
            json.WriteStartObject("tools");
            json.WriteStartArray("components");
            json.WriteStartObject();
            json.WriteString("type", "application");
            json.WriteString("name", "spacetime package build");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject("component");
            json.WriteString("type", "application");
            json.WriteString("bom-ref", applicationRef);
            json.WriteString("name", PackageLayout.Name);
            json.WriteString("version", version.Text);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartArray("components");
            foreach (var (package, license) in components.OrderBy(c => c.Package.Purl, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("type", "library");
                json.WriteString("bom-ref", package.Purl);
                json.WriteString("name", package.Id);
                json.WriteString("version", package.Version);
                json.WriteString("purl", package.Purl);
                if (package.Sha512 is { } sha512)
                {
                    json.WriteStartArray("hashes");
                    json.WriteStartObject();
                    json.WriteString("alg", "SHA-512");
                    json.WriteString("content", sha512);
                    json.WriteEndObject();
                    json.WriteEndArray();
                }

                if (license is not null)
                {
                    json.WriteStartArray("licenses");
                    WriteLicense(json, license);
                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("dependencies");
            json.WriteStartObject();
            json.WriteString("ref", applicationRef);
            json.WriteStartArray("dependsOn");
            foreach (var c in components.OrderBy(c => c.Package.Purl, StringComparer.Ordinal))
            {
                json.WriteStringValue(c.Package.Purl);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            foreach (var (package, _) in components.OrderBy(c => c.Package.Purl, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("ref", package.Purl);
                json.WriteStartArray("dependsOn");
                foreach (var dependency in package.DependsOn)
                {
                    json.WriteStringValue(dependency);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteLicense(Utf8JsonWriter json, PackageLicense license)
    {
        json.WriteStartObject();
        switch (license)
        {
            case PackageLicense.Expression e:
                json.WriteString("expression", e.Value);
                break;
            case PackageLicense.SpdxId id:
                json.WriteStartObject("license");
                json.WriteString("id", id.Id);
                json.WriteEndObject();
                break;
            case PackageLicense.Named named:
                json.WriteStartObject("license");
                json.WriteString("name", named.Name);
                if (named.Url is { } url)
                {
                    json.WriteString("url", url);
                }

                json.WriteEndObject();
                break;
        }

        json.WriteEndObject();
    }

    /// <summary>A name-based UUID (version 5 layout over SHA-256) of the application and its components: same contents, same serial.</summary>
    private static string SerialNumber(string applicationRef, IEnumerable<string> purls)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', purls.Order(StringComparer.Ordinal).Prepend(applicationRef))));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"urn:uuid:{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
