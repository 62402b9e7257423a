using System.Net;

namespace SpaceTime.Deploy.Tests.Support;

/// <summary>A real <c>spacetime manage</c> supervising the real game on free loopback ports, waited on until /health is 200 (READY).</summary>
internal sealed class RunningSpacetime : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private RunningSpacetime(SpacetimeProcess process, string dataDir, int managerPort, int gamePort, int telemetryPort)
    {
        Process = process;
        DataDir = dataDir;
        ManagerPort = managerPort;
        GamePort = gamePort;
        TelemetryPort = telemetryPort;
    }

    /// <summary>The admin token the manager and the game accept (API_TOKEN).</summary>
    public static string AdminToken => SpacetimeProcess.AdminToken;

    public SpacetimeProcess Process { get; }

    public string DataDir { get; }

    public int ManagerPort { get; }

    public int GamePort { get; }

    public int TelemetryPort { get; }

    public string ManagerUrl => $"http://127.0.0.1:{ManagerPort}";

    public static async Task<RunningSpacetime> StartAsync(string dataDir, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (manager, game, telemetry) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        var process = SpacetimeProcess.Start(
            environment ?? new Dictionary<string, string>(),
            "manage", "--port", $"{manager}", "--godot-port", $"{game}", "--telemetry-port", $"{telemetry}", "--data-dir", dataDir, "--check-interval", "1");
        var running = new RunningSpacetime(process, dataDir, manager, game, telemetry);
        try
        {
            await WaitForHealthAsync(running.ManagerUrl, () => process.HasExited ? process.Output : null);
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }

        return running;
    }

    /// <summary>Polls <c>/health</c> until it answers 200 (the game is READY); fails the test at the deadline or when <paramref name="exited"/> says the process died.</summary>
    public static async Task WaitForHealthAsync(string managerUrl, Func<string?> exited, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri(managerUrl), Timeout = TimeSpan.FromSeconds(5) };
        var limit = timeout ?? ReadyTimeout;
        var deadline = DateTime.UtcNow + limit;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (exited() is { } output)
            {
                Assert.Fail($"spacetime exited before it was READY:\n{output}");
            }

            try
            {
                using var response = await http.GetAsync("/health", TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"{managerUrl}/health was not 200 within {limit.TotalSeconds:F0} s; last answer: {last}");
    }

    public HttpClient CreateClient() => SpacetimeProcess.CreateClient(ManagerPort);

    /// <summary>SIGTERM, as a service manager stops it; the manager stops the game's process group first.</summary>
    public async Task StopAsync()
    {
        Process.Terminate();
        Assert.Equal(0, await Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>One running SpaceTime shared by the tests that only read from it (metrics, smoke test, nginx in front).</summary>
public sealed class SharedSpacetime : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private RunningSpacetime? _running;

    /// <summary>The read-only token Prometheus uses (METRICS_TOKEN).</summary>
    public string MetricsToken { get; } = Secrets.Hex(32);

    internal RunningSpacetime Spacetime => _running ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() =>
        _running = await RunningSpacetime.StartAsync(_data.Path, new Dictionary<string, string> { ["METRICS_TOKEN"] = MetricsToken });

    public async ValueTask DisposeAsync()
    {
        if (_running is not null)
        {
            await _running.DisposeAsync();
        }

        _data.Dispose();
    }
}
