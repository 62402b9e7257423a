using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace SpaceTime.Cli.Tests.Agents;

/// <summary>
/// Agents against real <c>spacetime serve</c> processes on loopback: determinism across processes, snapshots across
/// restarts, MCP with the official TypeScript SDK, and the <c>spacetime mcp</c> stdio bridge with the C# SDK.
/// </summary>
public sealed class AgentsEndToEndTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> PostAsync(HttpClient http, string uri, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = body is null ? await http.PostAsync(uri, null, Cancel) : await http.PostAsJsonAsync(uri, body, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == expected, $"POST {uri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<(SpacetimeProcess Process, HttpClient Http, int Port)> StartAsync(string dataDir)
    {
        var process = SpacetimeProcess.Start("serve", "--http-port", "0", "--data-dir", dataDir);
        var port = await process.WaitForListeningPortAsync(StartTimeout);
        return (process, SpacetimeProcess.CreateClient(port), port);
    }

    /// <summary>The input script: the same requests at the same scene ticks; returns the hash after each step.</summary>
    private static async Task<List<string>> RunScriptAsync(HttpClient http, string turn)
    {
        await PostAsync(http, "/time/pause");
        await PostAsync(http, "/scene", new { scene_path = "res://vr_main.tscn" });
        var hashes = new List<string>();
        async Task Step(int ticks) => hashes.Add((await PostAsync(http, "/time/step", new { ticks })).GetProperty("state_hash").GetString()!);
        await Step(20);
        await PostAsync(http, "/input/move", new { forward = 1, strafe = 0.3, duration_seconds = 0.5 });
        await Step(30);
        await PostAsync(http, "/input/snap_turn", new { direction = turn });
        await PostAsync(http, "/input/vr", new { left = new { thumbstick = new { x = 0.2, y = 0.8 } }, ticks = 40 });
        await Step(45);
        await PostAsync(http, "/input/teleport", new { x = 6, z = -6 });
        await Step(90);
        return hashes;
    }

    [Fact]
    public async Task TwoProcesses_SameInputScript_SameHashAtEveryCheckpoint_DifferentInputDiffers()
    {
        using var dataA = new TempFolder();
        using var dataB = new TempFolder();
        var (a, httpA, _) = await StartAsync(dataA.Path);
        var (b, httpB, _) = await StartAsync(dataB.Path);
        await using (a)
        await using (b)
        {
            var first = RunScriptAsync(httpA, "right");
            var second = RunScriptAsync(httpB, "right");
            var (hashesA, hashesB) = (await first, await second);
            var different = await RunScriptAsync(httpB, "left");

            Assert.Equal(4, hashesA.Count);
            Assert.Equal(hashesA, hashesB);
            Assert.Equal(hashesA[0], different[0]);
            Assert.Equal(hashesA[1], different[1]);
            Assert.NotEqual(hashesA[2], different[2]);
            Assert.NotEqual(hashesA[3], different[3]);
        }
    }

    [Fact]
    public async Task Snapshot_SurvivesARestart_AndRestoresToTheSameHash()
    {
        using var data = new TempFolder();
        JsonElement saved;
        var (first, http, _) = await StartAsync(data.Path);
        await using (first)
        {
            await RunScriptAsync(http, "left");
            saved = await PostAsync(http, "/world/snapshots", new { name = "before-restart" }, HttpStatusCode.Created);
        }

        var (second, http2, _) = await StartAsync(data.Path);
        await using (second)
        {
            await PostAsync(http2, "/time/pause");
            var restored = await PostAsync(http2, $"/world/snapshots/{saved.GetProperty("id").GetString()}/restore");
            var hash = await http2.GetFromJsonAsync<JsonElement>("/state/hash", Cancel);

            Assert.True(restored.GetProperty("hash_matches").GetBoolean());
            Assert.Equal(saved.GetProperty("state_hash").GetString(), hash.GetProperty("state_hash").GetString());
            Assert.Equal(saved.GetProperty("tick").GetInt64(), hash.GetProperty("tick").GetInt64());
        }
    }

    [Fact]
    public async Task TypeScriptSdk_OverStreamableHttp_DrivesTheGame_AndReadonlyCannotSetNodes()
    {
        var modules = RepositoryPaths.NodeModules;
        Assert.True(File.Exists(Path.Combine(modules, "@modelcontextprotocol", "sdk", "package.json")),
            $"@modelcontextprotocol/sdk is not installed in {modules}: run ./test.sh (or npm install --prefix .tools @modelcontextprotocol/sdk@1.32.2)");
        using var data = new TempFolder();
        var (process, http, port) = await StartAsync(data.Path);
        await using (process)
        {
            var readonlyToken = (await PostAsync(http, "/auth/token", new { role = "readonly", subject = "ts-interop" })).GetProperty("token").GetString()!;
            var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Agents", "mcp_interop.mjs"), modules, $"http://127.0.0.1:{port}/mcp", SpacetimeProcess.AdminToken, readonlyToken })
            {
                info.ArgumentList.Add(arg);
            }

            using var node = Process.Start(info)!;
            var stdout = node.StandardOutput.ReadToEndAsync(Cancel);
            var stderr = node.StandardError.ReadToEndAsync(Cancel);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await node.WaitForExitAsync(timeout.Token);
            Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}");

            var report = JsonDocument.Parse(await stdout).RootElement;
            var tools = report.GetProperty("tools").EnumerateArray().Select(t => t.GetString()).ToList();
            Assert.Contains("snapshot_restore", tools);
            Assert.Contains("node_set", tools);
            Assert.Equal("spacetime", report.GetProperty("server").GetProperty("name").GetString());
            Assert.Equal("res://vr_main.tscn", report.GetProperty("scene_load").GetProperty("scene").GetString());
            Assert.True(report.GetProperty("time_pause").GetProperty("paused").GetBoolean());
            Assert.Equal(1.0, report.GetProperty("player_teleport").GetProperty("player").GetProperty("position").GetProperty("y").GetDouble(), 2);
            Assert.Equal(report.GetProperty("time_pause").GetProperty("tick").GetInt64() + 90, report.GetProperty("time_step").GetProperty("tick").GetInt64());
            var hash = report.GetProperty("state_hash").GetProperty("state_hash").GetString();
            Assert.Equal(report.GetProperty("time_step").GetProperty("state_hash").GetString(), hash);
            Assert.Equal(hash, report.GetProperty("snapshot_save").GetProperty("state_hash").GetString());
            Assert.NotEqual(hash, report.GetProperty("moved").GetProperty("state_hash").GetString());
            Assert.Equal(hash, report.GetProperty("snapshot_restore").GetProperty("state_hash").GetString());
            Assert.DoesNotContain("node_set", report.GetProperty("readonly_tools").EnumerateArray().Select(t => t.GetString()));
            Assert.True(report.GetProperty("readonly_node_set").GetProperty("isError").GetBoolean());
            Assert.Contains("scene:write", report.GetProperty("readonly_node_set").GetProperty("text").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task McpStdioBridge_ForwardsToolsAndCalls()
    {
        using var data = new TempFolder();
        var (process, http, port) = await StartAsync(data.Path);
        await using (process)
        {
            var transport = new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "spacetime-mcp",
                Command = "dotnet",
                Arguments = [Path.Combine(AppContext.BaseDirectory, "spacetime.dll"), "mcp", "--url", $"http://127.0.0.1:{port}", "--token", SpacetimeProcess.AdminToken],
            });
            await using var client = await McpClient.CreateAsync(transport, cancellationToken: Cancel);

            var tools = await client.ListToolsAsync(cancellationToken: Cancel);
            var paused = await client.CallToolAsync("time_pause", cancellationToken: Cancel);
            var stepped = await client.CallToolAsync("time_step", new Dictionary<string, object?> { ["ticks"] = 5 }, cancellationToken: Cancel);
            var refused = await client.CallToolAsync("time_step", new Dictionary<string, object?> { ["ticks"] = 0 }, cancellationToken: Cancel);

            Assert.Contains("state_hash", tools.Select(t => t.Name));
            Assert.True(paused.IsError != true);
            Assert.True(stepped.IsError != true, string.Join(" ", stepped.Content.OfType<TextContentBlock>().Select(t => t.Text)));
            var hash = await http.GetFromJsonAsync<JsonElement>("/state/hash", Cancel);
            Assert.Equal(hash.GetProperty("state_hash").GetString(), stepped.StructuredContent!.Value.GetProperty("state_hash").GetString());
            Assert.True(refused.IsError);
            Assert.Contains("'ticks'", refused.Content.OfType<TextContentBlock>().Single().Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ThroughTheManager_McpAtGodotMcp_AndAPausedGameIsNotHung()
    {
        using var data = new TempFolder();
        var (port, godotPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--data-dir", data.Path, "--check-interval", "1");
        using var http = SpacetimeProcess.CreateClient(port);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (await HealthyAsync(http) is false)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the manager did not report healthy in time:\n{manager.Output}");
            await Task.Delay(100, Cancel);
        }

        var mcpHttp = SpacetimeProcess.CreateClient(port);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri($"http://127.0.0.1:{port}/godot/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            mcpHttp, loggerFactory: null, ownsHttpClient: true);
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: Cancel);
        var paused = await client.CallToolAsync("time_pause", cancellationToken: Cancel);
        Assert.True(paused.IsError != true);

        // Several health checks (1 s apart) while paused: the game must stay READY, never restarted.
        var watchUntil = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        while (DateTime.UtcNow < watchUntil)
        {
            var status = await http.GetFromJsonAsync<JsonElement>("/status", Cancel);
            Assert.Equal("READY", status.GetProperty("state").GetString());
            Assert.Equal(0, status.GetProperty("restart_count").GetInt32());
            await Task.Delay(200, Cancel);
        }

        var time = await http.GetFromJsonAsync<JsonElement>("/godot/time", Cancel);
        Assert.True(time.GetProperty("paused").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health", Cancel)).StatusCode);
    }

    private static async Task<bool> HealthyAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/health", Cancel)).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

}
