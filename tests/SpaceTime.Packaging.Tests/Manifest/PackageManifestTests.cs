using System.Text;
using SpaceTime.Packaging.Manifest;

namespace SpaceTime.Packaging.Tests.Manifest;

public sealed class PackageManifestTests
{
    private static readonly PackageManifest Sample = new(
        "spacetime-vr",
        SemanticVersion.Parse("2.5.0"),
        DateTimeOffset.FromUnixTimeSeconds(1_733_000_000),
        "0123456789abcdef0123456789abcdef01234567",
        "main",
        "ci",
        Signed: true,
        [new ManifestFile("docs/README.md", 12, new string('a', 64)), new ManifestFile("binaries/spacetime.dll", 3, new string('b', 64))]);

    [Fact]
    public void ToJson_ThenRead_GivesTheSameManifestWithoutProblems()
    {
        var problems = new List<string>();
        var read = PackageManifest.Read(Sample.ToJson(), problems);

        Assert.Empty(problems);
        Assert.NotNull(read);
        Assert.Equal(Sample with { Files = [] }, read with { Files = [] });
        Assert.Equal(Sample.Files.OrderBy(f => f.Path, StringComparer.Ordinal), read.Files);
    }

    [Fact]
    public void ToJson_HasTheDocumentedFieldsAndSortedFiles()
    {
        var json = Encoding.UTF8.GetString(Sample.ToJson());

        foreach (var field in new[] { "\"name\": \"spacetime-vr\"", "\"version\": \"2.5.0\"", "\"build_date\": \"2024-11-30T20:53:20Z\"", "\"git_commit\"", "\"git_branch\": \"main\"", "\"build_user\": \"ci\"" })
        {
            Assert.Contains(field, json, StringComparison.Ordinal);
        }

        Assert.True(json.IndexOf("binaries/spacetime.dll", StringComparison.Ordinal) < json.IndexOf("docs/README.md", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', json);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"schema_version":1,"name":"other","version":"2.5.0","build_date":"2024-11-30T20:53:20Z","git_commit":"x","git_branch":"x","build_user":"x","signed":true,"files":[]}""", "expected 'spacetime-vr'")]
    [InlineData("""{"schema_version":1,"name":"spacetime-vr","version":"v2.5","build_date":"2024-11-30T20:53:20Z","git_commit":"x","git_branch":"x","build_user":"x","signed":true,"files":[]}""", "not a semantic version")]
    [InlineData("""{"schema_version":1,"name":"spacetime-vr","version":"2.5.0","build_date":"yesterday","git_commit":"x","git_branch":"x","build_user":"x","signed":true,"files":[]}""", "ISO-8601")]
    [InlineData("""{"schema_version":1,"name":"spacetime-vr","version":"2.5.0","build_date":"2024-11-30T20:53:20Z","git_branch":"x","build_user":"x","signed":true,"files":[]}""", "\"git_commit\" is missing")]
    [InlineData("""{"schema_version":2,"name":"spacetime-vr","version":"2.5.0","build_date":"2024-11-30T20:53:20Z","git_commit":"x","git_branch":"x","build_user":"x","signed":true,"files":[]}""", "schema_version")]
    [InlineData("""{"schema_version":1,"name":"spacetime-vr","version":"2.5.0","build_date":"2024-11-30T20:53:20Z","git_commit":"x","git_branch":"x","build_user":"x","signed":"yes","files":[]}""", "\"signed\"")]
    [InlineData("""{"schema_version":1,"name":"spacetime-vr","version":"2.5.0","build_date":"2024-11-30T20:53:20Z","git_commit":"x","git_branch":"x","build_user":"x","signed":true}""", "\"files\" is missing")]
    public void Read_SchemaViolation_NamesIt(string json, string expected)
    {
        var problems = new List<string>();
        PackageManifest.Read(Encoding.UTF8.GetBytes(json), problems);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../etc/passwd", "'..' segment")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("docs\\\\x.md", "backslash")]
    [InlineData("SHA256SUMS", "package metadata")]
    public void Read_FileWithAnUnsafePath_IsRefused(string path, string reason)
    {
        var json = $$"""{"schema_version":1,"name":"spacetime-vr","version":"2.5.0","build_date":"2024-11-30T20:53:20Z","git_commit":"x","git_branch":"x","build_user":"x","signed":true,"files":[{"path":"{{path}}","size":1,"sha256":"{{new string('a', 64)}}"}]}""";
        var problems = new List<string>();

        var manifest = PackageManifest.Read(Encoding.UTF8.GetBytes(json), problems);

        Assert.Contains(problems, p => p.Contains(reason, StringComparison.Ordinal));
        Assert.Empty(manifest!.Files);
    }

    [Fact]
    public void Read_SamePathTwiceOrABadDigest_NamesBoth()
    {
        var sha = new string('a', 64);
        var json = $$"""{"schema_version":1,"name":"spacetime-vr","version":"2.5.0","build_date":"2024-11-30T20:53:20Z","git_commit":"x","git_branch":"x","build_user":"x","signed":true,"files":[{"path":"a","size":1,"sha256":"{{sha}}"},{"path":"a","size":1,"sha256":"{{sha}}"},{"path":"b","size":1,"sha256":"ABC"}]}""";
        var problems = new List<string>();

        PackageManifest.Read(Encoding.UTF8.GetBytes(json), problems);

        Assert.Contains(problems, p => p.Contains("lists a a second time", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("(b) sha256 is not 64 lower-case hex", StringComparison.Ordinal));
    }
}
