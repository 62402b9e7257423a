using System.Numerics;
using SpaceTime.Engine.Physics;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Tests.Physics;

public sealed class StaticCollidersTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private StaticColliders Colliders(string scene)
    {
        _project.Write("s.tscn", scene);
        return StaticColliders.FromScene(new SceneLoader(_project.Root).Instantiate("res://s.tscn").Root);
    }

    [Fact]
    public void BoxShapes_UnderStaticAndAnimatableBodies_AreColliders()
    {
        var colliders = Colliders("""
            [gd_scene format=3]
            [sub_resource type="BoxShape3D" id="box"]
            size = Vector3(2, 4, 6)
            [sub_resource type="SphereShape3D" id="ball"]
            [node name="S" type="Node3D"]
            [node name="Static" type="StaticBody3D" parent="."]
            position = Vector3(10, 0, 0)
            [node name="Shape" type="CollisionShape3D" parent="Static"]
            shape = SubResource("box")
            [node name="Lift" type="AnimatableBody3D" parent="."]
            [node name="Shape" type="CollisionShape3D" parent="Lift"]
            shape = SubResource("box")
            [node name="Off" type="CollisionShape3D" parent="Lift"]
            shape = SubResource("box")
            disabled = true
            [node name="Round" type="CollisionShape3D" parent="Lift"]
            shape = SubResource("ball")
            [node name="Rigid" type="RigidBody3D" parent="."]
            [node name="Shape" type="CollisionShape3D" parent="Rigid"]
            shape = SubResource("box")
            [node name="Area" type="Area3D" parent="."]
            [node name="Shape" type="CollisionShape3D" parent="Area"]
            shape = SubResource("box")
            """);

        Assert.Equal(2, colliders.Boxes.Count);
        Assert.Contains(colliders.Boxes, b => b.Min == new Vector3(9, -2, -3) && b.Max == new Vector3(11, 2, 3));
        Assert.Contains(colliders.Boxes, b => b.Center == Vector3.Zero);
    }

    [Fact]
    public void BoxShapeWithoutSize_DefaultsToOneMetre()
    {
        var colliders = Colliders("""
            [gd_scene format=3]
            [sub_resource type="BoxShape3D" id="box"]
            [node name="S" type="StaticBody3D"]
            [node name="Shape" type="CollisionShape3D" parent="."]
            shape = SubResource("box")
            """);

        Assert.Equal(Vector3.One, Assert.Single(colliders.Boxes).Size);
    }

    [Fact]
    public void CsgBoxes_CollideOnlyWithUseCollision()
    {
        var colliders = Colliders("""
            [gd_scene format=3]
            [node name="S" type="Node3D"]
            [node name="Solid" type="CSGBox3D" parent="."]
            use_collision = true
            [node name="Sized" type="CSGBox3D" parent="."]
            position = Vector3(0, 5, 0)
            use_collision = true
            size = Vector3(4, 0.5, 4)
            [node name="Ghost" type="CSGBox3D" parent="."]
            """);

        Assert.Equal(2, colliders.Boxes.Count);
        Assert.Contains(colliders.Boxes, b => b.Size == new Vector3(2, 2, 2));
        Assert.Contains(colliders.Boxes, b => b.Size == new Vector3(4, 0.5f, 4) && b.Center == new Vector3(0, 5, 0));
    }

    [Fact]
    public void BoxShapeFromTresFile_IsUsed()
    {
        _project.Write("shapes/floor.tres", "[gd_resource type=\"BoxShape3D\" format=3]\n[resource]\nsize = Vector3(30, 1, 30)\n");

        var colliders = Colliders("""
            [gd_scene format=3]
            [ext_resource type="BoxShape3D" path="res://shapes/floor.tres" id="1"]
            [node name="S" type="StaticBody3D"]
            [node name="Shape" type="CollisionShape3D" parent="."]
            shape = ExtResource("1")
            """);

        Assert.Equal(new Vector3(30, 1, 30), Assert.Single(colliders.Boxes).Size);
    }

    [Fact]
    public void CapsuleMover_FallingOntoBox_StopsOnItsTop()
    {
        var mover = new CapsuleMover();
        var colliders = new StaticColliders([new Aabb(new Vector3(-5, -1, -5), new Vector3(5, 0, 5))]);
        var position = new Vector3(0, 0.5f, 0);
        var velocity = new Vector3(0, -10, 0);

        var onFloor = mover.MoveAndSlide(ref position, ref velocity, 0.2f, colliders);

        Assert.True(onFloor);
        Assert.InRange(position.Y, -0.01f, 0.01f);
        Assert.True(velocity.Y >= 0);
        Assert.Equal(0.3f, mover.Radius);
        Assert.Equal(1.8f, mover.Height);
    }
}
