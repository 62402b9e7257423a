using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Tests.Formats;

public sealed class SceneDocumentTests
{
    private const string FullScene = """
        [gd_scene load_steps=3 format=3 uid="uid://abc123"]

        [ext_resource type="PackedScene" uid="uid://child" path="res://child.tscn" id="1_child"]
        [ext_resource type="Script" path="player.gd" id="2_script"]

        [sub_resource type="BoxShape3D" id="BoxShape3D_a"]
        size = Vector3(2, 1, 2)

        [node name="Root" type="Node3D" groups=["level", &"saved"] unique_id=123456 custom_attr="kept"]
        script = ExtResource("2_script")

        [node name="Child" parent="." instance=ExtResource("1_child")]
        transform = Transform3D(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0)

        [node name="Inner" parent="Child/Deep" index="2" owner="Child"]
        visible = false

        [node name="Later" parent="." instance_placeholder="res://later.tscn"]

        [node name="Body" type="StaticBody3D" parent="."]

        [node name="Shape" type="CollisionShape3D" parent="Body"]
        shape = SubResource("BoxShape3D_a")

        [connection signal="body_entered" from="Body" to="." method="_on_body_entered" flags=3 binds=[1, "x"]]
        [connection signal="ready" from="." to="Child" method="_on_ready"]

        [editable path="Child"]
        """;

    [Fact]
    public void Header_ReadsKindFormatAndUid()
    {
        var document = SceneDocument.Parse(FullScene, "res://full.tscn");

        Assert.Equal("res://full.tscn", document.File);
        Assert.Equal("gd_scene", document.Kind);
        Assert.Equal(3, document.Format);
        Assert.Equal("uid://abc123", document.Uid);
        Assert.Equal(3L, document.HeaderAttributes.Single(a => a.Key == "load_steps").Value);
        Assert.Null(document.MainResource);
    }

    [Fact]
    public void ExtResources_ReadIdTypePathAndUid()
    {
        var document = SceneDocument.Parse(FullScene, "res://full.tscn");

        Assert.Equal(
            [new ExternalResource("1_child", "PackedScene", "res://child.tscn", "uid://child"), new ExternalResource("2_script", "Script", "player.gd", null)],
            document.ExternalResources);
        Assert.Equal("player.gd", document.FindExternal("2_script")?.Path);
        Assert.Null(document.FindExternal("nope"));
    }

    [Fact]
    public void SubResources_KeepTheirProperties()
    {
        var document = SceneDocument.Parse(FullScene, "res://full.tscn");

        var shape = Assert.Single(document.SubResources);
        Assert.Equal("BoxShape3D_a", shape.Id);
        Assert.Equal("BoxShape3D", shape.Type);
        Assert.Equal(MathValue.Of("Vector3", 2, 1, 2), shape.Property("size"));
        Assert.Same(shape, document.FindSub("BoxShape3D_a"));
        Assert.Null(document.FindSub("other"));
    }

    [Fact]
    public void RootNode_ReadsGroupsUniqueIdAndKeepsUnknownAttributes()
    {
        var root = SceneDocument.Parse(FullScene, "res://full.tscn").Nodes[0];

        Assert.Equal("Root", root.Name);
        Assert.Equal("Node3D", root.Type);
        Assert.Null(root.Parent);
        Assert.Equal(".", root.Path);
        Assert.Equal(["level", "saved"], root.Groups);
        Assert.Equal(123456L, root.UniqueId);
        Assert.Equal("kept", root.Attributes.Single(a => a.Key == "custom_attr").Value);
        Assert.Equal(new ResourceRef(ResourceRefKind.External, "2_script"), root.Property("script"));
        Assert.Equal(9, root.Line);
    }

    [Fact]
    public void InstancedNodes_ReadInstanceIndexOwnerAndPlaceholder()
    {
        var nodes = SceneDocument.Parse(FullScene, "res://full.tscn").Nodes;

        var child = nodes.Single(n => n.Name == "Child");
        Assert.Null(child.Type);
        Assert.Equal(new ResourceRef(ResourceRefKind.External, "1_child"), child.Instance);
        Assert.Equal("Child", child.Path);

        var inner = nodes.Single(n => n.Name == "Inner");
        Assert.Equal("Child/Deep", inner.Parent);
        Assert.Equal("Child/Deep/Inner", inner.Path);
        Assert.Equal(2, inner.Index);
        Assert.Equal("Child", inner.Owner);
        Assert.Equal(false, inner.Property("visible"));

        var later = nodes.Single(n => n.Name == "Later");
        Assert.Equal("res://later.tscn", later.InstancePlaceholder);
        Assert.Null(later.Instance);
        Assert.Null(later.Index);
        Assert.Null(later.UniqueId);
        Assert.Empty(later.Groups);
    }

    [Fact]
    public void Connections_ReadSignalEndsFlagsAndBinds()
    {
        var connections = SceneDocument.Parse(FullScene, "res://full.tscn").Connections;

        Assert.Equal(2, connections.Count);
        var first = connections[0];
        Assert.Equal(("body_entered", "Body", ".", "_on_body_entered", 3L), (first.Signal, first.From, first.To, first.Method, first.Flags));
        Assert.Equal(new VariantArray([1L, "x"]), first.Binds);
        Assert.Equal(0L, connections[1].Flags);
        Assert.Null(connections[1].Binds);
    }

    [Fact]
    public void Editable_ReadsPaths()
    {
        Assert.Equal(["Child"], SceneDocument.Parse(FullScene, "res://full.tscn").EditablePaths);
    }

    [Fact]
    public void Resource_Tres_ReadsMainResource()
    {
        var document = SceneDocument.Parse("""
            [gd_resource type="BoxShape3D" format=3 uid="uid://shape"]

            [resource]
            size = Vector3(3, 0.5, 3)
            margin = 0.04
            """, "res://shape.tres");

        Assert.Equal("gd_resource", document.Kind);
        Assert.Equal("BoxShape3D", document.ResourceType);
        Assert.Empty(document.Nodes);
        var main = Assert.IsType<SubResource>(document.MainResource);
        Assert.Equal("BoxShape3D", main.Type);
        Assert.Equal(MathValue.Of("Vector3", 3, 0.5, 3), main.Property("size"));
        Assert.Equal(0.04, main.Property("margin"));
    }

    [Fact]
    public void Format2_WithNumericIds_IsTolerated()
    {
        var document = SceneDocument.Parse("""
            [gd_scene load_steps=2 format=2]

            [ext_resource path="res://x.tscn" type="PackedScene" id=1]

            [node name="Root" type="Spatial"]

            [node name="X" parent="." instance=ExtResource( 1 )]
            """, "old.tscn");

        Assert.Equal(2, document.Format);
        Assert.Equal("1", document.ExternalResources[0].Id);
        Assert.Equal(new ResourceRef(ResourceRefKind.External, "1"), document.Nodes[1].Instance);
    }

    [Fact]
    public void MissingFormat_DefaultsToFormat2()
    {
        Assert.Equal(2, SceneDocument.Parse("[gd_scene]\n[node name=\"A\" type=\"Node\"]\n", "f.tscn").Format);
    }

    [Fact]
    public void Format4_IsAccepted()
    {
        Assert.Equal(4, SceneDocument.Parse("[gd_scene format=4]\n[node name=\"A\" type=\"Node\"]\n", "f.tscn").Format);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    public void UnsupportedFormat_IsRejectedAtTheHeaderLine(int format)
    {
        var error = Assert.Throws<GodotParseException>(() =>
            SceneDocument.Parse($"\n; comment\n[gd_scene format={format}]\n[node name=\"A\" type=\"Node\"]\n", "f.tscn"));

        Assert.Equal(3, error.Line);
        Assert.Contains($"format={format}", error.Reason);
    }

    [Fact]
    public void UndeclaredParent_IsAnErrorAtTheNodeLine()
    {
        var error = Assert.Throws<GodotParseException>(() => SceneDocument.Parse("""
            [gd_scene format=3]

            [node name="Root" type="Node3D"]

            [node name="Orphan" type="Node3D" parent="Missing"]
            """, "res://bad.tscn"));

        Assert.Equal("res://bad.tscn", error.File);
        Assert.Equal(5, error.Line);
        Assert.Contains("'Missing'", error.Reason);
    }

    [Fact]
    public void ParentInsideInstancedScene_Resolves()
    {
        var document = SceneDocument.Parse("""
            [gd_scene format=3]
            [ext_resource type="PackedScene" path="res://a.tscn" id="1"]
            [node name="Root" type="Node3D"]
            [node name="A" parent="." instance=ExtResource("1")]
            [node name="Extra" type="Node3D" parent="A/Deep/Deeper"]
            """, "f.tscn");

        Assert.Equal("A/Deep/Deeper/Extra", document.Nodes[2].Path);
    }

    [Fact]
    public void InheritedScene_RootWithInstance_AcceptsAnyParentPath()
    {
        var document = SceneDocument.Parse("""
            [gd_scene format=3]
            [ext_resource type="PackedScene" path="res://base.tscn" id="1"]
            [node name="Derived" instance=ExtResource("1")]
            [node name="Deep" parent="Some/Path" index="0"]
            """, "f.tscn");

        Assert.Equal(2, document.Nodes.Count);
    }

    [Theory]
    [InlineData("[gd_scene format=3]\n[node name=\"A\" type=\"Node\" parent=\".\"]\n", "must be the root", 2)]
    [InlineData("[gd_scene format=3]\n[node name=\"A\" type=\"Node\"]\n[node name=\"B\" type=\"Node\"]\n", "has no parent", 3)]
    [InlineData("[gd_scene format=3]\n[node type=\"Node\"]\n", "missing 'name'", 2)]
    [InlineData("[gd_scene format=3]\n[ext_resource type=\"Script\" id=\"1\"]\n", "missing 'path'", 2)]
    [InlineData("[gd_scene format=3]\n[sub_resource id=\"1\"]\n", "missing 'type'", 2)]
    [InlineData("[gd_scene format=3]\n[node name=\"A\" type=\"Node\" groups=\"g\"]\n", "must be an array", 2)]
    [InlineData("[gd_scene format=3]\n[node name=\"A\" type=\"Node\" groups=[1]]\n", "must be strings", 2)]
    [InlineData("[gd_scene format=3]\n[node name=\"A\" type=\"Node\" index=\"x\"]\n", "not a number", 2)]
    [InlineData("[gd_scene format=3]\n[node name=\"A\" instance=\"x\"]\n", "ExtResource", 2)]
    [InlineData("[gd_scene format=3]\n\n[weird]\n", "unknown section [weird]", 3)]
    [InlineData("[gd_scene format=3]\n[connection signal=\"s\" from=\".\" to=\".\"]\n", "missing 'method'", 2)]
    public void BrokenStructure_IsAnErrorWithLine(string text, string reason, int line)
    {
        var error = Assert.Throws<GodotParseException>(() => SceneDocument.Parse(text, "f.tscn"));

        Assert.Contains(reason, error.Reason);
        Assert.Equal(line, error.Line);
    }

    [Theory]
    [InlineData("")]
    [InlineData("config_version=5\n")]
    [InlineData("[application]\n")]
    public void NotAScene_IsRejected(string text)
    {
        var error = Assert.Throws<GodotParseException>(() => SceneDocument.Parse(text, "f.tscn"));

        Assert.Contains("not a Godot scene", error.Reason);
    }

    [Fact]
    public void PropertyValueError_ReportsItsLineAndColumn()
    {
        var error = Assert.Throws<GodotParseException>(() => SceneDocument.Parse(
            "[gd_scene format=3]\n\n[node name=\"A\" type=\"Node3D\"]\nposition = Vector3(1, 2)\n", "res://v.tscn"));

        Assert.Equal(4, error.Line);
        Assert.Equal(12, error.Column);
    }

    [Fact]
    public void Load_ReadsRealDemoScene()
    {
        var document = SceneDocument.Load(Path.Combine(TestPaths.DemoProject, "tests", "debug.tscn"));

        Assert.Equal(4, document.Nodes.Count);
        Assert.Equal("res://node_3d.tscn", document.FindExternal(document.Nodes[1].Instance!.Id)?.Path);
        Assert.Equal(0, document.Nodes[2].Index);
        Assert.Equal(["debug"], document.Nodes[0].Groups);
    }
}
