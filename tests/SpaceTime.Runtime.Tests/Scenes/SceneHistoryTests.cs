using System.Globalization;
using System.Net;
using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Scenes;

/// <summary><c>GET /scene/history</c>: every load attempt, newest first, kept across restarts.</summary>
public sealed class SceneHistoryTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task PostScene_WithInvalidPath_IsNotRecordedAsALoad()
    {
        var before = (await _client.GetJsonAsync("/scene/history")).GetProperty("total").GetInt64();

        using (var bad = await _client.PostJsonAsync("/scene", """{"scene_path":"res://../escape.tscn"}"""))
        {
            await bad.ReadProblemAsync(HttpStatusCode.BadRequest);
        }

        var after = await _client.GetJsonAsync("/scene/history");
        Assert.DoesNotContain(after.GetProperty("history").EnumerateArray(), e => e.Str("scene_path").Contains("escape", StringComparison.Ordinal));
        Assert.True(after.GetProperty("total").GetInt64() >= before);
    }

    [Fact]
    public async Task GetHistory_AfterSuccessAndFailure_ListsNewestFirstWithResults()
    {
        using (var ok = await _client.PostJsonAsync("/scene", """{"scene_path":"res://node_3d.tscn"}"""))
        {
            await ok.ReadJsonAsync();
        }

        using (var missing = await _client.PostJsonAsync("/scene", """{"scene_path":"res://gone.tscn"}"""))
        {
            await missing.ReadProblemAsync(HttpStatusCode.NotFound);
        }

        var response = await _client.GetJsonAsync("/scene/history");

        var history = response.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(10, response.GetProperty("max_size").GetInt32());
        Assert.Equal(history.Count, response.GetProperty("count").GetInt32());
        Assert.True(response.GetProperty("total").GetInt64() >= 3);

        var failure = history[0];
        Assert.Equal("res://gone.tscn", failure.Str("scene_path"));
        Assert.Equal("failure", failure.Str("result"));
        Assert.Contains("res://gone.tscn", failure.Str("error"), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, failure.GetProperty("load_duration_ms").ValueKind);

        var success = history[1];
        Assert.Equal("res://node_3d.tscn", success.Str("scene_path"));
        Assert.Equal("Node3D", success.Str("scene_name"));
        Assert.Equal("success", success.Str("result"));
        Assert.True(success.Num("load_duration_ms") >= 0);

        var startup = history.Last();
        Assert.Equal(RuntimeApiFixture.MainScene, startup.Str("scene_path"));
        Assert.Equal("success", startup.Str("result"));

        var times = history.Select(e => DateTimeOffset.ParseExact(e.Str("loaded_at"), "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
    }

    [Fact]
    public async Task GetHistory_Limit1_ReturnsOneEntry()
    {
        var response = await _client.GetJsonAsync("/scene/history?limit=1");

        Assert.Single(response.GetProperty("history").EnumerateArray());
        Assert.Equal(1, response.GetProperty("count").GetInt32());
        Assert.Equal(1, response.GetProperty("max_size").GetInt32());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    public async Task GetHistory_LimitOutOfRange_Returns400(string limit)
    {
        using var response = await _client.GetAsync($"/scene/history?limit={limit}", TestContext.Current.CancellationToken);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("limit", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHistory_AfterRestartOnSameDataDir_KeepsEarlierEntries()
    {
        var project = RuntimeApiFixture.CopyDemoProject();
        var data = RuntimeApiFixture.NewTempFolder("restart");
        try
        {
            await using (var first = new RuntimeApiFixture(project, data, scene: "", ownsFolders: false))
            {
                using var load = await first.CreateClient().PostJsonAsync("/scene", """{"scene_path":"res://tests/debug.tscn"}""");
                await load.ReadJsonAsync();
            }

            await using var second = new RuntimeApiFixture(project, data, scene: "none", ownsFolders: false);
            var response = await second.CreateClient().GetJsonAsync("/scene/history");

            var paths = response.GetProperty("history").EnumerateArray().Select(e => e.Str("scene_path")).ToList();
            Assert.Equal(["res://tests/debug.tscn", RuntimeApiFixture.MainScene], paths);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }
}
