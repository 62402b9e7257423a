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
    public async Task Up_WithNoArguments_LoadsVrMainSpawnsThePlayerAndPrintsTheUrls()
    {
        using var data = new TempFolder();
        await using var process = SpacetimeProcess.Start("up", "--data-dir", data.Path);

        await process.WaitForLineAsync(l => l.Contains("SpaceTime is up", StringComparison.Ordinal), StartTimeout);
        var port = await process.WaitForListeningPortAsync(StartTimeout);
        Assert.Contains($"http://127.0.0.1:{port}/health", process.Output);
        using var http = SpacetimeProcess.CreateClient(port);
        var health = await http.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var player = await http.GetFromJsonAsync<JsonElement>("/state/player", TestContext.Current.CancellationToken);
        Assert.True(player.GetProperty("spawned").GetBoolean());
        var scene = await http.GetFromJsonAsync<JsonElement>("/scene", TestContext.Current.CancellationToken);
        Assert.Equal("VRMain", scene.GetProperty("scene_name").GetString());

        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
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
