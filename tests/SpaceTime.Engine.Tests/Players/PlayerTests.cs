using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using SpaceTime.Engine.Physics;
using SpaceTime.Engine.Players;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Spatial;
using SpaceTime.Engine.Tests.Scenes;
using SpaceTime.Engine.Worlds;

namespace SpaceTime.Engine.Tests.Players;

public sealed class PlayerTests : IDisposable
{
    private const float Delta = 1f / 90f;
    private const float Gravity = 9.8f;

    private const string Floor = """
        [sub_resource type="BoxShape3D" id="floor_shape"]
        size = Vector3(20, 1, 20)

        [node name="Floor" type="StaticBody3D" parent="."]
        transform = Transform3D(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, -0.5, 0)

        [node name="Shape" type="CollisionShape3D" parent="Floor"]
        shape = SubResource("floor_shape")
        """;

    private readonly TempProject _project = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _project.Dispose();

    /// <summary>Writes a scene whose root is a Node3D and whose nodes follow; sub_resources may be mixed in (they are moved first).</summary>
    private GameWorld World(params string[] parts)
    {
        var body = string.Join("\n\n", parts);
        var subResources = new List<string>();
        var nodes = new List<string>();
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            (block.TrimStart().StartsWith("[sub_resource", StringComparison.Ordinal) ? subResources : nodes).Add(block.Trim());
        }

        _project.Write("level.tscn", "[gd_scene format=3]\n\n" + string.Join("\n\n", subResources)
            + "\n\n[node name=\"Level\" type=\"Node3D\"]\n\n" + string.Join("\n\n", nodes) + "\n");
        var world = new GameWorld(Gravity, _time);
        world.Activate(new SceneLoader(_project.Root).Instantiate("res://level.tscn"), 1.5);
        return world;
    }

    private static string Origin(Vector3 position, string extra = "") => $"""
        [node name="XROrigin3D" type="XROrigin3D" parent="."{extra}]
        position = Vector3({position.X}, {position.Y}, {position.Z})

        [node name="XRCamera3D" type="XRCamera3D" parent="XROrigin3D"]
        position = Vector3(0, 1.7, 0)

        [node name="Left" type="XRController3D" parent="XROrigin3D"]
        position = Vector3(-0.3, 1.2, -0.3)
        tracker = &"left_hand"

        [node name="Right" type="XRController3D" parent="XROrigin3D"]
        position = Vector3(0.3, 1.2, -0.3)
        tracker = &"right_hand"
        """;

    private static string Box(string name, Vector3 center, Vector3 size) => $"""
        [sub_resource type="BoxShape3D" id="{name}_shape"]
        size = Vector3({size.X}, {size.Y}, {size.Z})

        [node name="{name}" type="StaticBody3D" parent="."]
        position = Vector3({center.X}, {center.Y}, {center.Z})

        [node name="Shape" type="CollisionShape3D" parent="{name}"]
        shape = SubResource("{name}_shape")
        """;

    private static void Run(GameWorld world, float seconds)
    {
        for (var i = 0; i < (int)MathF.Round(seconds / Delta); i++)
        {
            world.Step(Delta);
        }
    }

    [Fact]
    public void PlayerAboveFloor_FallsAndSpawnsStandingOnIt()
    {
        var world = World(Floor, Origin(new Vector3(1, 2, 1)));
        var spawned = new List<PlayerState>();
        world.PlayerSpawned += spawned.Add;
        var player = world.Player!;
        Assert.False(player.Spawned);

        Run(world, 0.2f);
        Assert.True(player.Position.Y < 2f && player.Position.Y > 0.5f, $"mid-fall at {player.Position}");
        Assert.False(player.Spawned);

        Run(world, 2f);

        Assert.True(player.Spawned);
        Assert.True(player.OnFloor);
        Assert.InRange(player.Position.Y, -0.02f, 0.02f);
        Assert.Equal(1f, player.Position.X, 3);
        Assert.Equal(1f, player.Position.Z, 3);
        Assert.Equal(0f, player.Velocity.Y, 3);
        var state = Assert.Single(spawned);
        Assert.True(state.Spawned);
        Assert.Equal(_time.GetUtcNow(), state.SpawnedAt);
    }

    [Fact]
    public void SpawnedPlayer_StaysOnFloorWithoutSinking()
    {
        var world = World(Floor, Origin(new Vector3(0, 0.5f, 0)));

        Run(world, 5f);

        Assert.True(world.Player!.OnFloor);
        Assert.InRange(world.Player.Position.Y, -0.02f, 0.02f);
    }

    [Fact]
    public void PlayerWithoutFloor_NeverSpawnsAndRespawnsBelowKillPlane()
    {
        var world = World(Origin(new Vector3(0, 1, 0)));
        var player = world.Player!;

        Run(world, 3f);
        Assert.False(player.Spawned);
        Assert.False(player.OnFloor);
        Assert.True(player.Position.Y < -10f);
        Assert.Equal(0, player.Respawns);

        Run(world, 5f);
        Assert.False(player.Spawned);
        Assert.True(player.Respawns >= 1);
        Assert.False(world.GetPlayerState().Spawned);
        Assert.Null(world.GetPlayerState().SpawnedAt);
    }

    [Fact]
    public void Move_Forward_WalksAlongNegativeZAndStopsAfterDuration()
    {
        var world = World(Floor, Origin(Vector3.Zero));
        Run(world, 0.5f);
        var player = world.Player!;
        var start = player.Position;

        world.Control((p, _) => p.Move(new Vector2(0, 1), 2f, 1f));
        Run(world, 0.5f);
        Assert.True(player.Velocity.Z < -1.9f, $"walking, velocity {player.Velocity}");
        Run(world, 1f);
        var stopped = player.Position;
        Run(world, 1f);

        Assert.Equal(start.X, stopped.X, 3);
        Assert.InRange(start.Z - stopped.Z, 1.95f, 2.05f);
        Assert.Equal(stopped.X, player.Position.X);
        Assert.Equal(stopped.Z, player.Position.Z);
        Assert.Equal(Vector3.Zero, player.Velocity);
        Assert.True(player.OnFloor);
    }

    [Fact]
    public void Move_Strafe_WalksAlongPositiveX()
    {
        var world = World(Floor, Origin(Vector3.Zero));
        Run(world, 0.5f);
        var player = world.Player!;

        player.Move(new Vector2(1, 0), 1f, 1f);
        Run(world, 2f);

        Assert.InRange(player.Position.X, 0.95f, 1.05f);
        Assert.Equal(0f, player.Position.Z, 3);
    }

    [Fact]
    public void Move_LongDirection_IsNormalised()
    {
        var world = World(Floor, Origin(Vector3.Zero));
        Run(world, 0.5f);
        var player = world.Player!;

        player.Move(new Vector2(0, 10), 1f, 1f);
        Run(world, 2f);

        Assert.InRange(-player.Position.Z, 0.95f, 1.05f);
    }

    [Fact]
    public void SnapTurn_ThirtyDegrees_ChangesYawAndWalkingDirection()
    {
        var world = World(Floor, Origin(Vector3.Zero));
        Run(world, 0.5f);
        var player = world.Player!;
        var before = world.GetPlayerState().YawDegrees;

        var state = world.Control((p, _) => p.SnapTurn(30));

        Assert.Equal(before + 30f, state.YawDegrees, 3);
        Assert.Equal(MathF.PI / 6, player.Yaw, 4);
        // The origin node turned with the player: its forward (-Z) now points 30° to the left.
        var forward = player.Origin.GlobalTransform.BasisXform(-Vector3.UnitZ);
        SceneLoaderTests.AssertNear(new Vector3(-0.5f, 0, -MathF.Sqrt(3) / 2), forward);

        player.Move(new Vector2(0, 1), 1f, 1f);
        Run(world, 2f);
        Assert.InRange(player.Position.X, -0.53f, -0.47f);
        Assert.InRange(player.Position.Z, -0.9f, -0.83f);
    }

    [Fact]
    public void SnapTurn_FullCircle_WrapsYaw()
    {
        var world = World(Floor, Origin(Vector3.Zero));
        var player = world.Player!;

        for (var i = 0; i < 12; i++)
        {
            player.SnapTurn(Player.DefaultSnapTurnDegrees);
        }

        Assert.InRange(player.Yaw, -MathF.PI, MathF.PI);
        Assert.Equal(0f, MathF.Sin(player.Yaw), 3);
        Assert.Equal(1f, MathF.Cos(player.Yaw), 3);
    }

    [Fact]
    public void WallBox_BlocksWalkingThroughIt()
    {
        var world = World(Floor, Box("Wall", new Vector3(0, 1.5f, -2), new Vector3(10, 3, 0.5f)), Origin(Vector3.Zero));
        Run(world, 0.5f);
        var player = world.Player!;

        player.Move(new Vector2(0, 1), 2f, 3f);
        Run(world, 3.5f);

        // Wall front face at z = -1.75; the capsule radius (0.3) keeps the feet at -1.45.
        Assert.InRange(player.Position.Z, -1.5f, -1.4f);
        Assert.True(player.OnFloor);
        Assert.InRange(player.Position.Y, -0.02f, 0.02f);
    }

    [Fact]
    public void Ledge_TallerThanCapsuleRadius_BlocksWalking()
    {
        var world = World(Floor, Box("Ledge", new Vector3(0, 0.25f, -3), new Vector3(4, 0.5f, 1)), Origin(Vector3.Zero));
        Run(world, 0.5f);
        var player = world.Player!;

        player.Move(new Vector2(0, 1), 2f, 3f);
        Run(world, 3.5f);

        // Ledge front face at z = -2.5, taller than the capsule's radius: the player stops in front of it, feet on the floor.
        Assert.InRange(player.Position.Z, -2.25f, -2.15f);
        Assert.InRange(player.Position.Y, -0.02f, 0.02f);
        Assert.True(player.OnFloor);
    }

    [Fact]
    public void SpawnPointMarker_PlacesAndTurnsThePlayer()
    {
        var world = World(Floor, Origin(new Vector3(0, 5, 0)), """
            [node name="Spawn" type="Marker3D" parent="." groups=["spawn_point"]]
            transform = Transform3D(0, 0, 1, 0, 1, 0, -1, 0, 0, 3, 0.5, 4)

            [node name="NotASpawn" type="Marker3D" parent="."]
            position = Vector3(-5, 0, -5)
            """);
        var player = world.Player!;

        Assert.Equal(new Vector3(3, 0.5f, 4), player.SpawnPosition);
        Assert.Equal(player.SpawnPosition, player.Position);
        Assert.Equal(MathF.PI / 2, player.SpawnYaw, 4);
        Assert.Equal(90f, world.GetPlayerState().YawDegrees, 2);
        SceneLoaderTests.AssertNear(new Vector3(3, 0.5f, 4), player.Origin.GlobalPosition);

        Run(world, 1f);

        Assert.True(player.Spawned);
        Assert.Equal(3f, player.Position.X, 3);
        Assert.Equal(4f, player.Position.Z, 3);
    }

    [Fact]
    public void PlayerGroupNode_IsThePlayerWhenThereIsNoXROrigin()
    {
        var world = World(Floor, """
            [node name="Avatar" type="CharacterBody3D" parent="." groups=["player"]]
            position = Vector3(2, 1, 0)
            """);

        Assert.Equal("Avatar", world.Player?.Origin.Name);
        Assert.Null(world.Player!.Camera);
        Assert.Null(world.GetVrState().Headset);
    }

    [Fact]
    public void SceneWithoutPlayer_HasNoPlayerAndControlThrows()
    {
        var world = World(Floor);

        Assert.Null(world.Player);
        Assert.False(world.GetPlayerState().Exists);
        Assert.Throws<InvalidOperationException>(() => world.Control((p, _) => p.SnapTurn(30)));
        world.Step(Delta);
    }

    [Fact]
    public void Controllers_AreFoundByTrackerAndPosesFollowTheOrigin()
    {
        var world = World(Floor, Origin(new Vector3(0, 0, 0)));
        var player = world.Player!;

        Assert.Equal("Left", player.LeftController?.Name);
        Assert.Equal("Right", player.RightController?.Name);
        SceneLoaderTests.AssertNear(new Vector3(0, 1.7f, 0), player.HeadsetPose!.Value.Position);

        var ground = new StaticColliders([new Aabb(new Vector3(-10, -1, -10), new Vector3(10, 0, 10))]);
        Assert.True(player.TryTeleport(new Vector3(5, 0, 5), ground, out _));

        SceneLoaderTests.AssertNear(new Vector3(5, 1.7f, 5), world.GetVrState().Headset!.Value.Position);
        SceneLoaderTests.AssertNear(new Vector3(4.7f, 1.2f, 4.7f), world.GetVrState().LeftController!.Value.Position);
        Assert.Equal("desktop", world.GetVrState().FallbackMode);
        Assert.False(world.GetVrState().VrEnabled);
    }

    [Fact]
    public void Recenter_PutsHeadsetBackOverTheOrigin()
    {
        var world = World(Floor, Origin(Vector3.Zero));
        var player = world.Player!;
        player.Camera!.LocalTransform = Transform3D.FromPosition(new Vector3(0.5f, 1.6f, -0.4f));

        player.Recenter();

        SceneLoaderTests.AssertNear(new Vector3(0, 1.6f, 0), player.Camera.LocalTransform.Origin);
    }

    [Fact]
    public void OriginUnderMovedParent_IsPlacedInWorldSpace()
    {
        var world = World(Floor, """
            [node name="Rig" type="Node3D" parent="."]
            position = Vector3(10, 0, 0)

            [node name="XROrigin3D" type="XROrigin3D" parent="Rig"]
            position = Vector3(0, 1, 0)
            """);
        var player = world.Player!;
        Assert.Equal(new Vector3(10, 1, 0), player.Position);

        Run(world, 1f);

        Assert.True(player.Spawned);
        SceneLoaderTests.AssertNear(player.Position, player.Origin.GlobalPosition);
        Assert.InRange(player.Origin.LocalTransform.Origin.X, -0.01f, 0.01f);
    }

    [Fact]
    public void Teleport_OntoDemoPlatform_LandsOnItsTop()
    {
        var world = new GameWorld(Gravity, _time);
        world.Activate(new SceneLoader(TestPaths.DemoProject).Instantiate("res://vr_main.tscn"), 0);
        Run(world, 0.5f);
        Assert.True(world.Player!.Spawned);

        Vector3 landed = default;
        var ok = false;
        var state = world.Control((p, colliders) => ok = p.TryTeleport(new Vector3(6, 1, -6), colliders, out landed));

        Assert.True(ok);
        Assert.Equal(new Vector3(6, 1, -6), landed);
        Assert.Equal(landed, state.Position);
        Assert.True(state.OnFloor);

        Run(world, 1f);
        Assert.InRange(world.Player.Position.Y, 0.98f, 1.02f);
    }

    [Fact]
    public void Teleport_BelowPlatformTop_LandsOnTheDeck()
    {
        var world = new GameWorld(Gravity, _time);
        world.Activate(new SceneLoader(TestPaths.DemoProject).Instantiate("res://vr_main.tscn"), 0);

        var ok = false;
        Vector3 landed = default;
        world.Control((p, colliders) => ok = p.TryTeleport(new Vector3(6, 0, -6), colliders, out landed));

        Assert.True(ok);
        Assert.Equal(0f, landed.Y, 4);
    }

    [Fact]
    public void Teleport_IntoEmptySpace_FailsAndLeavesThePlayer()
    {
        var world = new GameWorld(Gravity, _time);
        world.Activate(new SceneLoader(TestPaths.DemoProject).Instantiate("res://vr_main.tscn"), 0);
        Run(world, 0.5f);
        var before = world.Player!.Position;

        var ok = true;
        world.Control((p, colliders) => ok = p.TryTeleport(new Vector3(100, 0, 100), colliders, out _));

        Assert.False(ok);
        Assert.Equal(before, world.Player.Position);
    }

    [Fact]
    public void DemoScene_PlayerSpawnsOnDeckAtSpawnPoint()
    {
        var world = new GameWorld(Gravity, _time);
        world.Activate(new SceneLoader(TestPaths.DemoProject).Instantiate("res://vr_main.tscn"), 12.5);

        Run(world, 1f);

        var state = world.GetPlayerState();
        Assert.True(state.Exists);
        Assert.True(state.Spawned);
        Assert.Equal("XROrigin3D", state.Name);
        Assert.Equal("VRMain/XROrigin3D", state.NodePath);
        Assert.Equal(new Vector3(0, 0.05f, 2), state.SpawnPoint);
        Assert.InRange(state.Position.Y, -0.02f, 0.02f);
        var scene = world.GetSceneState();
        Assert.True(scene.Loaded);
        Assert.Equal(("VRMain", "res://vr_main.tscn", "Node3D", 12.5), (scene.Name, scene.Path, scene.RootType, scene.LoadDurationMs));
    }

    [Fact]
    public void StaticColliders_FromDemoScene_HaveDeckAndPlatformOnly()
    {
        var root = new SceneLoader(TestPaths.DemoProject).Instantiate("res://vr_main.tscn").Root;

        var colliders = StaticColliders.FromScene(root);

        Assert.Equal(2, colliders.Boxes.Count);
        Assert.Contains(colliders.Boxes, b => b.Max.Y == 0 && b.Size.X == 40);
        Assert.Contains(colliders.Boxes, b => b.Max.Y == 1 && b.Center == new Vector3(6, 0.5f, -6));
        Assert.Equal(1f, colliders.GroundHeightBelow(new Vector3(6, 5, -6), 5));
        Assert.Equal(0f, colliders.GroundHeightBelow(new Vector3(6, 0, -6), 0.5f));
        Assert.Null(colliders.GroundHeightBelow(new Vector3(50, 0, 0), 10));
    }
}
