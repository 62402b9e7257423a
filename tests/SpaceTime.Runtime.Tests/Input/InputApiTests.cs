using System.Net;
using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Input;

/// <summary>
/// Player input. Each test loads the main scene afresh first (player at the spawn point facing -Z), so the
/// tests do not depend on each other's order; they have their own runtime, so other classes never see the moves.
/// </summary>
public sealed class InputApiTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task PostTeleport_OntoPlatform_StandsOnItsTop()
    {
        await RuntimeApiFixture.LoadMainSceneAsync(_client);

        using var response = await _client.PostJsonAsync("/input/teleport", """{"x":6,"z":-6}""");

        var result = await response.ReadJsonAsync();
        Assert.Equal("ok", result.Str("status"));
        Assert.Equal("teleport", result.Str("action"));
        var position = result.GetProperty("player").GetProperty("position");
        Assert.Equal((6.0, 1.0, -6.0), (position.Num("x"), Math.Round(position.Num("y"), 2), position.Num("z")));
        var settled = await Poll.UntilAsync(() => _client.GetJsonAsync("/state/player"), p => p.GetProperty("on_floor").GetBoolean(), "the player to stand");
        Assert.InRange(settled.GetProperty("position").Num("y"), 0.99, 1.01);
    }

    [Fact]
    public async Task PostTeleport_IntoEmptySpace_Returns422AndStaysPut()
    {
        var before = await RuntimeApiFixture.LoadMainSceneAsync(_client);

        using var response = await _client.PostJsonAsync("/input/teleport", """{"x":100,"z":100}""");

        await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        var after = await _client.GetJsonAsync("/state/player");
        Assert.Equal(before.GetProperty("position").Num("z"), after.GetProperty("position").Num("z"), 3);
    }

    [Fact]
    public async Task PostTeleport_MissingX_Returns400()
    {
        using var response = await _client.PostJsonAsync("/input/teleport", """{"z":1}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("'x'", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostSnapTurn_Left_TurnsThirtyDegreesLeft()
    {
        var before = await RuntimeApiFixture.LoadMainSceneAsync(_client);

        using var response = await _client.PostJsonAsync("/input/snap_turn", """{"direction":"left"}""");

        var result = await response.ReadJsonAsync();
        Assert.Equal("snap_turn", result.Str("action"));
        var turned = result.GetProperty("player").GetProperty("rotation").Num("y") - before.GetProperty("rotation").Num("y");
        Assert.Equal(30, turned, 2);
        Assert.Equal(30, (await _client.GetJsonAsync("/state/player")).GetProperty("rotation").Num("y"), 2);
    }

    [Fact]
    public async Task PostSnapTurn_Right_TurnsThirtyDegreesRight()
    {
        await RuntimeApiFixture.LoadMainSceneAsync(_client);

        using var response = await _client.PostJsonAsync("/input/snap_turn", """{"direction":"right"}""");

        Assert.Equal(-30, (await response.ReadJsonAsync()).GetProperty("player").GetProperty("rotation").Num("y"), 2);
    }

    [Theory]
    [InlineData("""{"direction":"up"}""")]
    [InlineData("""{"direction":"left","degrees":0}""")]
    [InlineData("""{"direction":"left","degrees":181}""")]
    public async Task PostSnapTurn_BadDirectionOrAngle_Returns400(string body)
    {
        using var response = await _client.PostJsonAsync("/input/snap_turn", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("direction", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostMove_ForwardHalfSecondAtTwoMetresPerSecond_WalksOneMetreTowardsMinusZ()
    {
        var before = (await RuntimeApiFixture.LoadMainSceneAsync(_client)).GetProperty("position");

        using var response = await _client.PostJsonAsync("/input/move", """{"forward":1,"duration_seconds":0.5,"speed":2}""");
        Assert.Equal("move", (await response.ReadJsonAsync()).Str("action"));

        var after = await Poll.UntilAsync(
            () => _client.GetJsonAsync("/state/player"),
            p => p.GetProperty("position").Num("z") < before.Num("z") - 0.5 && p.GetProperty("velocity").Num("z") == 0,
            "the player to walk and stop");
        var position = after.GetProperty("position");
        Assert.InRange(before.Num("z") - position.Num("z"), 0.95, 1.05);
        Assert.Equal(before.Num("x"), position.Num("x"), 3);
        Assert.InRange(position.Num("y"), -0.01, 0.01);
    }

    [Theory]
    [InlineData("""{"forward":2}""", "forward")]
    [InlineData("""{"strafe":-1.5}""", "strafe")]
    [InlineData("""{"forward":1,"speed":11}""", "speed")]
    [InlineData("""{"forward":1,"duration_seconds":-1}""", "duration_seconds")]
    public async Task PostMove_OutOfRange_Returns400NamingTheField(string body, string field)
    {
        using var response = await _client.PostJsonAsync("/input/move", body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRecenter_PlayerPresent_Returns200()
    {
        await RuntimeApiFixture.LoadMainSceneAsync(_client);

        using var response = await _client.PostJsonAsync("/input/recenter");

        var result = await response.ReadJsonAsync();
        Assert.Equal("ok", result.Str("status"));
        Assert.Equal("recenter", result.Str("action"));
        Assert.True(result.GetProperty("player").GetProperty("exists").GetBoolean());
    }

    [Theory]
    [InlineData("/input/teleport", """{"x":0,"z":0}""")]
    [InlineData("/input/snap_turn", """{"direction":"left"}""")]
    [InlineData("/input/move", """{"forward":1}""")]
    [InlineData("/input/recenter", null)]
    public async Task PostInput_SceneWithoutPlayer_Returns409(string uri, string? body)
    {
        using (var load = await _client.PostJsonAsync("/scene", """{"scene_path":"res://scenes/menu.tscn"}"""))
        {
            await load.ReadJsonAsync();
        }

        using var response = await _client.PostJsonAsync(uri, body);

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("no player", problem.Str("message"), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Undefined, problem.TryGetProperty("player", out var p) ? p.ValueKind : JsonValueKind.Undefined);
    }
}
