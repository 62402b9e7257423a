using System.Net.Http.Json;
using System.Text.Json;

namespace SpaceTime.Dashboard.Tests;

/// <summary>
/// A real <c>spacetime up</c> (the manager supervising the game runtime) on free loopback ports with a private data
/// dir, and tokens of each role issued by the game's own <c>POST /auth/token</c>. The game's telemetry takes a free
/// port (<c>--telemetry-port 0</c>), which the manager's <c>/telemetry</c> proxy learns from the game's <c>/status</c>.
/// </summary>
public sealed class SpacetimeUp : IAsyncLifetime
{
    /// <summary>The static admin token the processes accept (API_TOKEN).</summary>
    public const string AdminToken = "dashboard-test-admin-token-7c1e9a4f2b8d5e0a3c6f9b2d";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"spacetime-dashboard-{Guid.NewGuid():N}");
    private SpacetimeProcess? _process;

    public int ManagerPort { get; } = LoopbackPort.Free();

    public int GamePort { get; private set; }

    public string ManagerUrl => $"http://127.0.0.1:{ManagerPort}";

    public string GameUrl => $"http://127.0.0.1:{GamePort}";

    public string ReadOnlyToken { get; private set; } = "";

    public string DeveloperToken { get; private set; } = "";

    public string Output => _process?.Output ?? "";

    public HttpClient Manager { get; private set; } = new();

    public async ValueTask InitializeAsync()
    {
        GamePort = LoopbackPort.Free();
        Directory.CreateDirectory(_dataDir);
        _process = SpacetimeProcess.Start(
            new Dictionary<string, string>
            {
                ["API_TOKEN"] = AdminToken,
                // One signing key for both processes from the start: when each generates its own into a fresh data dir
                // at the same moment, tokens the game issues can fail at the manager.
                ["JWT_SECRET_KEY"] = "dashboard-test-signing-secret-4b7e1d9a2c5f8e3b6d0a9c2f5e8b1d4a",
            },
            "up", "--port", $"{ManagerPort}", "--godot-port", $"{GamePort}", "--telemetry-port", "0", "--discovery-port", "0", "--data-dir", _dataDir);

        Manager = Client(AdminToken);
        await WaitForReadyAsync(TimeSpan.FromSeconds(90));
        ReadOnlyToken = await IssueAsync("readonly");
        DeveloperToken = await IssueAsync("developer");
    }

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(ManagerUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Polls the manager's /status until the lifecycle is READY.</summary>
    public async Task<JsonElement> WaitForReadyAsync(TimeSpan timeout)
    {
        return await Poll.UntilAsync(
            async () =>
            {
                if (_process is { HasExited: true })
                {
                    Assert.Fail($"spacetime up exited:\n{Output}");
                }

                using var response = await Manager.GetAsync("/status");
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            },
            s => s.ValueKind == JsonValueKind.Object && s.GetProperty("state").GetString() == "READY",
            "the lifecycle to reach READY",
            timeout);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Manager.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> IssueAsync(string role)
    {
        using var response = await Manager.PostAsJsonAsync("/godot/auth/token", new { subject = $"dashboard-{role}", role, ttl = "1h" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Manager.Dispose();
        if (_process is { HasExited: false })
        {
            // SIGTERM: the manager stops the game's process group and exits (disposing kills what is left).
            _process.Terminate();
            try
            {
                await _process.WaitForExitAsync(TimeSpan.FromSeconds(20));
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
