using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SpaceTime.Cli.Tests.Records;

/// <summary>One audit trail per data dir, appended by the manager and its game at once.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SharedAuditTrailTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LoadFor = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ManagerAndGame_EightWritersLoadingScenes_AuditHasOneWholeLinePerAcknowledgedLoad()
    {
        using var data = new TempFolder();
        var (port, godotPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--data-dir", data.Path, "--check-interval", "1",
            // The manager would otherwise load its main scene again whenever a writer's other scene is active.
            "--auto-load-scene", "false");
        using var viaManager = SpacetimeProcess.CreateClient(port);
        using var direct = SpacetimeProcess.CreateClient(godotPort);
        await WaitHealthyAsync(direct, "/health", manager);
        await WaitHealthyAsync(viaManager, "/godot/health", manager);
        var audit = Path.Combine(data.Path, "audit");
        var before = CountSceneLoads(audit);

        // Half the writers go through the manager's proxy (the manager audits them too), half to the game.
        var acknowledged = new ConcurrentBag<string>();
        var refused = new ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource(LoadFor);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var (http, path) = w % 2 == 0 ? (viaManager, "/godot/scene") : (direct, "/scene");
            var scene = w % 4 < 2 ? "res://vr_main.tscn" : "res://node_3d.tscn";
            while (!stop.IsCancellationRequested)
            {
                using var body = new StringContent($$"""{"scene_path":"{{scene}}"}""", Encoding.UTF8, "application/json");
                HttpResponseMessage response;
                try
                {
                    response = await http.PostAsync(path, body, CancellationToken.None);
                }
                catch (HttpRequestException e)
                {
                    throw new InvalidOperationException($"POST {path} (writer {w}): {e.Message} {e.InnerException?.Message}\n--- manager and game output:\n{manager.Output}", e);
                }

                using var answered = response;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add(scene);
                }
                else
                {
                    refused.Add(response.StatusCode);
                }
            }
        })));

        manager.Terminate();
        Assert.Equal(0, await manager.WaitForExitAsync(Deadline));

        var records = ReadRecords(audit);
        var loads = CountSceneLoads(audit) - before;
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} loads acknowledged in {LoadFor} (refused: {string.Join(",", refused.Distinct())})");
        Assert.Equal(acknowledged.Count, loads);
        // Both processes wrote to the one trail, each naming its instance.
        Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("instance_id").GetString())));
        TestContext.Current.TestOutputHelper?.WriteLine($"{acknowledged.Count} loads acknowledged, {loads} SCENE_LOAD records, {records.Count} audit lines");
    }

    /// <summary>Every line of every audit file, parsed: a torn line fails the test here.</summary>
    private static List<JsonElement> ReadRecords(string audit) =>
        [.. Directory.GetFiles(audit, "audit*.log").SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement)];

    private static int CountSceneLoads(string audit) => ReadRecords(audit).Count(r => r.GetProperty("result").GetString() == "SCENE_LOAD");

    private static async Task WaitHealthyAsync(HttpClient http, string path, SpacetimeProcess process)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            Assert.False(process.HasExited, $"the manager exited:\n{process.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"not healthy within {Deadline}:\n{process.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
