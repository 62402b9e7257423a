using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpaceTime.Runtime.Tests.Time;

namespace SpaceTime.Runtime.Tests.Recordings;

public sealed class RecordingsApiTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    private async Task<JsonElement> PostAsync(string uri, string? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _client.PostJsonAsync(uri, body);
        return await response.ReadJsonAsync(expected);
    }

    /// <summary>A paused session: walk, turn, press the VR stick, with steps between; returns the stopped recording.</summary>
    private async Task<JsonElement> RecordSessionAsync()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        await TimeApiTests.StepAsync(_client, 10);
        var started = await PostAsync("/input/recordings", """{"name":"walk-and-turn","checkpoint_every":30}""", HttpStatusCode.Created);
        await PostAsync("/input/move", """{"forward":1,"duration_seconds":0.5}""");
        await TimeApiTests.StepAsync(_client, 40);
        await PostAsync("/input/snap_turn", """{"direction":"left"}""");
        await PostAsync("/input/vr", """{"left":{"thumbstick":{"x":0.5,"y":1}},"ticks":50}""");
        await TimeApiTests.StepAsync(_client, 70);
        return await PostAsync($"/input/recordings/{started.Str("id")}/stop");
    }

    [Fact]
    public async Task RecordThenReplay_ReachesTheSameFinalHash()
    {
        var recording = await RecordSessionAsync();
        Assert.Equal(10, recording.GetProperty("start_tick").GetInt64());
        Assert.Equal(120, recording.GetProperty("end_tick").GetInt64());
        var inputs = recording.GetProperty("inputs").EnumerateArray().ToList();
        Assert.Equal(["move", "snap_turn", "vr"], inputs.Select(i => i.GetProperty("input").Str("type")));
        Assert.Equal([10L, 50L, 50L], inputs.Select(i => i.GetProperty("tick").GetInt64()));
        Assert.Equal(new long[] { 40, 70, 100 }, recording.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("tick").GetInt64()));
        await TimeApiTests.LoadPausedAsync(_client);

        var replay = await PostAsync($"/input/recordings/{recording.Str("id")}/replay");

        Assert.True(replay.GetProperty("matches").GetBoolean());
        Assert.Equal(3, replay.GetProperty("checkpoints_compared").GetInt32());
        Assert.Equal(recording.Str("final_hash"), replay.Str("final_hash"));
        var now = await _client.GetJsonAsync("/state/hash");
        Assert.Equal(120, now.GetProperty("tick").GetInt64());
        Assert.Equal(recording.Str("final_hash"), now.Str("state_hash"));
    }

    [Fact]
    public async Task ReplayOfAChangedRecording_NamesTheFirstDivergentTick()
    {
        var recording = JsonNode.Parse((await RecordSessionAsync()).GetRawText())!;
        // Turn right instead of left at tick 50: the first checkpoint after it (tick 70) must differ, tick 40 not.
        recording["inputs"]![1]!["input"]!["degrees"] = -30;

        using var response = await _client.PostJsonAsync("/input/recordings/replay", recording.ToJsonString());

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(70, problem.GetProperty("first_divergent_tick").GetInt64());
        Assert.Contains("tick 70", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordingWhileRunning_ReplaysExactly()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        var started = await PostAsync("/input/recordings", """{"name":"live"}""", HttpStatusCode.Created);
        await PostAsync("/time/resume");
        await PostAsync("/input/move", """{"forward":1,"strafe":-0.5,"duration_seconds":0.3}""");
        await Poll.UntilAsync(() => _client.GetJsonAsync("/time"), t => t.GetProperty("tick").GetInt64() > 60, "the world to run a while");
        await PostAsync("/input/snap_turn", """{"direction":"right"}""");
        await Poll.UntilAsync(() => _client.GetJsonAsync("/time"), t => t.GetProperty("tick").GetInt64() > 120, "the world to run on");
        await PostAsync("/time/pause");
        var recording = await PostAsync($"/input/recordings/{started.Str("id")}/stop");

        var replay = await PostAsync($"/input/recordings/{recording.Str("id")}/replay");

        Assert.True(replay.GetProperty("matches").GetBoolean(), replay.ToString());
    }

    [Fact]
    public async Task StartTwice_Returns409_StopUnknown_Returns404()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        var started = await PostAsync("/input/recordings", "{}", HttpStatusCode.Created);

        using var second = await _client.PostJsonAsync("/input/recordings", "{}");
        using var unknown = await _client.PostJsonAsync("/input/recordings/rec_0000000000000000/stop");
        using var missingReplay = await _client.PostJsonAsync("/input/recordings/rec_0000000000000000/replay");

        await second.ReadProblemAsync(HttpStatusCode.Conflict);
        await unknown.ReadProblemAsync(HttpStatusCode.NotFound);
        await missingReplay.ReadProblemAsync(HttpStatusCode.NotFound);
        await PostAsync($"/input/recordings/{started.Str("id")}/stop");
        Assert.Contains(started.Str("id"), (await _client.GetJsonAsync("/input/recordings")).GetProperty("recordings").EnumerateArray().Select(r => r.GetString()));
    }
}
