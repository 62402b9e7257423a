using System.Text.Json;
using System.Xml.Linq;

namespace SpaceTime.Cli.Tests.Commands;

/// <summary>The real `spacetime scenes validate` process.</summary>
public sealed class ScenesCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Validate_BundledProject_ExitsZeroWithASummary()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "scenes", "validate", Path.Combine(AppContext.BaseDirectory, "project"));

        Assert.True(code == 0, output);
        Assert.Matches(@"\d+ files checked \(\d+ scenes, \d+ resources, 1 projects\) in [\d.]+ s: 0 errors, 0 warnings", output);
    }

    [Fact]
    public async Task Validate_BrokenScene_ExitsOneNamingFileAndLine()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "project.godot"), "config_version=5\n");
        File.WriteAllText(Path.Combine(folder.Path, "good.tscn"), "[gd_scene format=3]\n\n[node name=\"Good\" type=\"Node3D\"]\n");
        var bad = Path.Combine(folder.Path, "bad.tscn");
        File.WriteAllText(bad, "[gd_scene format=3]\n\n[node name=\"Bad\" type=\"Node3D\"]\nposition = Vector3(1, 2, @)\n");

        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "scenes", "validate", folder.Path);

        Assert.Equal(1, code);
        Assert.Contains($"{bad}:4:", output);
        Assert.Contains("3 files checked (2 scenes, 0 resources, 1 projects)", output);
        Assert.Contains("1 errors", output);
    }

    [Fact]
    public async Task Validate_Json_ReportsEachProblem()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "project.godot"), "config_version=5\n\n[application]\n\nrun/main_scene=\"res://gone.tscn\"\n");

        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "scenes", "validate", "--json", folder.Path);

        Assert.Equal(1, code);
        using var report = JsonDocument.Parse(output);
        Assert.Equal(1, report.RootElement.GetProperty("projects").GetInt32());
        Assert.Equal(1, report.RootElement.GetProperty("errors").GetInt32());
        var problem = Assert.Single(report.RootElement.GetProperty("problems").EnumerateArray());
        Assert.Equal("error", problem.GetProperty("severity").GetString());
        Assert.Contains("res://gone.tscn", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_FormatGitHub_PrintsOneErrorCommandPerProblemWithFileLineAndColumn()
    {
        using var folder = BrokenProject();

        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "scenes", "validate", "--format", "github", folder.Path);

        Assert.Equal(1, code);
        var commands = output.Split('\n').Where(l => l.StartsWith("::", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, commands.Count);
        Assert.Contains($"::error file={folder.Path}/bad.tscn,line=4,col=26,title=spacetime scenes validate::unexpected character '@' where a value was expected", commands);
        Assert.Contains(commands, c => c.StartsWith($"::error file={folder.Path}/project.godot,", StringComparison.Ordinal) && c.EndsWith("::main scene res://gone.tscn does not exist", StringComparison.Ordinal));
        Assert.Contains("2 errors", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_FormatJUnitToFile_WritesXmlWithOneFailurePerErrorNamingFileAndLine()
    {
        using var folder = BrokenProject();
        var report = Path.Combine(folder.Path, "reports", "scenes.xml");

        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "scenes", "validate", "--format", "junit", "--output", report, folder.Path);

        Assert.Equal(1, code);
        Assert.Contains($"{folder.Path}/bad.tscn:4:26: error:", output, StringComparison.Ordinal);
        var xml = XDocument.Load(report);
        var suite = Assert.Single(xml.Root!.Elements("testsuite"));
        Assert.Equal("3", suite.Attribute("tests")!.Value);
        Assert.Equal("2", suite.Attribute("failures")!.Value);
        var failures = suite.Elements("testcase").Where(c => c.Element("failure") is not null).ToList();
        Assert.Equal(2, failures.Count);
        var bad = Assert.Single(failures, c => c.Attribute("file")!.Value == $"{folder.Path}/bad.tscn");
        Assert.Equal("4", bad.Attribute("line")!.Value);
        Assert.Contains("unexpected character '@'", bad.Element("failure")!.Attribute("message")!.Value, StringComparison.Ordinal);
        Assert.Contains(failures, c => c.Attribute("file")!.Value == $"{folder.Path}/project.godot");
    }

    [Fact]
    public async Task Validate_FormatJUnitOnStdout_IsOnlyXmlAndPassesForAGoodProject()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "scenes", "validate", "--format", "junit", Path.Combine(AppContext.BaseDirectory, "project"));

        Assert.True(code == 0, output);
        var xml = XDocument.Parse(output);
        Assert.Equal("0", xml.Root!.Attribute("failures")!.Value);
        Assert.True(int.Parse(xml.Root.Attribute("tests")!.Value, System.Globalization.CultureInfo.InvariantCulture) >= 2);
    }

    [Fact]
    public async Task Validate_UnknownFormat_IsAUsageError()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "scenes", "validate", "--format", "sarif", ".");

        Assert.NotEqual(0, code);
        Assert.Contains("--format 'sarif' is not one of text, json, github, junit", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_NoPath_IsAUsageError()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "scenes", "validate");

        Assert.NotEqual(0, code);
        Assert.Contains("paths", output, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A project whose main scene is missing and with a scene that does not parse at line 4, column 26.</summary>
    private static TempFolder BrokenProject()
    {
        var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "project.godot"), "config_version=5\n\n[application]\n\nrun/main_scene=\"res://gone.tscn\"\n");
        File.WriteAllText(Path.Combine(folder.Path, "good.tscn"), "[gd_scene format=3]\n\n[node name=\"Good\" type=\"Node3D\"]\n");
        File.WriteAllText(Path.Combine(folder.Path, "bad.tscn"), "[gd_scene format=3]\n\n[node name=\"Bad\" type=\"Node3D\"]\nposition = Vector3(1, 2, @)\n");
        return folder;
    }
}
