using System.Text.Json;

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
    public async Task Validate_NoPath_IsAUsageError()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "scenes", "validate");

        Assert.NotEqual(0, code);
        Assert.Contains("paths", output, StringComparison.OrdinalIgnoreCase);
    }
}
