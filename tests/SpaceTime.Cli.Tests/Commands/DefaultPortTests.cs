using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace SpaceTime.Cli.Tests.Commands;

/// <summary>
/// Tests that use the default port 8080 (and its fallbacks). They live in one class so they never run at the
/// same time as each other.
/// </summary>
public sealed class DefaultPortTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Up_WithNoArguments_SupervisesTheGameToReadyAndPrintsTheUrls()
    {
        using var data = new TempFolder();
        await using var process = SpacetimeProcess.Start("up", "--data-dir", data.Path);
        var ct = TestContext.Current.CancellationToken;

        await process.WaitForLineAsync(l => l.Contains("SpaceTime is up", StringComparison.Ordinal), StartTimeout);
        // Printed on the lines after "up" (the output is read asynchronously).
        await process.WaitForLineAsync(l => l.Contains("http://127.0.0.1:8090/health", StringComparison.Ordinal), StartTimeout);
        using var manager = SpacetimeProcess.CreateClient(8090);
        var health = await manager.GetAsync("/health", ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var body = await health.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(body.GetProperty("overall_healthy").GetBoolean());
        Assert.True(body.GetProperty("player").GetProperty("spawned").GetBoolean());
        var status = await manager.GetFromJsonAsync<JsonElement>("/status", ct);
        Assert.Equal("READY", status.GetProperty("state").GetString());
        var gamePid = status.GetProperty("pid").GetInt32();

        // The game runs as `spacetime serve` on 8080, reachable directly and through the manager's proxy.
        var scene = await manager.GetFromJsonAsync<JsonElement>("/godot/scene", ct);
        Assert.Equal("VRMain", scene.GetProperty("scene_name").GetString());
        using var game = SpacetimeProcess.CreateClient(8080);
        Assert.True((await game.GetFromJsonAsync<JsonElement>("/state/player", ct)).GetProperty("spawned").GetBoolean());

        // Both logs rotate under the data dir.
        var logs = Path.Combine(data.Path, "logs");
        Assert.Contains("READY", await File.ReadAllTextAsync(Path.Combine(logs, "spacetime-manager.log"), ct));
        Assert.NotEmpty(await File.ReadAllTextAsync(Path.Combine(logs, "spacetime-game.log"), ct));

        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(SpacetimeProcess.IsAlive(gamePid), $"the game (pid {gamePid}) outlived `spacetime up`");
    }

    [Fact]
    public async Task Serve_WhenDefaultPortIsTaken_FallsBackAndReportsThePort()
    {
        using var data = new TempFolder();
        using var blocker = TryBlock(8080);
        await using var process = SpacetimeProcess.Start("serve", "--data-dir", data.Path);

        var port = await process.WaitForListeningPortAsync(StartTimeout);

        Assert.Contains(port, new[] { 8083, 8084, 8085 });
        Assert.Contains("Port 8080 is in use", process.Output);
        using var http = SpacetimeProcess.CreateClient(port);
        var status = await http.GetFromJsonAsync<JsonElement>("/status", TestContext.Current.CancellationToken);
        Assert.Equal(port, status.GetProperty("http_port").GetInt32());
    }

    /// <summary>Holds a port; if something else already holds it, that does the same job.</summary>
    private static TcpListener? TryBlock(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            listener.Dispose();
            return null;
        }
    }
}
