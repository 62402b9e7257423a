using System.Text.RegularExpressions;
using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Tests.Formats;

/// <summary>Every scene and project file of the shared Godot demo corpus parses, with the node structure intact.</summary>
public sealed partial class ConformanceTests
{
    public static TheoryData<string> Scenes() => Files("*.tscn");

    public static TheoryData<string> Projects() => Files("project.godot");

    [Fact]
    public void Corpus_IsComplete()
    {
        Assert.Equal(396, Scenes().Count);
        Assert.Equal(139, Projects().Count);
    }

    [Theory]
    [MemberData(nameof(Scenes))]
    public void Scene_Parses_WithOneNodePerSectionAndResolvedParents(string relativePath)
    {
        var path = Path.Combine(TestPaths.GodotDemoProjects, relativePath);
        var text = File.ReadAllText(path);

        var document = SceneDocument.Parse(text, path);

        Assert.Equal(NodeSectionPattern().Matches(text).Count, document.Nodes.Count);
        var declared = new HashSet<string> { "." };
        var instanced = new List<string>();
        foreach (var node in document.Nodes)
        {
            if (node.Parent is not null)
            {
                Assert.True(
                    declared.Contains(node.Parent) || instanced.Any(i => i == "." || node.Parent.StartsWith(i + "/", StringComparison.Ordinal)),
                    $"{relativePath}: parent '{node.Parent}' of '{node.Name}' does not resolve");
            }

            declared.Add(node.Path);
            if (node.Instance is not null)
            {
                instanced.Add(node.Path);
                Assert.NotNull(document.FindExternal(node.Instance.Id));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Project_Parses(string relativePath)
    {
        var settings = ProjectSettings.Load(Path.Combine(TestPaths.GodotDemoProjects, relativePath));

        Assert.Equal(5, settings.ConfigVersion);
        Assert.False(string.IsNullOrEmpty(settings.Name));
    }

    private static TheoryData<string> Files(string pattern)
    {
        var root = TestPaths.GodotDemoProjects;
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(root, pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(root, file));
        }

        return data;
    }

    // A node section starts a line ("[node " at column 1); BBCode inside strings does not use that tag.
    [GeneratedRegex(@"^\[node ", RegexOptions.Multiline)]
    private static partial Regex NodeSectionPattern();
}
