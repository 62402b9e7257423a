using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Worlds;

namespace SpaceTime.Engine.Tests.Worlds;

public sealed class GameWorldTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private GameWorld DemoWorld(string path = "res://vr_main.tscn")
    {
        var world = new GameWorld(9.8f, _time);
        world.Activate(new SceneLoader(TestPaths.DemoProject).Instantiate(path), 3.0);
        return world;
    }

    [Fact]
    public void NewWorld_HasNoSceneOrPlayer()
    {
        var world = new GameWorld(9.8f, _time);

        Assert.False(world.GetSceneState().Loaded);
        Assert.False(world.GetPlayerState().Exists);
        Assert.Null(world.Dump());
        Assert.Null(world.GetVrState().Headset);
        world.Step(0.1);
    }

    [Fact]
    public void Activate_RecordsLoadTimeAndDuration()
    {
        var world = DemoWorld();

        var state = world.GetSceneState();

        Assert.Equal(_time.GetUtcNow(), state.LoadedAt);
        Assert.Equal(3.0, state.LoadDurationMs);
        Assert.Equal("Node3D", state.RootType);
        Assert.Empty(state.Warnings);
    }

    [Fact]
    public void Activate_AnotherScene_ReplacesPlayerAndColliders()
    {
        var world = DemoWorld();
        Assert.NotNull(world.Player);

        world.Activate(new SceneLoader(TestPaths.DemoProject).Instantiate("res://scenes/menu.tscn"), 1);

        Assert.Null(world.Player);
        Assert.Equal("Menu", world.GetSceneState().Name);
    }

    [Fact]
    public void Dump_DemoScene_MirrorsTheTreeWithGlobalPositions()
    {
        var dump = DemoWorld().Dump()!;

        Assert.Equal("VRMain", dump.Name);
        Assert.Equal("VRMain", dump.Path);
        Assert.Equal(Vector3.Zero, dump.GlobalPosition);
        var platform = dump.Children.Single(c => c.Name == "Platform");
        Assert.Equal(new Vector3(6, 0.5f, -6), platform.GlobalPosition);
        var env = dump.Children.Single(c => c.Name == "WorldEnvironment");
        Assert.Null(env.GlobalPosition);
        Assert.Null(env.GlobalRotationDeg);
        var cube2 = dump.Children.Single(c => c.Name == "Cubes").Children.Single(c => c.Name == "Cube2");
        Assert.Equal(["props"], cube2.Groups);
        Assert.InRange(cube2.GlobalRotationDeg!.Value.Y, 14.9f, 15.1f);
        Assert.True(cube2.Visible);
    }

    [Fact]
    public void Dump_WithDepthLimit_StopsBelowIt()
    {
        var world = DemoWorld();

        var dump = world.Dump(maxDepth: 1)!;

        Assert.NotEmpty(dump.Children);
        Assert.All(dump.Children, c => Assert.Empty(c.Children));
        Assert.Empty(world.Dump(maxDepth: 0)!.Children);
    }

    [Fact]
    public void Dump_InstancedScene_NamesItsSceneFile()
    {
        var dump = DemoWorld("res://tests/debug.tscn").Dump()!;

        var stage = dump.Children.Single(c => c.Name == "Stage");
        Assert.Equal("res://node_3d.tscn", stage.SceneFile);
        Assert.Equal(new Vector3(0, 0, -5), stage.GlobalPosition);
        Assert.Equal("Debug/Stage/Camera3D", stage.Children[0].Path);
    }
}
