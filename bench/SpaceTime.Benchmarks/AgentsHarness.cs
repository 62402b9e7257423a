using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelContextProtocol.Client;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Simulation;
using SpaceTime.Engine.Worlds;

namespace SpaceTime.Benchmarks;

/// <summary>
/// What agents pay: <c>POST /time/step</c> of 90 ticks, <c>/state/hash</c> (in process on vr_main and on the corpus scene
/// with the most nodes, and over HTTP), snapshot save/restore, and an MCP tool call against the equivalent HTTP call,
/// all against a real <c>spacetime serve</c> on loopback.
/// </summary>
internal static partial class AgentsHarness
{
    private const string Token = "bench-agents-token-3c5e7a9b1d2f4a6c8e0b";

    public static async Task<int> RunAsync(int runs)
    {
        Console.WriteLine($"agents: {runs} runs per figure; {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        HashInProcess(Paths.DemoProject, "res://vr_main.tscn", runs);
        var (project, scene) = LargestCorpusScene();
        HashInProcess(project, scene, Math.Max(5, runs / 4));
        await OverHttpAsync(runs);
        return 0;
    }

    private static void HashInProcess(string projectFolder, string scene, int runs)
    {
        var project = GodotProject.Open(projectFolder);
        var instance = project.Loader.Instantiate(scene);
        var vr = new VrSimulation();
        WorldSnapshot.Capture(instance, 0, null, vr).Hash(); // JIT
        var times = Measure(runs, () => WorldSnapshot.Capture(instance, 0, null, vr).Hash());
        Report($"state hash in process: {scene} ({instance.NodeCount} nodes)", times);
    }

    /// <summary>The corpus scene that instantiates to the most nodes (what /state/hash has to walk).</summary>
    private static (string Project, string Scene) LargestCorpusScene()
    {
        var best = (Project: "", Scene: "", Nodes: 0);
        foreach (var projectFile in Directory.EnumerateFiles(Paths.Corpus, "project.godot", SearchOption.AllDirectories))
        {
            var folder = Path.GetDirectoryName(projectFile)!;
            GodotProject project;
            try
            {
                project = GodotProject.Open(folder);
            }
            catch (Exception e) when (e is SceneLoadException or IOException or Engine.Formats.GodotParseException)
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder, "*.tscn", SearchOption.AllDirectories))
            {
                var res = "res://" + Path.GetRelativePath(folder, file).Replace('\\', '/');
                try
                {
                    var nodes = project.Loader.Instantiate(res).NodeCount;
                    if (nodes > best.Nodes)
                    {
                        best = (folder, res, nodes);
                    }
                }
                catch (Exception e) when (e is SceneLoadException or IOException or Engine.Formats.GodotParseException or InvalidOperationException)
                {
                    // Scenes the loader refuses are not in the running.
                }
            }
        }

        return (best.Project, best.Scene);
    }

    private static async Task OverHttpAsync(int runs)
    {
        var data = Directory.CreateTempSubdirectory("spacetime-agents-bench-");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "spacetime.dll"), "serve", "--http-port", "0", "--telemetry-port", "0", "--discovery-port", "0", "--data-dir", data.FullName })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["API_TOKEN"] = Token;
        info.Environment["ENABLE_RATE_LIMITING"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__SpaceTime"] = "Information"; // the "listening on" line
        using var server = Process.Start(info)!;
        var apiPort = new TaskCompletionSource<int>();
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ListeningPattern().Match(e.Data) is { Success: true } m)
            {
                apiPort.TrySetResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var port = await apiPort.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            (await http.PostAsync("/time/pause", null)).EnsureSuccessStatusCode();
            (await http.PostAsJsonAsync("/scene", new { scene_path = "res://vr_main.tscn" })).EnsureSuccessStatusCode();
            await StepAsync(http);

            Report("POST /time/step {ticks: 90}", await MeasureAsync(runs, () => StepAsync(http)));
            Report("GET /state/hash (vr_main)", await MeasureAsync(runs, () => http.GetStringAsync("/state/hash")));
            string? id = null;
            Report("POST /world/snapshots (save)", await MeasureAsync(runs, async () =>
            {
                using var response = await http.PostAsJsonAsync("/world/snapshots", new { name = "bench" });
                id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            }));
            Report("POST /world/snapshots/{id}/restore", await MeasureAsync(runs, async () => (await http.PostAsync($"/world/snapshots/{id}/restore", null)).EnsureSuccessStatusCode()));

            var mcpHttp = new HttpClient();
            mcpHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri($"http://127.0.0.1:{port}/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, mcpHttp, null, ownsHttpClient: true);
            await using var mcp = await McpClient.CreateAsync(transport);
            await mcp.CallToolAsync("state_hash");
            Report("MCP tools/call state_hash", await MeasureAsync(runs, () => mcp.CallToolAsync("state_hash").AsTask()));
            Report("HTTP GET /state/hash (same moment)", await MeasureAsync(runs, () => http.GetStringAsync("/state/hash")));
            Report("MCP tools/call time_step {ticks: 90}", await MeasureAsync(runs, () => mcp.CallToolAsync("time_step", new Dictionary<string, object?> { ["ticks"] = 90 }).AsTask()));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            data.Delete(recursive: true);
        }
    }

    private static async Task StepAsync(HttpClient http) => (await http.PostAsJsonAsync("/time/step", new { ticks = 90 })).EnsureSuccessStatusCode();

    private static double[] Measure(int runs, Action action)
    {
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return times;
    }

    private static async Task<double[]> MeasureAsync(int runs, Func<Task> action)
    {
        await action(); // warm-up
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await action();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return times;
    }

    private static void Report(string what, double[] times)
    {
        var sorted = times.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what,-60} median {Percentiles.NearestRank(sorted, 0.5),8:F3} ms  p90 {Percentiles.NearestRank(sorted, 0.9),8:F3} ms  min {sorted[0],8:F3} ms"));
    }

    [GeneratedRegex(@"HTTP API listening on http://[^:]+:(\d+)")]
    private static partial Regex ListeningPattern();
}
