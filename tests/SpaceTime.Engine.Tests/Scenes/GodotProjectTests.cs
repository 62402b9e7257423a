using SpaceTime.Engine.Scenes;

namespace SpaceTime.Engine.Tests.Scenes;

public sealed class GodotProjectTests
{
    [Fact]
    public void Open_DemoProject_ReadsSettingsAndRoot()
    {
        var project = GodotProject.Open(TestPaths.DemoProject);

        Assert.Equal(Path.GetFullPath(TestPaths.DemoProject), project.Root);
        Assert.Equal("SpaceTime VR", project.Settings.Name);
        Assert.Equal(project.Root, project.Loader.ProjectRoot);
    }

    [Fact]
    public void Open_MissingFolder_IsNotFound()
    {
        var folder = Path.Combine(Path.GetTempPath(), "spacetime-missing-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<SceneLoadException>(() => GodotProject.Open(folder));

        Assert.Equal(SceneLoadFailure.NotFound, error.Failure);
        Assert.Contains(folder, error.Message);
    }

    [Fact]
    public void Open_FolderWithoutProjectGodot_IsNotFound()
    {
        using var project = new TempProject();
        File.Delete(Path.Combine(project.Root, "project.godot"));

        var error = Assert.Throws<SceneLoadException>(() => GodotProject.Open(project.Root));

        Assert.Equal(SceneLoadFailure.NotFound, error.Failure);
        Assert.Contains("project.godot", error.Message);
    }

    [Fact]
    public void Open_BrokenProjectGodot_IsParseErrorWithLine()
    {
        using var project = new TempProject("config_version=5\n\n[application]\nconfig/name=\"unterminated\n");

        var error = Assert.Throws<SceneLoadException>(() => GodotProject.Open(project.Root));

        Assert.Equal(SceneLoadFailure.ParseError, error.Failure);
        Assert.Equal(4, error.Line);
        Assert.EndsWith("project.godot", error.File);
    }

    [Fact]
    public void ListScenes_DemoProject_ListsAllScenesSortedByPath()
    {
        var scenes = GodotProject.Open(TestPaths.DemoProject).ListScenes("res://", includeAddons: false);

        Assert.Equal(["res://node_3d.tscn", "res://scenes/menu.tscn", "res://tests/debug.tscn", "res://vr_main.tscn"], scenes.Select(s => s.Path));
        Assert.Equal("menu", scenes[1].Name);
        Assert.All(scenes, s => Assert.True(s.SizeBytes > 0));
    }

    [Fact]
    public void ListScenes_Addons_AreListedOnlyWhenAsked()
    {
        using var temp = new TempProject();
        temp.Write("main.tscn", "[gd_scene format=3]\n[node name=\"M\" type=\"Node\"]\n");
        temp.Write("addons/tool/plugin.tscn", "[gd_scene format=3]\n[node name=\"P\" type=\"Node\"]\n");
        temp.Write("levels/one.tscn", "[gd_scene format=3]\n[node name=\"L\" type=\"Node\"]\n");
        var project = GodotProject.Open(temp.Root);

        Assert.Equal(["res://levels/one.tscn", "res://main.tscn"], project.ListScenes("res://", includeAddons: false).Select(s => s.Path));
        Assert.Equal(3, project.ListScenes("res://", includeAddons: true).Count);
        Assert.Equal(["res://levels/one.tscn"], project.ListScenes("res://levels/", includeAddons: false).Select(s => s.Path));
    }

    [Fact]
    public void ListScenes_BadFolder_Throws()
    {
        var project = GodotProject.Open(TestPaths.DemoProject);

        Assert.Equal(SceneLoadFailure.InvalidPath, Assert.Throws<SceneLoadException>(() => project.ListScenes("res://../", false)).Failure);
        Assert.Equal(SceneLoadFailure.InvalidPath, Assert.Throws<SceneLoadException>(() => project.ListScenes("scenes", false)).Failure);
        Assert.Equal(SceneLoadFailure.NotFound, Assert.Throws<SceneLoadException>(() => project.ListScenes("res://nowhere", false)).Failure);
    }
}
