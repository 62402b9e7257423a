using System.Numerics;
using System.Text.RegularExpressions;
using SpaceTime.Engine.Formats;
using SpaceTime.Engine.Scenes;

namespace SpaceTime.Engine.Tests.Scenes;

public sealed partial class SceneLoaderTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private SceneLoader Loader() => new(_project.Root);

    private const string Prop = """
        [gd_scene format=3]

        [node name="PropRoot" type="Node3D"]
        position = Vector3(0, 1, 0)
        mass = 1.0

        [node name="Mesh" type="MeshInstance3D" parent="."]
        position = Vector3(0, 0.5, 0)
        cast_shadow = 1

        [node name="Light" type="OmniLight3D" parent="Mesh"]
        """;

    private const string Room = """
        [gd_scene format=3]

        [ext_resource type="PackedScene" path="res://props/prop.tscn" id="1_prop"]

        [node name="RoomRoot" type="Node3D"]

        [node name="Chair" parent="." instance=ExtResource("1_prop")]
        position = Vector3(2, 0, 0)

        [node name="Mesh" parent="Chair"]
        cast_shadow = 0

        [node name="Label" type="Label3D" parent="Chair/Mesh" groups=["labels"]]
        position = Vector3(0, 0, 1)
        """;

    private const string Level = """
        [gd_scene format=3]

        [ext_resource type="PackedScene" path="rooms/room.tscn" id="1_room"]

        [node name="Level" type="Node3D"]

        [node name="Kitchen" parent="." instance=ExtResource("1_room")]
        position = Vector3(10, 0, 0)

        [node name="Light" parent="Kitchen/Chair/Mesh"]
        omni_range = 3.0

        [node name="Extra" type="Node3D" parent="Kitchen/Chair"]
        """;

    private void WriteNested()
    {
        _project.Write("props/prop.tscn", Prop);
        _project.Write("rooms/room.tscn", Room);
        _project.Write("level.tscn", Level);
    }

    [Fact]
    public void NestedInstances_RenameInstancedRootsAndApplyOverrides()
    {
        WriteNested();

        var scene = Loader().Instantiate("res://level.tscn");

        Assert.Equal("Level", scene.Name);
        Assert.Equal("res://level.tscn", scene.ResourcePath);
        var kitchen = Assert.IsType<SceneNode>(scene.Root.Find("Kitchen"));
        Assert.Equal("Node3D", kitchen.Type);
        Assert.Equal("res://rooms/room.tscn", kitchen.SceneFile);
        var chair = Assert.IsType<SceneNode>(scene.Root.Find("Kitchen/Chair"));
        Assert.Equal("res://props/prop.tscn", chair.SceneFile);
        Assert.Equal(1.0, chair.Properties["mass"]);
        var mesh = Assert.IsType<SceneNode>(scene.Root.Find("Kitchen/Chair/Mesh"));
        Assert.Equal("MeshInstance3D", mesh.Type);
        Assert.Equal(0L, mesh.Properties["cast_shadow"]);
        Assert.Equal(3.0, scene.Root.Find("Kitchen/Chair/Mesh/Light")?.Properties["omni_range"]);
        Assert.Null(scene.Root.Find("Kitchen/PropRoot"));
        Assert.Null(scene.Root.Find("Kitchen/RoomRoot"));
    }

    [Fact]
    public void NestedInstances_PlaceNewChildrenUnderInstancedNodes()
    {
        WriteNested();

        var scene = Loader().Instantiate("res://level.tscn");

        var label = Assert.IsType<SceneNode>(scene.Root.Find("Kitchen/Chair/Mesh/Label"));
        Assert.True(label.IsInGroup("labels"));
        Assert.Equal("Level/Kitchen/Chair/Mesh/Label", label.Path);
        Assert.Equal(["Mesh", "Extra"], scene.Root.Find("Kitchen/Chair")!.Children.Select(c => c.Name));
        Assert.Equal(7, scene.NodeCount);
        Assert.Equal(scene.NodeCount, scene.Root.SelfAndDescendants().Count());
        Assert.Empty(scene.Warnings);
    }

    [Fact]
    public void NestedInstances_ComposeGlobalPositionsThroughInstances()
    {
        WriteNested();

        var scene = Loader().Instantiate("res://level.tscn");

        // Kitchen (10, 0, 0) + Chair (2, 0, 0), whose override replaces the prop root's own (0, 1, 0), + Mesh (0, 0.5, 0) + Label (0, 0, 1).
        var chair = scene.Root.Find("Kitchen/Chair")!;
        Assert.Equal(new Vector3(12, 0, 0), chair.GlobalPosition);
        Assert.Equal(new Vector3(12, 0.5f, 1), scene.Root.Find("Kitchen/Chair/Mesh/Label")!.GlobalPosition);
    }

    [Fact]
    public void GlobalPosition_ComposesThroughTranslatedAndRotatedParents()
    {
        _project.Write("t.tscn", """
            [gd_scene format=3]

            [node name="Root" type="Node3D"]
            transform = Transform3D(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 3)

            [node name="Turned" type="Node3D" parent="."]
            transform = Transform3D(0, 0, 1, 0, 1, 0, -1, 0, 0, 10, 0, 0)

            [node name="Child" type="Node3D" parent="Turned"]
            position = Vector3(1, 0, 0)

            [node name="Plain" type="Node" parent="Turned/Child"]

            [node name="Grandchild" type="Node3D" parent="Turned/Child/Plain"]
            position = Vector3(0, 0, 2)

            [node name="EulerTurned" type="Node3D" parent="."]
            rotation = Vector3(0, 1.5707964, 0)

            [node name="EulerChild" type="Node3D" parent="EulerTurned"]
            position = Vector3(1, 0, 0)

            [node name="Scaled" type="Node3D" parent="."]
            scale = Vector3(2, 2, 2)

            [node name="ScaledChild" type="Node3D" parent="Scaled"]
            position = Vector3(0, 1, 0)
            """);

        var root = Loader().Instantiate("res://t.tscn").Root;

        AssertNear(new Vector3(1, 2, 3), root.GlobalPosition);
        AssertNear(new Vector3(11, 2, 3), root.Find("Turned")!.GlobalPosition);
        // A 90° turn about +Y maps local +X onto -Z.
        AssertNear(new Vector3(11, 2, 2), root.Find("Turned/Child")!.GlobalPosition);
        // A plain Node between spatial nodes does not break the chain; local +Z maps onto +X.
        AssertNear(new Vector3(13, 2, 2), root.Find("Turned/Child/Plain/Grandchild")!.GlobalPosition);
        Assert.False(root.Find("Turned/Child/Plain")!.Is3D);
        AssertNear(new Vector3(1, 2, 2), root.Find("EulerTurned/EulerChild")!.GlobalPosition);
        AssertNear(new Vector3(1, 4, 3), root.Find("Scaled/ScaledChild")!.GlobalPosition);
    }

    [Fact]
    public void Cycle_BetweenTwoScenes_IsReportedAsCycle()
    {
        _project.Write("a.tscn", InstancingScene("A", "res://b.tscn"));
        _project.Write("b.tscn", InstancingScene("B", "res://a.tscn"));

        var error = Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://a.tscn"));

        Assert.Equal(SceneLoadFailure.Cycle, error.Failure);
        Assert.Contains("res://a.tscn -> res://b.tscn -> res://a.tscn", error.Message);
        Assert.Equal("res://b.tscn", error.File);
        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void Cycle_SceneInstancingItself_IsReportedAsCycle()
    {
        _project.Write("self.tscn", InstancingScene("Self", "self.tscn"));

        var error = Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://self.tscn"));

        Assert.Equal(SceneLoadFailure.Cycle, error.Failure);
    }

    [Fact]
    public void SameSceneInstancedTwice_IsNotACycle()
    {
        _project.Write("props/prop.tscn", Prop);
        _project.Write("two.tscn", """
            [gd_scene format=3]
            [ext_resource type="PackedScene" path="res://props/prop.tscn" id="1"]
            [node name="Two" type="Node3D"]
            [node name="First" parent="." instance=ExtResource("1")]
            [node name="Second" parent="." instance=ExtResource("1")]
            """);

        var scene = Loader().Instantiate("res://two.tscn");

        Assert.Equal(7, scene.NodeCount);
        Assert.NotSame(scene.Root.Find("First/Mesh"), scene.Root.Find("Second/Mesh"));
    }

    [Fact]
    public void MissingInstancedScene_IsNotFoundNamingTheFile()
    {
        _project.Write("main.tscn", InstancingScene("Main", "res://gone/missing.tscn"));

        var error = Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://main.tscn"));

        Assert.Equal(SceneLoadFailure.NotFound, error.Failure);
        Assert.Contains("res://gone/missing.tscn", error.Message);
        Assert.Contains("'Inst'", error.Message);
        Assert.Equal("res://main.tscn", error.File);
    }

    [Fact]
    public void MissingScene_IsNotFound()
    {
        var error = Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://nope.tscn"));

        Assert.Equal(SceneLoadFailure.NotFound, error.Failure);
        Assert.Contains("res://nope.tscn", error.Message);
    }

    [Fact]
    public void UndeclaredExtResourceInstance_IsInvalid()
    {
        _project.Write("main.tscn", """
            [gd_scene format=3]
            [node name="Main" type="Node3D"]
            [node name="Inst" parent="." instance=ExtResource("nope")]
            """);

        var error = Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://main.tscn"));

        Assert.Equal(SceneLoadFailure.Invalid, error.Failure);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void ParseErrorInInstancedScene_IsParseErrorWithLineAndColumn()
    {
        _project.Write("main.tscn", InstancingScene("Main", "res://broken.tscn"));
        _project.Write("broken.tscn", "[gd_scene format=3]\n\n[node name=\"B\" type=\"Node3D\"]\nposition = Vector3(1, 2)\n");

        var error = Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://main.tscn"));

        Assert.Equal(SceneLoadFailure.ParseError, error.Failure);
        Assert.Equal("res://broken.tscn", error.File);
        Assert.Equal(4, error.Line);
        Assert.Equal(12, error.Column);
        Assert.IsType<GodotParseException>(error.InnerException);
        Assert.Contains("res://broken.tscn:4:12", error.Message);
    }

    [Fact]
    public void UnterminatedString_IsParseErrorAtTheQuote()
    {
        _project.Write("s.tscn", "[gd_scene format=3]\n[node name=\"S\" type=\"Label3D\"]\ntext = \"never closed\n");

        var error = Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://s.tscn"));

        Assert.Equal(SceneLoadFailure.ParseError, error.Failure);
        Assert.Equal((3, 8), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("s.tscn", SceneLoadFailure.InvalidPath)]
    [InlineData("res://../s.tscn", SceneLoadFailure.InvalidPath)]
    [InlineData("res://project.godot", SceneLoadFailure.InvalidPath)]
    [InlineData("res://shape.tres", SceneLoadFailure.InvalidPath)]
    public void InvalidScenePath_IsInvalidPath(string path, SceneLoadFailure failure)
    {
        var error = Assert.Throws<SceneLoadException>(() => Loader().Instantiate(path));

        Assert.Equal(failure, error.Failure);
    }

    [Fact]
    public void ResourceFileNamedTscn_IsInvalid()
    {
        _project.Write("res.tscn", "[gd_resource type=\"BoxShape3D\" format=3]\n[resource]\nsize = Vector3(1, 1, 1)\n");
        _project.Write("empty.tscn", "[gd_scene format=3]\n");

        Assert.Equal(SceneLoadFailure.Invalid, Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://res.tscn")).Failure);
        Assert.Equal(SceneLoadFailure.Invalid, Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://empty.tscn")).Failure);
    }

    [Fact]
    public void Cache_ChangedFile_IsReadAgain()
    {
        var file = _project.Write("c.tscn", "[gd_scene format=3]\n[node name=\"Before\" type=\"Node3D\"]\n");
        var loader = Loader();
        Assert.Equal("Before", loader.Instantiate("res://c.tscn").Name);
        var first = loader.LoadDocument("res://c.tscn");
        Assert.Same(first, loader.LoadDocument("res://c.tscn"));

        File.WriteAllText(file, "[gd_scene format=3]\n[node name=\"AfterTheChange\" type=\"Node3D\"]\n[node name=\"Kid\" type=\"Node\" parent=\".\"]\n");
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(5));

        var scene = loader.Instantiate("res://c.tscn");
        Assert.Equal("AfterTheChange", scene.Name);
        Assert.Equal(2, scene.NodeCount);
        Assert.NotSame(first, loader.LoadDocument("res://c.tscn"));
    }

    [Fact]
    public void Cache_SameContentRewrittenWithNewTime_IsReadAgain()
    {
        var file = _project.Write("c.tscn", "[gd_scene format=3]\n[node name=\"AAAA\" type=\"Node3D\"]\n");
        var loader = Loader();
        Assert.Equal("AAAA", loader.Instantiate("res://c.tscn").Name);

        // Same length, only the name differs: the modification time tells the change apart.
        File.WriteAllText(file, "[gd_scene format=3]\n[node name=\"BBBB\" type=\"Node3D\"]\n");
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(5));

        Assert.Equal("BBBB", loader.Instantiate("res://c.tscn").Name);
    }

    [Fact]
    public void Instantiate_ReturnsFreshTreeEachTime()
    {
        _project.Write("props/prop.tscn", Prop);
        var loader = Loader();

        var first = loader.Instantiate("res://props/prop.tscn");
        var second = loader.Instantiate("res://props/prop.tscn");

        Assert.NotSame(first.Root, second.Root);
    }

    [Fact]
    public void SubResourcesAndTresFiles_ResolveFromTheDeclaringScene()
    {
        _project.Write("shapes/big.tres", "[gd_resource type=\"BoxShape3D\" format=3]\n\n[resource]\nsize = Vector3(8, 1, 8)\n");
        _project.Write("inner.tscn", """
            [gd_scene format=3]
            [ext_resource type="BoxShape3D" path="res://shapes/big.tres" id="1_big"]
            [sub_resource type="BoxShape3D" id="small"]
            size = Vector3(1, 2, 3)
            [node name="Inner" type="StaticBody3D"]
            [node name="A" type="CollisionShape3D" parent="."]
            shape = SubResource("small")
            [node name="B" type="CollisionShape3D" parent="."]
            shape = ExtResource("1_big")
            """);
        _project.Write("outer.tscn", """
            [gd_scene format=3]
            [ext_resource type="PackedScene" path="res://inner.tscn" id="1"]
            [sub_resource type="SphereShape3D" id="small"]
            radius = 4.0
            [node name="Outer" type="Node3D"]
            [node name="In" parent="." instance=ExtResource("1")]
            """);

        var root = Loader().Instantiate("res://outer.tscn").Root;

        var small = root.Find("In/A")!.GetResource("shape");
        Assert.Equal("BoxShape3D", small?.Type);
        Assert.Equal(MathValue.Of("Vector3", 1, 2, 3), small?.Property("size"));
        Assert.Equal(MathValue.Of("Vector3", 8, 1, 8), root.Find("In/B")!.GetResource("shape")?.Property("size"));
        Assert.Null(root.GetResource("shape"));
    }

    [Fact]
    public void UntypedNodeOverridingNothing_IsCreatedWithAWarning()
    {
        _project.Write("w.tscn", "[gd_scene format=3]\n[node name=\"W\" type=\"Node3D\"]\n[node name=\"Ghost\" parent=\".\"]\n");

        var scene = Loader().Instantiate("res://w.tscn");

        Assert.Equal("Node", scene.Root.Find("Ghost")?.Type);
        Assert.Contains(scene.Warnings, w => w.Contains("Ghost", StringComparison.Ordinal));
    }

    [Fact]
    public void ImportedScene_IsKeptAsSpatialPlaceholderWithChildrenBelowIt()
    {
        _project.Write("m.tscn", """
            [gd_scene format=3]
            [ext_resource type="PackedScene" path="res://models/ship.glb" id="1"]
            [node name="M" type="Node3D"]
            [node name="Ship" parent="." instance=ExtResource("1")]
            position = Vector3(0, 5, 0)
            [node name="Gun" type="Node3D" parent="Ship/Hull/Mount"]
            position = Vector3(1, 0, 0)
            """);

        var root = Loader().Instantiate("res://m.tscn").Root;

        var ship = root.Find("Ship")!;
        Assert.Equal("res://models/ship.glb", ship.ImportedScene);
        Assert.True(ship.Is3D);
        AssertNear(new Vector3(1, 5, 0), root.Find("Ship/Hull/Mount/Gun")!.GlobalPosition);
    }

    [Fact]
    public void MissingParent_IsInvalidWithLine()
    {
        _project.Write("props/prop.tscn", Prop);
        _project.Write("p.tscn", """
            [gd_scene format=3]
            [ext_resource type="PackedScene" path="res://props/prop.tscn" id="1"]
            [node name="P" type="Node3D"]
            [node name="Prop" parent="." instance=ExtResource("1")]
            [node name="X" type="Node3D" parent="Prop/NotThere"]
            """);

        var error = Assert.Throws<SceneLoadException>(() => Loader().Instantiate("res://p.tscn"));

        Assert.Equal(SceneLoadFailure.Invalid, error.Failure);
        Assert.Equal(5, error.Line);
        Assert.Contains("Prop/NotThere", error.Message);
    }

    [Fact]
    public void ChildIndex_InsertsAtThatPosition()
    {
        _project.Write("props/prop.tscn", Prop);
        _project.Write("i.tscn", """
            [gd_scene format=3]
            [ext_resource type="PackedScene" path="res://props/prop.tscn" id="1"]
            [node name="I" type="Node3D"]
            [node name="Prop" parent="." instance=ExtResource("1")]
            [node name="First" type="Node3D" parent="Prop" index="0"]
            """);

        var prop = Loader().Instantiate("res://i.tscn").Root.Find("Prop")!;

        Assert.Equal(["First", "Mesh"], prop.Children.Select(c => c.Name));
    }

    [Fact]
    public void DemoVrMain_HasXROriginAndOneNodePerSection()
    {
        var loader = new SceneLoader(TestPaths.DemoProject);
        var text = File.ReadAllText(Path.Combine(TestPaths.DemoProject, "vr_main.tscn"));

        var scene = loader.Instantiate("res://vr_main.tscn");

        Assert.Equal("VRMain", scene.Name);
        Assert.Equal(NodeSection().Matches(text).Count, scene.NodeCount);
        var origin = Assert.Single(scene.Root.SelfAndDescendants(), n => n.Type == "XROrigin3D");
        Assert.True(origin.IsInGroup("player"));
        Assert.True(origin.Is3D);
        AssertNear(new Vector3(0, 0.05f, 2), origin.GlobalPosition);
        AssertNear(new Vector3(0, 1.75f, 2), origin.Find("XRCamera3D")!.GlobalPosition);
        Assert.Equal(new StringName("left_hand"), origin.Find("LeftController")!.Properties["tracker"]);
        Assert.Equal(3, scene.Root.SelfAndDescendants().Count(n => n.IsInGroup("props")));
        Assert.Empty(scene.Warnings);
    }

    [Fact]
    public void DemoDebugScene_InstancesNode3DWithOverride()
    {
        var scene = new SceneLoader(TestPaths.DemoProject).Instantiate("res://tests/debug.tscn");

        Assert.Equal("Debug", scene.Name);
        Assert.True(scene.Root.IsInGroup("debug"));
        var stage = Assert.IsType<SceneNode>(scene.Root.Find("Stage"));
        Assert.Equal("res://node_3d.tscn", stage.SceneFile);
        Assert.Equal("Node3D", stage.Type);
        Assert.Equal(["Camera3D", "OmniLight3D"], stage.Children.Select(c => c.Name));
        var camera = stage.Find("Camera3D")!;
        Assert.Equal(90.0, camera.Properties["fov"]);
        Assert.Equal(true, camera.Properties["current"]);
        AssertNear(new Vector3(0, 3, -5), stage.Find("OmniLight3D")!.GlobalPosition);
        Assert.Equal(5, scene.NodeCount);
    }

    [Fact]
    public void DemoMenu_IsA2DSceneWithoutSpatialNodes()
    {
        var scene = new SceneLoader(TestPaths.DemoProject).Instantiate("res://scenes/menu.tscn");

        Assert.Equal("Control", scene.Root.Type);
        Assert.All(scene.Root.SelfAndDescendants(), n => Assert.False(n.Is3D));
        Assert.Equal(5, scene.NodeCount);
        Assert.Equal("Menu/VBoxContainer/Start", scene.Root.Find("VBoxContainer/Start")!.Path);
    }

    private static string InstancingScene(string name, string target) => $"""
        [gd_scene format=3]

        [ext_resource type="PackedScene" path="{target}" id="1"]

        [node name="{name}" type="Node3D"]

        [node name="Inst" parent="." instance=ExtResource("1")]
        """;

    internal static void AssertNear(Vector3 expected, Vector3 actual, float tolerance = 1e-4f) =>
        Assert.True(Vector3.Distance(expected, actual) <= tolerance, $"expected {expected}, got {actual}");

    [GeneratedRegex(@"^\[node ", RegexOptions.Multiline)]
    private static partial Regex NodeSection();
}
