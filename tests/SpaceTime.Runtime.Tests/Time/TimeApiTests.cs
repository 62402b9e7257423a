using System.Net;
using System.Text.Json;
using SpaceTime.Runtime.Tests.Security;

namespace SpaceTime.Runtime.Tests.Time;

/// <summary>
/// Time control and the state hash. Each test pauses and loads the main scene afresh (scene tick 0), so it does
/// not depend on the others; the class has its own runtime.
/// </summary>
public sealed class TimeApiTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    /// <summary>Pauses, then loads the main scene: the new scene stays at tick 0 until stepped.</summary>
    internal static async Task LoadPausedAsync(HttpClient client, string scene = RuntimeApiFixture.MainScene)
    {
        using (var pause = await client.PostJsonAsync("/time/pause"))
        {
            await pause.ReadJsonAsync();
        }

        using var load = await client.PostJsonAsync("/scene", $$"""{"scene_path":"{{scene}}"}""");
        await load.ReadJsonAsync();
    }

    internal static async Task<JsonElement> StepAsync(HttpClient client, int ticks)
    {
        using var response = await client.PostJsonAsync("/time/step", $$"""{"ticks":{{ticks}}}""");
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task LoadWhilePaused_StaysAtTickZero_WhileTheLoopRuns()
    {
        await LoadPausedAsync(_client);

        await RuntimeApiFixture.AssertStillTickingAsync(_client);

        var time = await _client.GetJsonAsync("/time");
        Assert.True(time.GetProperty("paused").GetBoolean());
        Assert.Equal(0, time.GetProperty("tick").GetInt64());
        Assert.Equal(90, time.GetProperty("tick_rate").GetInt32());
        Assert.Equal(0, time.Num("game_time_seconds"));
    }

    [Fact]
    public async Task Paused_HealthStays200()
    {
        await LoadPausedAsync(_client);

        using var response = await _client.GetAsync("/health", TestContext.Current.CancellationToken);

        var health = await response.ReadJsonAsync();
        Assert.Contains("paused", health.GetProperty("checks").GetProperty("simulation").Str("message"), StringComparison.Ordinal);
        Assert.Equal("pass", health.GetProperty("checks").GetProperty("simulation").Str("status"));
    }

    [Fact]
    public async Task Step_90Ticks_ReturnsExactTickAndTheCurrentHash()
    {
        await LoadPausedAsync(_client);

        var step = await StepAsync(_client, 90);

        Assert.Equal(90, step.GetProperty("tick").GetInt64());
        Assert.Equal(90, step.GetProperty("ticks_stepped").GetInt32());
        var hash = await _client.GetJsonAsync("/state/hash");
        Assert.Equal(90, hash.GetProperty("tick").GetInt64());
        Assert.Equal(step.Str("state_hash"), hash.Str("state_hash"));
        Assert.Matches("^[0-9a-f]{64}$", hash.Str("state_hash"));
        Assert.Equal(1.0, (await _client.GetJsonAsync("/time")).Num("game_time_seconds"), 6);
    }

    [Fact]
    public async Task SameSceneSameSteps_SameHash_DifferentInput_DifferentHash()
    {
        await LoadPausedAsync(_client);
        var first = (await StepAsync(_client, 45)).Str("state_hash");
        await LoadPausedAsync(_client);
        var second = (await StepAsync(_client, 45)).Str("state_hash");
        await LoadPausedAsync(_client);
        using (var turn = await _client.PostJsonAsync("/input/snap_turn", """{"direction":"left"}"""))
        {
            await turn.ReadJsonAsync();
        }

        var turned = (await StepAsync(_client, 45)).Str("state_hash");

        Assert.Equal(first, second);
        Assert.NotEqual(first, turned);
    }

    [Fact]
    public async Task InputWhilePaused_AppliesAtTheNextTick()
    {
        await LoadPausedAsync(_client);
        await StepAsync(_client, 10);
        using (var move = await _client.PostJsonAsync("/input/move", """{"forward":1,"duration_seconds":1}"""))
        {
            await move.ReadJsonAsync();
        }

        var still = await _client.GetJsonAsync("/state/player");
        await StepAsync(_client, 1);
        var moved = await _client.GetJsonAsync("/state/player");

        Assert.Equal(2.0, still.GetProperty("position").Num("z"), 3);
        Assert.True(moved.GetProperty("position").Num("z") < 2.0, $"moved forward (-z) in the next tick: {moved}");
    }

    [Fact]
    public async Task Step_WhileRunning_Returns409()
    {
        using (var resume = await _client.PostJsonAsync("/time/resume"))
        {
            Assert.False((await resume.ReadJsonAsync()).GetProperty("paused").GetBoolean());
        }

        using var response = await _client.PostJsonAsync("/time/step", """{"ticks":5}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("pause", problem.Str("message"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"ticks":0}""")]
    [InlineData("""{"ticks":-5}""")]
    [InlineData("""{"ticks":90001}""")]
    [InlineData("""{}""")]
    public async Task Step_BadTicks_Returns400(string body)
    {
        using var response = await _client.PostJsonAsync("/time/step", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("'ticks'", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StepUntil_OnFloor_StopsWhenThePlayerLands()
    {
        await LoadPausedAsync(_client);
        Assert.False((await _client.GetJsonAsync("/state/player")).GetProperty("on_floor").GetBoolean());

        using var response = await _client.PostJsonAsync("/time/step_until", """{"condition":{"player_on_floor":true},"max_ticks":900}""");

        var result = await response.ReadJsonAsync();
        Assert.True(result.GetProperty("held").GetBoolean());
        var ticks = result.GetProperty("ticks_stepped").GetInt32();
        Assert.InRange(ticks, 1, 90);
        Assert.Equal(ticks, result.GetProperty("tick").GetInt64());
        Assert.True((await _client.GetJsonAsync("/state/player")).GetProperty("on_floor").GetBoolean());
    }

    [Fact]
    public async Task StepUntil_NodeWithinBox_AfterWalking()
    {
        await LoadPausedAsync(_client);
        using (var move = await _client.PostJsonAsync("/input/move", """{"forward":1,"speed":2,"duration_seconds":2}"""))
        {
            await move.ReadJsonAsync();
        }

        using var response = await _client.PostJsonAsync("/time/step_until",
            """{"condition":{"node":"VRMain/XROrigin3D","within":{"min":[-1,-1,-1],"max":[1,2,1]}},"max_ticks":900}""");

        var result = await response.ReadJsonAsync();
        var ticks = result.GetProperty("ticks_stepped").GetInt32();
        Assert.InRange(ticks, 40, 60); // 1 m at 2 m/s at 90 Hz is 45 ticks
    }

    [Fact]
    public async Task StepUntil_NeverHolds_Returns422AfterMaxTicks()
    {
        await LoadPausedAsync(_client);

        using var response = await _client.PostJsonAsync("/time/step_until",
            """{"condition":{"player_within":{"min":[50,0,50],"max":[60,5,60]}},"max_ticks":30}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(30, problem.GetProperty("tick").GetInt64());
        Assert.Equal(30, problem.GetProperty("ticks_stepped").GetInt32());
        Assert.Equal(30, (await _client.GetJsonAsync("/time")).GetProperty("tick").GetInt64());
    }

    [Fact]
    public async Task StepUntil_PropertyEquals_HoldsAtOnce()
    {
        await LoadPausedAsync(_client);

        using var response = await _client.PostJsonAsync("/time/step_until",
            """{"condition":{"node":"VRMain/Cubes/Cube1","property":"mass","equals":2},"max_ticks":10}""");

        var result = await response.ReadJsonAsync();
        Assert.Equal(0, result.GetProperty("ticks_stepped").GetInt32());
    }

    [Theory]
    [InlineData("""{"condition":{"bogus":1},"max_ticks":10}""", HttpStatusCode.BadRequest, "unknown condition")]
    [InlineData("""{"condition":{"all":[]},"max_ticks":10}""", HttpStatusCode.BadRequest, "non-empty array")]
    [InlineData("""{"condition":{"player_on_floor":true}}""", HttpStatusCode.BadRequest, "'max_ticks'")]
    [InlineData("""{"condition":{"player_within":{"min":[1,1,1],"max":[0,0,0]}},"max_ticks":10}""", HttpStatusCode.BadRequest, "'min'")]
    [InlineData("""{"condition":{"node":"VRMain/Nope","within":{"min":[0,0,0],"max":[1,1,1]}},"max_ticks":10}""", HttpStatusCode.NotFound, "VRMain/Nope")]
    public async Task StepUntil_BadCondition_IsRefusedBeforeStepping(string body, HttpStatusCode status, string message)
    {
        await LoadPausedAsync(_client);

        using var response = await _client.PostJsonAsync("/time/step_until", body);

        var problem = await response.ReadProblemAsync(status);
        Assert.Contains(message, problem.Str("message"), StringComparison.Ordinal);
        Assert.Equal(0, (await _client.GetJsonAsync("/time")).GetProperty("tick").GetInt64());
    }

    [Fact]
    public async Task ConcurrentSteps_FromSeveralClients_AreSerialised()
    {
        await LoadPausedAsync(_client);
        var clients = Enumerable.Range(0, 6).Select(_ => runtime.CreateClient()).ToList();

        var results = await Task.WhenAll(clients.Select(c => StepAsync(c, 15)));

        var ticks = results.Select(r => r.GetProperty("tick").GetInt64()).Order().ToList();
        Assert.Equal([15, 30, 45, 60, 75, 90], ticks);
        Assert.Equal(90, (await _client.GetJsonAsync("/time")).GetProperty("tick").GetInt64());
    }

    [Fact]
    public async Task ConcurrentInputsAndSteps_FromSeveralClients_AllApplyInTickOrder()
    {
        await LoadPausedAsync(_client);
        await StepAsync(_client, 10);
        using (var start = await _client.PostJsonAsync("/input/recordings", """{"checkpoint_every":5}"""))
        {
            await start.ReadJsonAsync(HttpStatusCode.Created);
        }

        var clients = Enumerable.Range(0, 5).Select(_ => runtime.CreateClient()).ToList();
        await Task.WhenAll(clients.Select(async c =>
        {
            using (var turn = await c.PostJsonAsync("/input/snap_turn", """{"direction":"left"}"""))
            {
                await turn.ReadJsonAsync();
            }

            await StepAsync(c, 10);
        }));

        var id = (await _client.GetJsonAsync("/input/recordings")).Str("active");
        using var stop = await _client.PostJsonAsync($"/input/recordings/{id}/stop");
        var recording = await stop.ReadJsonAsync();
        var ticks = recording.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("tick").GetInt64()).ToList();
        Assert.Equal(5, ticks.Count);
        Assert.Equal(ticks.Order(), ticks);
        Assert.Equal(60, recording.GetProperty("end_tick").GetInt64());
        Assert.Equal(150, (await _client.GetJsonAsync("/state/player")).GetProperty("rotation").Num("y"), 2);
        using var replay = await _client.PostJsonAsync($"/input/recordings/{id}/replay");
        Assert.True((await replay.ReadJsonAsync()).GetProperty("matches").GetBoolean());
    }

    [Fact]
    public async Task Resume_AdvancesTheSceneTickAgain()
    {
        await LoadPausedAsync(_client);
        using (var resume = await _client.PostJsonAsync("/time/resume"))
        {
            await resume.ReadJsonAsync();
        }

        await Poll.UntilAsync(() => _client.GetJsonAsync("/time"), t => t.GetProperty("tick").GetInt64() > 5, "the scene tick to advance");
    }

    [Fact]
    public async Task ReadonlyToken_CannotPause()
    {
        var token = await _client.IssueTokenAsync("readonly");
        using var client = runtime.CreateClient(token.Value);

        using var response = await client.PostJsonAsync("/time/pause");

        var problem = await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("time:control", problem.Str("required_permission"));
        Assert.Equal(200, (int)(await client.GetAsync("/time", TestContext.Current.CancellationToken)).StatusCode);
    }
}
