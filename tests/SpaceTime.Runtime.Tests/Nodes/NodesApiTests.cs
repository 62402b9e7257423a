using System.Net;
using SpaceTime.Runtime.Tests.Security;
using SpaceTime.Runtime.Tests.Time;

namespace SpaceTime.Runtime.Tests.Nodes;

public sealed class NodesApiTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    private Task<HttpResponseMessage> PatchAsync(string body) => _client.SendJsonAsync(HttpMethod.Patch, "/scene/node", body);

    [Fact]
    public async Task GetNode_ByDumpPath_ReturnsTransformAndStoredProperties()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        var dumpPath = (await _client.GetJsonAsync("/scene/dump")).GetProperty("children").EnumerateArray()
            .Single(c => c.Str("name") == "Cubes").GetProperty("children")[0].Str("path");

        var node = await _client.GetJsonAsync($"/scene/node?path={dumpPath}");

        Assert.Equal("VRMain/Cubes/Cube1", node.Str("path"));
        Assert.Equal("RigidBody3D", node.Str("type"));
        Assert.Contains("props", node.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(2.0, node.GetProperty("properties").Num("mass"));
        Assert.Equal(-1.5, node.GetProperty("global_position").Num("x"), 4);
        Assert.Equal(12, node.GetProperty("properties").GetProperty("transform").GetProperty("components").GetArrayLength());
    }

    [Fact]
    public async Task GetNode_Unknown_Returns404_MissingPath_Returns400()
    {
        using var unknown = await _client.GetAsync("/scene/node?path=VRMain/Nope", TestContext.Current.CancellationToken);
        using var missing = await _client.GetAsync("/scene/node", TestContext.Current.CancellationToken);

        Assert.Contains("VRMain/Nope", (await unknown.ReadProblemAsync(HttpStatusCode.NotFound)).Str("message"), StringComparison.Ordinal);
        await missing.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PatchNode_PositionAndMass_ChangesNodeAndHash()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        var before = (await _client.GetJsonAsync("/state/hash")).Str("state_hash");

        using var response = await PatchAsync("""{"path":"VRMain/Cubes/Cube1","properties":{"position":{"x":3,"y":1,"z":-4},"mass":5.5,"visible":false}}""");

        var result = await response.ReadJsonAsync();
        var node = result.GetProperty("node");
        Assert.Equal((3.0, 1.0, -4.0), (node.GetProperty("global_position").Num("x"), node.GetProperty("global_position").Num("y"), node.GetProperty("global_position").Num("z")));
        Assert.Equal(5.5, node.GetProperty("properties").Num("mass"));
        Assert.False(node.GetProperty("visible").GetBoolean());
        Assert.NotEqual(before, result.Str("state_hash"));
        Assert.Equal(result.Str("state_hash"), (await _client.GetJsonAsync("/state/hash")).Str("state_hash"));
        var reread = await _client.GetJsonAsync("/scene/node?path=VRMain/Cubes/Cube1");
        Assert.Equal(3.0, reread.GetProperty("global_position").Num("x"), 4);
    }

    [Fact]
    public async Task PatchNode_MovedPlatform_IsWhereTeleportLands()
    {
        await TimeApiTests.LoadPausedAsync(_client);
        using (var moved = await PatchAsync("""{"path":"VRMain/Platform","properties":{"position":[-6,0.5,-6]}}"""))
        {
            await moved.ReadJsonAsync();
        }

        using var teleport = await _client.PostJsonAsync("/input/teleport", """{"x":-6,"z":-6}""");

        Assert.Equal(1.0, (await teleport.ReadJsonAsync()).GetProperty("player").GetProperty("position").Num("y"), 2);
    }

    [Theory]
    [InlineData("""{"path":"VRMain/Cubes/Cube1","properties":{"mass":"heavy"}}""", "'mass' (float)")]
    [InlineData("""{"path":"VRMain/Cubes/Cube1","properties":{"position":{"x":1,"y":2}}}""", "'position' (Vector3)")]
    [InlineData("""{"path":"VRMain/Cubes/Cube1","properties":{"visible":1}}""", "'visible' (bool)")]
    [InlineData("""{"path":"VRMain/XROrigin3D/RightController","properties":{"tracker":5}}""", "'tracker' (StringName)")]
    [InlineData("""{"properties":{"mass":1}}""", "'path'")]
    [InlineData("""{"path":"VRMain/Cubes/Cube1"}""", "'properties'")]
    public async Task PatchNode_WrongTypeOrShape_Returns400AndChangesNothing(string body, string message)
    {
        await TimeApiTests.LoadPausedAsync(_client);
        var before = (await _client.GetJsonAsync("/state/hash")).Str("state_hash");

        using var response = await PatchAsync(body);

        Assert.Contains(message, (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Str("message"), StringComparison.Ordinal);
        Assert.Equal(before, (await _client.GetJsonAsync("/state/hash")).Str("state_hash"));
    }

    [Fact]
    public async Task PatchNode_PropertyTheNodeDoesNotStore_Returns422()
    {
        await TimeApiTests.LoadPausedAsync(_client);

        using var response = await PatchAsync("""{"path":"VRMain/Cubes/Cube1","properties":{"mass":3,"speed":2}}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("'speed'", problem.Str("message"), StringComparison.Ordinal);
        Assert.Equal(2.0, (await _client.GetJsonAsync("/scene/node?path=VRMain/Cubes/Cube1")).GetProperty("properties").Num("mass"));
    }

    [Fact]
    public async Task PatchNode_ResourceProperty_Returns400()
    {
        using var response = await PatchAsync("""{"path":"VRMain/Deck/CollisionShape3D","properties":{"shape":"x"}}""");

        Assert.Contains("cannot be set", (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatchNode_UnknownNode_Returns404()
    {
        using var response = await PatchAsync("""{"path":"VRMain/Ghost","properties":{"visible":false}}""");

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PatchNode_ReadonlyToken_Returns403()
    {
        var token = await _client.IssueTokenAsync("readonly");
        using var reader = runtime.CreateClient(token.Value);

        using var response = await reader.SendJsonAsync(HttpMethod.Patch, "/scene/node", """{"path":"VRMain/Cubes/Cube1","properties":{"mass":1}}""");

        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
    }
}
