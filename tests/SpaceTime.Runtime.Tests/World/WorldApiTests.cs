using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Runtime.Tests.Time;
using SpaceTime.Runtime.World;

namespace SpaceTime.Runtime.Tests.World;

public sealed class WorldApiTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    private async Task<System.Text.Json.JsonElement> SaveAsync(string name)
    {
        using var response = await _client.PostJsonAsync("/world/snapshots", $$"""{"name":"{{name}}"}""");
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    private async Task<System.Text.Json.JsonElement> RestoreAsync(string id)
    {
        using var response = await _client.PostJsonAsync($"/world/snapshots/{id}/restore");
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task SaveStepRestore_HashAndTickComeBack()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        await TimeApiTests.StepAsync(_client, 20);
        using (var patch = await _client.SendJsonAsync(HttpMethod.Patch, "/scene/node", """{"path":"VRMain/Cubes/Cube2","properties":{"mass":9.0}}"""))
        {
            await patch.ReadJsonAsync();
        }

        var saved = await SaveAsync("after-20");
        Assert.Equal(20, saved.GetProperty("tick").GetInt64());
        Assert.Equal((await _client.GetJsonAsync("/state/hash")).Str("state_hash"), saved.Str("state_hash"));
        using (var move = await _client.PostJsonAsync("/input/move", """{"forward":1,"duration_seconds":1}"""))
        {
            await move.ReadJsonAsync();
        }

        using (var patch = await _client.SendJsonAsync(HttpMethod.Patch, "/scene/node", """{"path":"VRMain/Cubes/Cube2","properties":{"mass":1.0,"visible":false}}"""))
        {
            await patch.ReadJsonAsync();
        }

        var moved = await TimeApiTests.StepAsync(_client, 60);
        Assert.NotEqual(saved.Str("state_hash"), moved.Str("state_hash"));

        var restored = await RestoreAsync(saved.Str("id"));

        Assert.True(restored.GetProperty("hash_matches").GetBoolean());
        Assert.Equal(saved.Str("state_hash"), restored.Str("state_hash"));
        var now = await _client.GetJsonAsync("/state/hash");
        Assert.Equal(20, now.GetProperty("tick").GetInt64());
        Assert.Equal(saved.Str("state_hash"), now.Str("state_hash"));
        var cube = await _client.GetJsonAsync("/scene/node?path=VRMain/Cubes/Cube2");
        Assert.Equal(9.0, cube.GetProperty("properties").Num("mass"));
        Assert.True(cube.GetProperty("visible").GetBoolean());
    }

    [Fact]
    public async Task RestoredWorld_RunsOnExactlyAsBefore()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        using (var move = await _client.PostJsonAsync("/input/move", """{"forward":1,"strafe":0.5,"duration_seconds":2}"""))
        {
            await move.ReadJsonAsync();
        }

        await TimeApiTests.StepAsync(_client, 30);
        var saved = await SaveAsync("mid-walk");
        var first = (await TimeApiTests.StepAsync(_client, 90)).Str("state_hash");

        await RestoreAsync(saved.Str("id"));
        var second = (await TimeApiTests.StepAsync(_client, 90)).Str("state_hash");

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Restore_FromAnotherScene_LoadsTheSnapshotsScene()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        await TimeApiTests.StepAsync(_client, 5);
        var saved = await SaveAsync("main");
        await TimeApiTests.LoadPausedAsync(_client, "res://node_3d.tscn");

        var restored = await RestoreAsync(saved.Str("id"));

        Assert.Equal(RuntimeApiFixture.MainScene, restored.Str("scene_path"));
        Assert.Equal(saved.Str("state_hash"), (await _client.GetJsonAsync("/state/hash")).Str("state_hash"));
    }

    [Fact]
    public async Task ListAndDelete_ThenRestoreOfTheDeleted_Returns404()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        var saved = await SaveAsync("to-delete");
        var list = await _client.GetJsonAsync("/world/snapshots");
        Assert.Contains(saved.Str("id"), list.GetProperty("snapshots").EnumerateArray().Select(s => s.Str("id")));

        using (var delete = await _client.DeleteAsync($"/world/snapshots/{saved.Str("id")}", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var restore = await _client.PostJsonAsync($"/world/snapshots/{saved.Str("id")}/restore");
        await restore.ReadProblemAsync(HttpStatusCode.NotFound);
        using var again = await _client.DeleteAsync($"/world/snapshots/{saved.Str("id")}", TestContext.Current.CancellationToken);
        await again.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Restore_MissingSnapshot_Returns404()
    {
        using var response = await _client.PostJsonAsync("/world/snapshots/snap_nope/restore");

        Assert.Contains("snap_nope", (await response.ReadProblemAsync(HttpStatusCode.NotFound)).Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snapshots_AreInTheDataDir_AndReadableByANewStore()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        var saved = await SaveAsync("persisted");

        var store = new WorldSnapshotStore(Options.Create(new RuntimeOptions { DataDir = runtime.DataDir }), TimeProvider.System);

        var stored = store.Get(saved.Str("id"));
        Assert.NotNull(stored);
        Assert.Equal(saved.Str("state_hash"), stored.Value.Snapshot.Hash());
    }

    [Fact]
    public void Store_KeepsTheNewestUpToTheLimit_AndRefusesOversizedBodies()
    {
        var dataDir = RuntimeApiFixture.NewTempFolder("snapshots");
        try
        {
            var snapshot = new Engine.Worlds.WorldSnapshot("res://x.tscn", 1, [], null, new Engine.Worlds.VrSimulation().Capture());
            var store = new WorldSnapshotStore(Options.Create(new RuntimeOptions { DataDir = dataDir, MaxWorldSnapshots = 2 }), new FakeTimeProvider());
            var ids = Enumerable.Range(0, 3).Select(i => store.Save($"s{i}", snapshot with { Tick = i }, snapshot.Hash()).Id).ToList();

            Assert.Equal([ids[2], ids[1]], store.List().Select(s => s.Id));
            var tiny = new WorldSnapshotStore(Options.Create(new RuntimeOptions { DataDir = dataDir, MaxWorldSnapshotBytes = 10 }), new FakeTimeProvider());
            Assert.Throws<WorldSnapshotTooLargeException>(() => tiny.Save("big", snapshot, snapshot.Hash()));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
