using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Tests.Formats;

public sealed class GodotTextFileTests
{
    [Fact]
    public void File_WithPreambleCommentsAndSections_SplitsPropertiesBySection()
    {
        var file = GodotTextFile.Parse("""
            ; leading comment
            # hash comment
            config_version=5

            [first a=1 b="two"]
            key = 1
            path/with/slashes = "v"
            "quoted key" = true

            [second]
            multi = {
            "x": [1,
              2]
            }
            """, "f.cfg");

        Assert.Equal("f.cfg", file.File);
        Assert.Equal([new KeyValuePair<string, object?>("config_version", 5L)], file.Preamble);
        Assert.Equal(2, file.Sections.Count);
        var first = file.Sections[0];
        Assert.Equal("first", first.Tag);
        Assert.Equal(5, first.Line);
        Assert.Equal(1L, first.Attribute("a"));
        Assert.Equal("1", first.StringAttribute("a"));
        Assert.Equal("two", first.StringAttribute("b"));
        Assert.True(first.HasAttribute("b"));
        Assert.False(first.HasAttribute("c"));
        Assert.Null(first.StringAttribute("c"));
        Assert.Equal(["key", "path/with/slashes", "quoted key"], first.Properties.Select(p => p.Key));
        Assert.Equal(10, file.Sections[1].Line);
        Assert.IsType<VariantDictionary>(Assert.Single(file.Sections[1].Properties).Value);
    }

    [Fact]
    public void File_WithByteOrderMarkAndCrLf_Parses()
    {
        var file = GodotTextFile.Parse("\uFEFF[gd_scene format=3]\r\n\r\n[node name=\"A\" type=\"Node\"]\r\nx = 1\r\n", "f.tscn");

        Assert.Equal(2, file.Sections.Count);
        Assert.Equal(3, file.Sections[1].Line);
        Assert.Equal(1L, file.Sections[1].Properties[0].Value);
    }

    [Theory]
    [InlineData("[node name=\"A\"\n", "not closed", 1)]
    [InlineData("[node name]\n", "expected '='", 1)]
    [InlineData("[]\n", "expected section name", 1)]
    [InlineData("[s]\njust words\n", "expected 'key = value'", 2)]
    [InlineData("[s]\n = 1\n", "empty name", 2)]
    [InlineData("[s]\n\"k\" 1\n", "expected '=' after key", 2)]
    [InlineData("[s]\nk = )\n", "unexpected character ')'", 2)]
    public void MalformedFile_ThrowsWithLine(string text, string reason, int line)
    {
        var error = Assert.Throws<GodotParseException>(() => GodotTextFile.Parse(text, "f.cfg"));

        Assert.Contains(reason, error.Reason);
        Assert.Equal(line, error.Line);
    }

    [Fact]
    public void Read_ReadsAFileFromDisk()
    {
        var file = GodotTextFile.Read(Path.Combine(TestPaths.DemoProject, "project.godot"));

        Assert.Contains(file.Sections, s => s.Tag == "physics");
        Assert.EndsWith("project.godot", file.File);
    }
}
