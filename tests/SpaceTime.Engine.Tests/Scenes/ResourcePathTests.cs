using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SpaceTime.Engine.Scenes;

namespace SpaceTime.Engine.Tests.Scenes;

public sealed class ResourcePathTests
{
    private static readonly string ProjectRoot = Path.Combine(Path.GetTempPath(), "spacetime-resource-path-root");

    private static readonly string[] Segments = ["a", "b", "scene.tscn", "x.tres", ".", "..", "", "...", "..a", "x y", "é", "~", "C:", ".hidden", "a.tscn.bak"];

    private static readonly string[] Separators = ["/", "/", "\\", "//"];

    /// <summary>res:// paths built from segments that include ".", "..", empty ones and mixed separators.</summary>
    private static Gen<string> ResPaths() =>
        Gen.Choose(0, 7).SelectMany(n => Gen.Elements(Segments).Zip(Gen.Elements(Separators)).ArrayOf(n))
            .Select(parts => ResourcePath.Prefix + string.Concat(parts.Select((p, i) => (i == 0 ? "" : p.Item2) + p.Item1)));

    private static Arbitrary<string> ResPathArbitrary() => ResPaths().ToArbitrary();

    private static IEnumerable<string> CanonicalSegments(string canonical) => canonical[ResourcePath.Prefix.Length..].Split('/');

    [Property(MaxTest = 500)]
    public Property Canonicalize_IsIdempotent() =>
        Prop.ForAll(ResPathArbitrary(), path =>
            !ResourcePath.TryCanonicalize(path, out var once, out _)
            || (ResourcePath.TryCanonicalize(once, out var twice, out var error) && twice == once && error == ""));

    [Property(MaxTest = 500)]
    public Property Canonical_HasPrefixAndNoDotEmptyOrParentSegments() =>
        Prop.ForAll(ResPathArbitrary(), path =>
        {
            if (!ResourcePath.TryCanonicalize(path, out var canonical, out _))
            {
                return true;
            }

            var rest = canonical[ResourcePath.Prefix.Length..];
            return canonical.StartsWith("res://", StringComparison.Ordinal)
                   && !rest.Contains("//", StringComparison.Ordinal)
                   && !rest.Contains('\\')
                   && !canonical.Contains("/./", StringComparison.Ordinal)
                   && !rest.StartsWith('/')
                   && !rest.EndsWith('/')
                   && (rest.Length == 0 || CanonicalSegments(canonical).All(s => s.Length > 0 && s != "." && s != ".."));
        });

    [Property(MaxTest = 500)]
    public Property PathWithParentSegment_IsRejected() =>
        Prop.ForAll(ResPathArbitrary(), path =>
        {
            var hasParent = path[ResourcePath.Prefix.Length..].Replace('\\', '/').Split('/').Contains("..");
            var accepted = ResourcePath.TryCanonicalize(path, out _, out var error);
            return hasParent ? !accepted && error.Contains("..", StringComparison.Ordinal) : accepted;
        });

    [Property(MaxTest = 200)]
    public Property PathLongerThanLimit_IsRejected() =>
        Prop.ForAll(Gen.Choose(ResourcePath.MaxLength + 1, ResourcePath.MaxLength + 300).ToArbitrary(), length =>
        {
            var path = ResourcePath.Prefix + new string('a', length - ResourcePath.Prefix.Length - 5) + ".tscn";
            return path.Length == length
                   && !ResourcePath.TryCanonicalize(path, out _, out var error)
                   && error.Contains("256", StringComparison.Ordinal)
                   && !ResourcePath.TryCanonicalizeScene(path, out _, out _);
        });

    [Fact]
    public void PathAtTheLengthLimit_IsAccepted()
    {
        var path = ResourcePath.Prefix + new string('a', ResourcePath.MaxLength - ResourcePath.Prefix.Length - 5) + ".tscn";

        Assert.Equal(256, path.Length);
        Assert.True(ResourcePath.TryCanonicalizeScene(path, out var canonical, out _));
        Assert.Equal(path, canonical);
    }

    [Property(MaxTest = 500)]
    public Property ScenePath_IsAcceptedOnlyWhenItEndsWithTscn() =>
        Prop.ForAll(ResPathArbitrary(), path =>
        {
            var isScene = ResourcePath.TryCanonicalizeScene(path, out var canonical, out _);
            var isPath = ResourcePath.TryCanonicalize(path, out var plain, out _);
            return isScene
                ? isPath && canonical == plain && canonical.EndsWith(".tscn", StringComparison.Ordinal) && canonical.Length > "res://.tscn".Length
                : !isPath || !plain.EndsWith(".tscn", StringComparison.Ordinal) || plain == "res://.tscn";
        });

    [Property(MaxTest = 500)]
    public Property ToFileSystemPath_NeverLeavesTheProjectRoot() =>
        Prop.ForAll(ResPathArbitrary(), path =>
        {
            if (!ResourcePath.TryCanonicalize(path, out var canonical, out _))
            {
                return true;
            }

            var file = ResourcePath.ToFileSystemPath(ProjectRoot, canonical);
            var root = Path.GetFullPath(ProjectRoot);
            return file == root || file.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        });

    [Property(MaxTest = 300)]
    public Property FileSystemPath_MapsBackToTheCanonicalPath() =>
        Prop.ForAll(ResPathArbitrary(), path =>
            !ResourcePath.TryCanonicalize(path, out var canonical, out _)
            || canonical == ResourcePath.Prefix
            || ResourcePath.FromFileSystemPath(ProjectRoot, ResourcePath.ToFileSystemPath(ProjectRoot, canonical)) == canonical);

    [Theory]
    [InlineData("res://a/./b//c.tscn", "res://a/b/c.tscn")]
    [InlineData("res://a\\b.tscn", "res://a/b.tscn")]
    [InlineData("res:///abs.tscn", "res://abs.tscn")]
    [InlineData("res://", "res://")]
    [InlineData("res://dir/", "res://dir")]
    public void Canonicalize_Examples(string path, string expected)
    {
        Assert.True(ResourcePath.TryCanonicalize(path, out var canonical, out var error), error);
        Assert.Equal(expected, canonical);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("vr_main.tscn", "res://")]
    [InlineData("user://save.tscn", "res://")]
    [InlineData("RES://a.tscn", "res://")]
    [InlineData("res://../secret.tscn", "..")]
    [InlineData("res://a/..\\..\\b.tscn", "..")]
    [InlineData("res://a\u0000.tscn", "control")]
    [InlineData("res://a\n.tscn", "control")]
    public void Canonicalize_InvalidPath_IsRejectedWithReason(string? path, string reason)
    {
        Assert.False(ResourcePath.TryCanonicalize(path, out var canonical, out var error));
        Assert.Equal("", canonical);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("res://project.godot")]
    [InlineData("res://shape.tres")]
    [InlineData("res://.tscn")]
    [InlineData("res://scene.TSCN")]
    [InlineData("res://dir")]
    public void CanonicalizeScene_NonScenePath_IsRejected(string path)
    {
        Assert.False(ResourcePath.TryCanonicalizeScene(path, out _, out var error));
        Assert.Contains(".tscn", error);
    }

    [Fact]
    public void ToFileSystemPath_InvalidPath_Throws()
    {
        Assert.Throws<ArgumentException>(() => ResourcePath.ToFileSystemPath(ProjectRoot, "res://../x.tscn"));
        Assert.Throws<ArgumentException>(() => ResourcePath.ToFileSystemPath(ProjectRoot, "/etc/passwd"));
    }

    [Fact]
    public void ToFileSystemPath_MapsUnderRoot()
    {
        Assert.Equal(Path.Combine(Path.GetFullPath(ProjectRoot), "scenes", "menu.tscn"), ResourcePath.ToFileSystemPath(ProjectRoot, "res://scenes/menu.tscn"));
    }

    [Theory]
    [InlineData("res://scenes/menu.tscn", "button.tscn", "res://scenes/button.tscn")]
    [InlineData("res://scenes/menu.tscn", "./sub/x.tscn", "res://scenes/sub/x.tscn")]
    [InlineData("res://scenes/menu.tscn", "../x.tscn", "res://x.tscn")]
    [InlineData("res://a.tscn", "../../../etc/passwd", "res://etc/passwd")]
    [InlineData("res://scenes/menu.tscn", "res://other//y.tscn", "res://other/y.tscn")]
    public void ResolveReference_RelativeToReferencingFile(string from, string path, string expected)
    {
        Assert.Equal(expected, ResourcePath.ResolveReference(from, path));
    }
}
