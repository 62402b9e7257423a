using System.Net;
using SpaceTime.Runtime.Tests.Time;

namespace SpaceTime.Runtime.Tests.Input;

/// <summary>Simulated headset and controllers, driven while paused so every tick is accounted for.</summary>
public sealed class VrInputApiTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    private async Task SendAsync(string body)
    {
        using var response = await _client.PostJsonAsync("/input/vr", body);
        await response.ReadJsonAsync();
    }

    [Fact]
    public async Task HeadsetAndControllerPoses_ShowInStateVr()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        await SendAsync("""{"headset":{"position":{"x":0.1,"y":1.6,"z":0},"rotation":{"y":45}},"left":{"trigger":0.5,"thumbstick":{"x":0,"y":0}},"ticks":5}""");
        await TimeApiTests.StepAsync(_client, 1);

        var vr = await _client.GetJsonAsync("/state/vr");

        var headset = vr.GetProperty("headset").GetProperty("position");
        Assert.Equal(0.1, headset.Num("x"), 3);
        Assert.Equal(1.6 + 0.05, headset.Num("y"), 2);
        var simulation = vr.GetProperty("simulation");
        Assert.True(simulation.GetProperty("active").GetBoolean());
        Assert.Equal(4, simulation.GetProperty("ticks_remaining").GetInt32());
        Assert.Equal(0.5, simulation.GetProperty("left").Num("trigger"));
    }

    [Fact]
    public async Task RightStick_SnapsThirtyDegrees_OncePerPush()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        await SendAsync("""{"right":{"thumbstick":{"x":1,"y":0}},"ticks":10}""");
        await TimeApiTests.StepAsync(_client, 10);
        await SendAsync("""{"right":{"thumbstick":{"x":-1,"y":0}},"ticks":3}""");
        await TimeApiTests.StepAsync(_client, 3);
        await SendAsync("""{"right":{"thumbstick":{"x":-1,"y":0}},"ticks":3}""");
        await TimeApiTests.StepAsync(_client, 3);

        var player = await _client.GetJsonAsync("/state/player");
        var vr = await _client.GetJsonAsync("/state/vr");

        // right (-30), then left twice (+30 each, the stick returned to centre in between as the input ended).
        Assert.Equal(30, player.GetProperty("rotation").Num("y"), 2);
        Assert.Equal(3, vr.GetProperty("simulation").GetProperty("snap_turns").GetInt32());
    }

    [Fact]
    public async Task LeftStick_WalksForward()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        await TimeApiTests.StepAsync(_client, 10);
        await SendAsync("""{"left":{"thumbstick":{"x":0,"y":1}},"ticks":45}""");

        await TimeApiTests.StepAsync(_client, 45);

        var z = (await _client.GetJsonAsync("/state/player")).GetProperty("position").Num("z");
        Assert.Equal(1.0, z, 1); // 45 ticks at 2 m/s from z = 2
    }

    [Fact]
    public async Task RightTrigger_TeleportsToThePointedSpotOnTheGround()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        await TimeApiTests.StepAsync(_client, 10);
        // Pointing forward and 45° down from 1.2 m: the ray meets the deck about 1.2 m ahead of the hand.
        await SendAsync("""{"right":{"pose":{"position":{"x":0,"y":1.2,"z":0},"rotation":{"x":-45}},"trigger":1},"ticks":2}""");

        await TimeApiTests.StepAsync(_client, 2);

        var player = await _client.GetJsonAsync("/state/player");
        var vr = await _client.GetJsonAsync("/state/vr");
        Assert.Equal(1, vr.GetProperty("simulation").GetProperty("teleports").GetInt32());
        Assert.Equal("teleport", vr.GetProperty("simulation").Str("last_action"));
        Assert.InRange(player.GetProperty("position").Num("z"), 0.6, 1.0);
        Assert.True(player.GetProperty("on_floor").GetBoolean());
    }

    [Theory]
    [InlineData("""{"right":{"trigger":2}}""", "trigger")]
    [InlineData("""{"left":{"thumbstick":{"x":1.5,"y":0}}}""", "thumbstick")]
    [InlineData("""{"headset":{"position":{"x":1000,"y":0,"z":0}}}""", "headset")]
    [InlineData("""{"ticks":0}""", "'ticks'")]
    public async Task BadVrInput_Returns400(string body, string message)
    {
        using var response = await _client.PostJsonAsync("/input/vr", body);

        Assert.Contains(message, (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Str("message"), StringComparison.Ordinal);
    }
}
