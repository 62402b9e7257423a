using System.Globalization;
using System.Net;

namespace SpaceTime.Runtime.Tests.Scenes;

/// <summary><c>GET /scenes</c>: the project's scene files.</summary>
public sealed class SceneListTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private const string AddonScene = """
        [gd_scene format=3]

        [node name="Addon" type="Node"]
        """;

    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task GetScenes_ProjectRoot_ListsDemoScenesSortedByPath()
    {
        var response = await _client.GetJsonAsync("/scenes?dir=res://");

        var scenes = response.GetProperty("scenes").EnumerateArray().ToList();
        Assert.Equal(
            ["res://node_3d.tscn", "res://scenes/menu.tscn", "res://tests/debug.tscn", "res://vr_main.tscn"],
            scenes.Select(s => s.Str("path")));
        Assert.Equal(["node_3d", "menu", "debug", "vr_main"], scenes.Select(s => s.Str("name")));
        Assert.Equal(4, response.GetProperty("count").GetInt32());
        Assert.Equal("res://", response.Str("directory"));
        Assert.False(response.GetProperty("include_addons").GetBoolean());

        var main = scenes[3];
        var file = new FileInfo(Path.Combine(runtime.ProjectPath, "vr_main.tscn"));
        Assert.Equal(file.Length, main.GetProperty("size_bytes").GetInt64());
        var modified = DateTimeOffset.Parse(main.Str("modified"), CultureInfo.InvariantCulture);
        Assert.True((modified - file.LastWriteTimeUtc).Duration() < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task GetScenes_SubFolder_ListsOnlyItsScenes()
    {
        var response = await _client.GetJsonAsync("/scenes?dir=res://scenes");

        var scene = Assert.Single(response.GetProperty("scenes").EnumerateArray());
        Assert.Equal("res://scenes/menu.tscn", scene.Str("path"));
    }

    [Fact]
    public async Task GetScenes_DirWithoutPrefix_Returns400()
    {
        using var response = await _client.GetAsync("/scenes?dir=scenes", TestContext.Current.CancellationToken);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("res://", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetScenes_MissingDir_Returns404()
    {
        using var response = await _client.GetAsync("/scenes?dir=res://no_such_folder", TestContext.Current.CancellationToken);

        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("res://no_such_folder", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetScenes_AddonScene_NotListedByDefault()
    {
        runtime.WriteProjectFile("addons/hidden/hidden.tscn", AddonScene);

        var response = await _client.GetJsonAsync("/scenes?dir=res://");

        Assert.DoesNotContain(response.GetProperty("scenes").EnumerateArray(), s => s.Str("path").StartsWith("res://addons/", StringComparison.Ordinal));
        Assert.False(response.GetProperty("include_addons").GetBoolean());
    }

    [Fact]
    public async Task GetScenes_IncludeAddonsTrue_ListsAddonScenesInPathOrder()
    {
        runtime.WriteProjectFile("addons/x/x.tscn", AddonScene);

        var without = await _client.GetJsonAsync("/scenes?dir=res://&include_addons=false");
        var with = await _client.GetJsonAsync("/scenes?dir=res://&include_addons=true");

        Assert.DoesNotContain(without.GetProperty("scenes").EnumerateArray(), s => s.Str("path") == "res://addons/x/x.tscn");
        var paths = with.GetProperty("scenes").EnumerateArray().Select(s => s.Str("path")).ToList();
        Assert.Contains("res://addons/x/x.tscn", paths);
        Assert.Equal(paths.Order(StringComparer.Ordinal), paths);
        var addonCount = paths.Count(p => p.StartsWith("res://addons/", StringComparison.Ordinal));
        Assert.Equal(without.GetProperty("count").GetInt32() + addonCount, with.GetProperty("count").GetInt32());
        Assert.True(with.GetProperty("include_addons").GetBoolean());
    }
}
