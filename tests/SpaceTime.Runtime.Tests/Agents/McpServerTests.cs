using System.Net;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using SpaceTime.Runtime.Tests.Security;

namespace SpaceTime.Runtime.Tests.Agents;

/// <summary>The built-in MCP server at /mcp, driven by the official C# SDK client over Streamable HTTP.</summary>
public sealed class McpServerTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    public static readonly string[] RequiredTools =
    [
        "scene_load", "scene_reload", "scene_validate", "scene_list", "scene_tree", "node_get", "node_set", "player_state", "player_move",
        "player_teleport", "player_snap_turn", "vr_input", "time_pause", "time_resume", "time_step", "time_step_until", "state_hash",
        "snapshot_save", "snapshot_restore", "performance", "logs",
    ];

    private readonly HttpClient _http = runtime.CreateClient();

    private async Task<McpClient> ConnectAsync(string? token = null)
    {
        var http = token is null ? runtime.CreateClient() : runtime.CreateClient(token);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(http.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp, ConnectionTimeout = TimeSpan.FromMinutes(2) },
            http, loggerFactory: null, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, cancellationToken: TestContext.Current.CancellationToken);
    }

    private static async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);
        var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
        Assert.True(result.IsError != true, $"{tool} failed: {text}");
        Assert.False(string.IsNullOrWhiteSpace(text), $"{tool} returned no text");
        Assert.NotNull(result.StructuredContent);
        return result.StructuredContent!.Value;
    }

    [Fact]
    public async Task ToolsList_AdminSeesEveryTool()
    {
        await using var client = await ConnectAsync();

        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);

        var names = tools.Select(t => t.Name).ToHashSet();
        Assert.All(RequiredTools, t => Assert.Contains(t, names));
        Assert.All(tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description), $"{t.Name} has no description"));
    }

    [Fact]
    public async Task ToolsList_Readonly_ShowsOnlyWhatItMayUse_AndNodeSetIsRefused()
    {
        var token = await _http.IssueTokenAsync("readonly");
        await using var client = await ConnectAsync(token.Value);

        var names = (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name).ToHashSet();
        var refused = await client.CallToolAsync("node_set",
            new Dictionary<string, object?> { ["path"] = "VRMain/Cubes/Cube1", ["properties"] = new Dictionary<string, object?> { ["mass"] = 1.0 } },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("node_get", names);
        Assert.Contains("state_hash", names);
        Assert.DoesNotContain("node_set", names);
        Assert.DoesNotContain("time_pause", names);
        Assert.True(refused.IsError);
        var text = refused.Content.OfType<TextContentBlock>().Single().Text;
        Assert.Contains("node_set", text, StringComparison.Ordinal);
        Assert.Contains("scene:write", text, StringComparison.Ordinal);
        Assert.Contains("readonly", text, StringComparison.Ordinal);
        Assert.Equal(2.0, (await _http.GetJsonAsync("/scene/node?path=VRMain/Cubes/Cube1")).GetProperty("properties").Num("mass"));
    }

    [Fact]
    public async Task Mcp_WithoutToken_Returns401()
    {
        using var anonymous = runtime.CreateAnonymousClient();

        using var response = await anonymous.PostJsonAsync("/mcp", """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PauseTeleportStepSnapshotRestore_MatchesTheHttpApi()
    {
        await using var client = await ConnectAsync();

        // Paused first: a scene loaded while paused stays at tick 0 until stepped, so the ticks below are exact.
        await CallAsync(client, "time_pause");
        var loaded = await CallAsync(client, "scene_load", new() { ["scene_path"] = "res://vr_main.tscn" });
        var teleported = await CallAsync(client, "player_teleport", new() { ["x"] = 6, ["z"] = -6 });
        var stepped = await CallAsync(client, "time_step", new() { ["ticks"] = 10 });
        var hash = await CallAsync(client, "state_hash");
        var saved = await CallAsync(client, "snapshot_save", new() { ["name"] = "mcp" });
        await CallAsync(client, "player_snap_turn", new() { ["direction"] = "left" });
        var moved = await CallAsync(client, "time_step", new() { ["ticks"] = 30 });
        var restored = await CallAsync(client, "snapshot_restore", new() { ["id"] = saved.Str("id") });

        Assert.Equal("res://vr_main.tscn", loaded.Str("scene"));
        Assert.Equal(1.0, teleported.GetProperty("player").GetProperty("position").Num("y"), 2);
        Assert.Equal(10, stepped.GetProperty("tick").GetInt64());
        Assert.Equal(stepped.Str("state_hash"), hash.Str("state_hash"));
        Assert.Equal((await _http.GetJsonAsync("/state/hash")).Str("state_hash"), hash.Str("state_hash"));
        Assert.Equal(hash.Str("state_hash"), saved.Str("state_hash"));
        Assert.NotEqual(hash.Str("state_hash"), moved.Str("state_hash"));
        Assert.True(restored.GetProperty("hash_matches").GetBoolean());
        Assert.Equal(hash.Str("state_hash"), restored.Str("state_hash"));
    }

    [Fact]
    public async Task StepUntil_NodeGet_NodeSet_VrInput_ThroughTools()
    {
        await using var client = await ConnectAsync();
        await CallAsync(client, "time_pause");
        await CallAsync(client, "scene_load");

        var landed = await CallAsync(client, "time_step_until", new() { ["condition"] = new Dictionary<string, object?> { ["player_on_floor"] = true }, ["max_ticks"] = 300 });
        var set = await CallAsync(client, "node_set", new()
        {
            ["path"] = "VRMain/Cubes/Cube3",
            ["properties"] = new Dictionary<string, object?> { ["position"] = new Dictionary<string, object?> { ["x"] = 1, ["y"] = 2, ["z"] = 3 } },
        });
        var node = await CallAsync(client, "node_get", new() { ["path"] = "VRMain/Cubes/Cube3" });
        await CallAsync(client, "vr_input", new() { ["right"] = new Dictionary<string, object?> { ["thumbstick"] = new Dictionary<string, object?> { ["x"] = 1.0, ["y"] = 0.0 } }, ["ticks"] = 3 });
        await CallAsync(client, "time_step", new() { ["ticks"] = 3 });
        var player = await CallAsync(client, "player_state");

        Assert.True(landed.GetProperty("held").GetBoolean());
        Assert.Equal(2.0, set.GetProperty("node").GetProperty("global_position").Num("y"));
        Assert.Equal(3.0, node.GetProperty("global_position").Num("z"));
        Assert.Equal(-30, player.GetProperty("rotation").Num("y"), 2);
    }

    [Fact]
    public async Task BadArguments_AreErrorResultsWithTheHttpMessage()
    {
        await using var client = await ConnectAsync();
        await CallAsync(client, "time_pause");

        var badStep = await client.CallToolAsync("time_step", new Dictionary<string, object?> { ["ticks"] = -3 }, cancellationToken: TestContext.Current.CancellationToken);
        var missingSnapshot = await client.CallToolAsync("snapshot_restore", new Dictionary<string, object?> { ["id"] = "snap_missing" }, cancellationToken: TestContext.Current.CancellationToken);
        var unknownNode = await client.CallToolAsync("node_get", new Dictionary<string, object?> { ["path"] = "VRMain/Nope" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(badStep.IsError);
        Assert.Contains("'ticks'", badStep.Content.OfType<TextContentBlock>().Single().Text, StringComparison.Ordinal);
        Assert.Equal(400, badStep.StructuredContent!.Value.GetProperty("status").GetInt32());
        Assert.True(missingSnapshot.IsError);
        Assert.Equal(404, missingSnapshot.StructuredContent!.Value.GetProperty("status").GetInt32());
        Assert.True(unknownNode.IsError);
        Assert.Contains("404", unknownNode.Content.OfType<TextContentBlock>().Single().Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolCalls_AreAudited()
    {
        await using var client = await ConnectAsync();

        await CallAsync(client, "performance");

        var audit = await Poll.UntilAsync(
            () => Task.FromResult(Directory.EnumerateFiles(runtime.DataDir, "audit*.log", SearchOption.AllDirectories).Select(f => ReadShared(f)).FirstOrDefault() ?? ""),
            text => text.Contains("/mcp#performance", StringComparison.Ordinal), "the tool call in the audit log");
        Assert.Contains("TOOL_CALL", audit, StringComparison.Ordinal);
    }

    private static string ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }
}
