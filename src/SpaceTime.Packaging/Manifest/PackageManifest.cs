using System.Globalization;
using System.Text.Json;
using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Manifest;

/// <summary>One packaged file as MANIFEST.json lists it.</summary>
public sealed record ManifestFile(string Path, long Size, string Sha256);

/// <summary>MANIFEST.json: what the package is, where it came from, and every file in it (except MANIFEST.json, SHA256SUMS and SHA256SUMS.asc).</summary>
public sealed record PackageManifest(
    string Name,
    SemanticVersion Version,
    DateTimeOffset BuildDate,
    string GitCommit,
    string GitBranch,
    string BuildUser,
    bool Signed,
    IReadOnlyList<ManifestFile> Files)
{
    public const int SchemaVersion = 1;
    private const string DateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static string FormatDate(DateTimeOffset date) => date.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>Indented UTF-8 JSON with '\n' line ends and files sorted by path, so equal manifests are equal bytes.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", SchemaVersion);
            json.WriteString("name", Name);
            json.WriteString("version", Version.Text);
            json.WriteString("build_date", FormatDate(BuildDate));
            json.WriteString("git_commit", GitCommit);
            json.WriteString("git_branch", GitBranch);
            json.WriteString("build_user", BuildUser);
            json.WriteBoolean("signed", Signed);
            json.WriteStartArray("files");
            foreach (var file in Files.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("path", file.Path);
                json.WriteNumber("size", file.Size);
                json.WriteString("sha256", file.Sha256);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Reads and checks a manifest; each schema problem is added to <paramref name="problems"/>. Null when nothing usable was found.</summary>
    public static PackageManifest? Read(ReadOnlySpan<byte> utf8, ICollection<string> problems)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            problems.Add("not valid UTF-8");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException e)
        {
            problems.Add($"not valid JSON: {e.Message}");
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problems.Add("the top level is not a JSON object");
                return null;
            }

            string Text(string name)
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    return text;
                }

                problems.Add($"\"{name}\" is missing or not a non-empty string");
                return "";
            }

            if (!root.TryGetProperty("schema_version", out var schema) || !schema.TryGetInt32(out var number) || number != SchemaVersion)
            {
                problems.Add($"\"schema_version\" is missing or not {SchemaVersion}");
            }

            var name = Text("name");
            if (name.Length > 0 && name != PackageLayout.Name)
            {
                problems.Add($"\"name\" is '{name}', expected '{PackageLayout.Name}'");
            }

            var versionText = Text("version");
            if (!SemanticVersion.TryParse(versionText, out var version) && versionText.Length > 0)
            {
                problems.Add($"\"version\" '{versionText}' is not a semantic version");
            }

            var dateText = Text("build_date");
            if (!DateTimeOffset.TryParseExact(dateText, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) && dateText.Length > 0)
            {
                problems.Add($"\"build_date\" '{dateText}' is not an ISO-8601 UTC time like 2025-12-02T10:30:00Z");
            }

            var commit = Text("git_commit");
            var branch = Text("git_branch");
            var user = Text("build_user");
            var signed = root.TryGetProperty("signed", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? s.GetBoolean()
                : Fail(problems, "\"signed\" is missing or not true/false");
            var files = ReadFiles(root, problems);
            return new PackageManifest(name, version, date, commit, branch, user, signed, files);
        }
    }

    private static bool Fail(ICollection<string> problems, string problem)
    {
        problems.Add(problem);
        return false;
    }

    private static List<ManifestFile> ReadFiles(JsonElement root, ICollection<string> problems)
    {
        var files = new List<ManifestFile>();
        if (!root.TryGetProperty("files", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            problems.Add("\"files\" is missing or not an array");
            return files;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"files[{index++}]";
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("path", out var p) || p.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("size", out var z) || !z.TryGetInt64(out var size) || size < 0
                || !item.TryGetProperty("sha256", out var h) || h.ValueKind != JsonValueKind.String)
            {
                problems.Add($"{at} needs \"path\" (string), \"size\" (non-negative integer) and \"sha256\" (string)");
                continue;
            }

            var path = p.GetString()!;
            var sha = h.GetString()!;
            var why = PackagePath.Problem(path) ?? (PackageLayout.IsMetadata(path) ? "it is package metadata" : null);
            if (why is not null)
            {
                problems.Add($"{at} path '{path}' cannot be listed: {why}");
            }
            else if (!FileDigest.IsSha256Hex(sha))
            {
                problems.Add($"{at} ({path}) sha256 is not 64 lower-case hex digits");
            }
            else if (!seen.Add(path))
            {
                problems.Add($"{at} lists {path} a second time");
            }
            else
            {
                files.Add(new ManifestFile(path, size, sha));
            }
        }

        return files;
    }
}
