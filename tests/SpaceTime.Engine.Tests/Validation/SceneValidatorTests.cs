using SpaceTime.Engine.Validation;

namespace SpaceTime.Engine.Tests.Validation;

public sealed class SceneValidatorTests
{
    private const string Main = """
        [gd_scene load_steps=2 format=3]

        [ext_resource type="PackedScene" path="res://parts/ship.tscn" id="1"]

        [node name="Main" type="Node3D"]

        [node name="Ship" parent="." instance=ExtResource("1")]
        """;

    private const string Ship = """
        [gd_scene format=3]

        [node name="Ship" type="Node3D"]
        """;

    [Fact]
    public void Validate_TheGodotDemoCorpus_FindsNoErrors()
    {
        var report = SceneValidator.Validate([TestPaths.GodotDemoProjects]);

        Assert.Equal(396, report.Scenes);
        Assert.Equal(139, report.Projects);
        Assert.Equal(0, report.Errors);
    }

    [Fact]
    public void Validate_HealthyProjectFolder_CountsEachKindOfFile()
    {
        using var project = new TempProject(TempProject.DefaultSettings + "\nrun/main_scene=\"res://main.tscn\"\n");
        project.Write("main.tscn", Main);
        project.Write("parts/ship.tscn", Ship);
        project.Write("parts/hull.tres", "[gd_resource type=\"StandardMaterial3D\" format=3]\n\n[resource]\nalbedo_color = Color(1, 0, 0, 1)\n");
        project.Write(".godot/imported/broken.tscn", "[gd_scene"); // Godot's cache: skipped

        var report = SceneValidator.Validate([project.Root]);

        Assert.Equal((1, 2, 1), (report.Projects, report.Scenes, report.Resources));
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void Validate_SyntaxError_ReportsFileLineAndColumn()
    {
        using var project = new TempProject();
        var file = project.Write("bad.tscn", "[gd_scene format=3]\n\n[node name=\"Bad\" type=\"Node3D\"]\nposition = Vector3(1, 2, @)\n\n[node name=\"Child\" type=\"Node3D\" parent=\".\"]\n");

        var problem = Assert.Single(SceneValidator.Validate([file]).Problems);

        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(file, problem.File);
        Assert.Equal(4, problem.Line);
        Assert.NotNull(problem.Column);
        Assert.StartsWith($"{file}:4:", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains(": error: ", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InstanceOfAMissingScene_NamesTheNodeAndTheMissingFile()
    {
        using var project = new TempProject();
        var file = project.Write("main.tscn", Main);

        var problem = Assert.Single(SceneValidator.Validate([file]).Problems);

        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(7, problem.Line);
        Assert.Contains("res://parts/ship.tscn, which does not exist", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ScenesInstancingEachOther_ReportsTheCycle()
    {
        using var project = new TempProject();
        project.Write("main.tscn", Main);
        project.Write("parts/ship.tscn", """
            [gd_scene load_steps=2 format=3]

            [ext_resource type="PackedScene" path="res://main.tscn" id="1"]

            [node name="Ship" type="Node3D"]

            [node name="Back" parent="." instance=ExtResource("1")]
            """);

        var report = SceneValidator.Validate([project.Root]);

        Assert.Equal(2, report.Errors);
        Assert.All(report.Problems, p => Assert.Contains("cycle", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ProjectWhoseMainSceneIsMissing_IsAnError()
    {
        using var project = new TempProject(TempProject.DefaultSettings + "\nrun/main_scene=\"res://gone.tscn\"\n");

        var problem = Assert.Single(SceneValidator.Validate([project.Root]).Problems);

        Assert.EndsWith("project.godot", problem.File, StringComparison.Ordinal);
        Assert.Contains("main scene res://gone.tscn does not exist", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SceneOutsideAnyProject_IsCheckedForSyntaxOnly()
    {
        using var folder = new TempProject();
        File.Delete(Path.Combine(folder.Root, "project.godot"));
        var file = folder.Write("main.tscn", Main);

        var report = SceneValidator.Validate([file]);

        Assert.Equal(1, report.Scenes);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void Validate_MissingPathOrOtherFile_IsAnErrorNamingIt()
    {
        using var project = new TempProject();
        var other = project.Write("notes.txt", "hello");

        var report = SceneValidator.Validate(["/no/such/folder", other]);

        Assert.Equal(2, report.Errors);
        Assert.Contains(report.Problems, p => p.File == "/no/such/folder" && p.Message == "no such file or folder");
        Assert.Contains(report.Problems, p => p.File == other && p.Message.StartsWith("not a Godot", StringComparison.Ordinal));
    }
}
