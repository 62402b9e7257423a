using System.Net;

namespace SpaceTime.Runtime.Tests.Scenes;

/// <summary><c>POST /scene</c>, <c>/scene/load</c> and <c>/scene/reload</c>, and how bad requests are refused.</summary>
public sealed class SceneLoadTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task PostSceneLoad_Node3dScene_LoadsItAndGetSceneShowsIt()
    {
        using var response = await _client.PostJsonAsync("/scene/load", """{"scene_path":"res://node_3d.tscn"}""");

        var load = await response.ReadJsonAsync();
        Assert.Equal("loaded", load.Str("status"));
        Assert.Equal("res://node_3d.tscn", load.Str("scene"));
        Assert.Equal("Node3D", load.Str("scene_name"));
        Assert.True(load.Num("load_duration_ms") >= 0);
        Assert.Equal(3, load.GetProperty("node_count").GetInt32());

        var current = await _client.GetJsonAsync("/scene");
        Assert.Equal("loaded", current.Str("status"));
        Assert.Equal("res://node_3d.tscn", current.Str("scene_path"));
        Assert.Equal("Node3D", current.Str("scene_name"));
        Assert.Equal(3, current.GetProperty("node_count").GetInt32());
        Assert.True(current.Num("load_duration_ms") >= 0);
        Assert.True(DateTimeOffset.TryParse(current.Str("loaded_at"), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task PostScene_WithScenePath_LoadsThatScene()
    {
        using var response = await _client.PostJsonAsync("/scene", """{"scene_path":"res://tests/debug.tscn"}""");

        var load = await response.ReadJsonAsync();
        Assert.Equal("loaded", load.Str("status"));
        Assert.Equal("res://tests/debug.tscn", load.Str("scene"));
        Assert.Equal("Debug", load.Str("scene_name"));
        Assert.Equal("res://tests/debug.tscn", (await _client.GetJsonAsync("/scene")).Str("scene_path"));
    }

    [Fact]
    public async Task PostScene_NoBody_LoadsTheMainScene()
    {
        using (var other = await _client.PostJsonAsync("/scene", """{"scene_path":"res://node_3d.tscn"}"""))
        {
            await other.ReadJsonAsync();
        }

        using var response = await _client.PostJsonAsync("/scene");

        var load = await response.ReadJsonAsync();
        Assert.Equal("loaded", load.Str("status"));
        Assert.Equal(RuntimeApiFixture.MainScene, load.Str("scene"));
        Assert.Equal("VRMain", load.Str("scene_name"));
        Assert.Equal(24, load.GetProperty("node_count").GetInt32());
        Assert.Equal(RuntimeApiFixture.MainScene, (await _client.GetJsonAsync("/scene")).Str("scene_path"));
    }

    [Fact]
    public async Task PostScene_MalformedJson_Returns400ProblemAndKeepsTicking()
    {
        using var response = await _client.PostJsonAsync("/scene", """{"scene_path": "res://node_3d.tscn" """);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        await RuntimeApiFixture.AssertStillTickingAsync(_client);
    }

    [Theory]
    [InlineData("node_3d.tscn", "res://")]
    [InlineData("res://../project/vr_main.tscn", "..")]
    [InlineData("res://scenes/../vr_main.tscn", "..")]
    [InlineData("res://project.godot", ".tscn")]
    [InlineData("", "empty")]
    public async Task PostScene_InvalidPath_Returns400NamingTheRuleAndKeepsTicking(string path, string rule)
    {
        var before = await _client.GetJsonAsync("/scene");

        using var response = await _client.PostJsonAsync("/scene", $$"""{"scene_path":"{{path}}"}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(rule, problem.Str("message"), StringComparison.Ordinal);
        Assert.Equal("InvalidPath", problem.Str("failure"));
        Assert.Equal(before.Str("scene_path"), (await _client.GetJsonAsync("/scene")).Str("scene_path"));
        await RuntimeApiFixture.AssertStillTickingAsync(_client);
    }

    [Fact]
    public async Task PostScene_MissingFile_Returns404WithThePathInTheMessage()
    {
        using var response = await _client.PostJsonAsync("/scene", """{"scene_path":"res://scenes/missing_level.tscn"}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("res://scenes/missing_level.tscn", problem.Str("message"), StringComparison.Ordinal);
        Assert.Equal("NotFound", problem.Str("failure"));
        await RuntimeApiFixture.AssertStillTickingAsync(_client);
    }

    [Fact]
    public async Task PostScene_UnterminatedSection_Returns422WithFileLineAndColumn()
    {
        var path = runtime.WriteProjectFile("broken/unterminated.tscn", """
            [gd_scene format=3]

            [node name="Broken" type="Node3D"
            """);
        var before = await _client.GetJsonAsync("/scene");

        using var response = await _client.PostJsonAsync("/scene", $$"""{"scene_path":"{{path}}"}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("ParseError", problem.Str("failure"));
        Assert.Equal(path, problem.Str("file"));
        Assert.Equal(3, problem.GetProperty("line").GetInt32());
        Assert.True(problem.GetProperty("column").GetInt32() >= 1);
        Assert.Contains(path, problem.Str("message"), StringComparison.Ordinal);
        Assert.Equal(before.Str("scene_path"), (await _client.GetJsonAsync("/scene")).Str("scene_path"));
        await RuntimeApiFixture.AssertStillTickingAsync(_client);
    }

    [Fact]
    public async Task PostScene_SceneInstancingItself_Returns422Cycle()
    {
        var path = runtime.WriteProjectFile("broken/cycle.tscn", """
            [gd_scene load_steps=2 format=3]

            [ext_resource type="PackedScene" path="res://broken/cycle.tscn" id="1_self"]

            [node name="Cycle" type="Node3D"]

            [node name="Again" parent="." instance=ExtResource("1_self")]
            """);

        using var response = await _client.PostJsonAsync("/scene", $$"""{"scene_path":"{{path}}"}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Cycle", problem.Str("failure"));
        Assert.Contains("cycle", problem.Str("message"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(path, problem.Str("file"));
        await RuntimeApiFixture.AssertStillTickingAsync(_client);
    }

    [Fact]
    public async Task PostSceneReload_SceneLoaded_Returns200Reloaded()
    {
        using (var load = await _client.PostJsonAsync("/scene", """{"scene_path":"res://scenes/menu.tscn"}"""))
        {
            await load.ReadJsonAsync();
        }

        using var response = await _client.PostJsonAsync("/scene/reload");

        var reload = await response.ReadJsonAsync();
        Assert.Equal("reloaded", reload.Str("status"));
        Assert.Equal("res://scenes/menu.tscn", reload.Str("scene"));
        Assert.Equal("Menu", reload.Str("scene_name"));
        Assert.Equal(5, reload.GetProperty("node_count").GetInt32());
    }
}
