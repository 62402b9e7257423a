using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace SpaceTime.Cli.Tests.Commands;

/// <summary>The real <c>spacetime serve</c> process, driven over HTTP on loopback.</summary>
public sealed class ServeCommandTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Serve_OnFreePort_ServesTheGameAndStopsCleanlyOnSigterm()
    {
        using var data = new TempFolder();
        await using var process = SpacetimeProcess.Start("serve", "--http-port", "0", "--data-dir", data.Path);
        var port = await process.WaitForListeningPortAsync(StartTimeout);
        using var http = SpacetimeProcess.CreateClient(port);

        var status = await http.GetFromJsonAsync<JsonElement>("/status", TestContext.Current.CancellationToken);
        Assert.Equal(port, status.GetProperty("http_port").GetInt32());
        Assert.Equal("res://vr_main.tscn", status.GetProperty("scene").GetProperty("path").GetString());

        var load = await http.PostAsJsonAsync("/scene", new { scene_path = "res://node_3d.tscn" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        var bad = await http.PostAsJsonAsync("/scene", new { scene_path = "res://../etc/passwd.tscn" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);

        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(File.Exists(Path.Combine(data.Path, "spacetime.db")));
    }

    [Fact]
    public async Task Serve_AfterRestart_KeepsSceneHistory()
    {
        using var data = new TempFolder();
        await using (var first = SpacetimeProcess.Start("serve", "--http-port", "0", "--data-dir", data.Path, "--scene", "res://node_3d.tscn"))
        {
            await first.WaitForListeningPortAsync(StartTimeout);
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        }

        await using var second = SpacetimeProcess.Start("serve", "--http-port", "0", "--data-dir", data.Path);
        var port = await second.WaitForListeningPortAsync(StartTimeout);
        using var http = SpacetimeProcess.CreateClient(port);
        var history = await http.GetFromJsonAsync<JsonElement>("/scene/history", TestContext.Current.CancellationToken);

        var paths = history.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("scene_path").GetString()).ToList();
        Assert.Equal(["res://vr_main.tscn", "res://node_3d.tscn"], paths);
    }

    [Fact]
    public async Task Serve_WithMissingProject_ExitsNonZeroNamingTheSetting()
    {
        using var data = new TempFolder();
        var (code, output) = await SpacetimeProcess.RunAsync(StartTimeout, "serve", "--project", Path.Combine(data.Path, "missing"), "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("spacetime: error: SpaceTime:ProjectPath", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Serve_WithMissingStartupScene_ExitsNonZeroNamingTheScene()
    {
        using var data = new TempFolder();
        var (code, output) = await SpacetimeProcess.RunAsync(StartTimeout, "serve", "--http-port", "0", "--scene", "res://nope.tscn", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("res://nope.tscn", output);
    }

    [Fact]
    public async Task Serve_WithBadEnvironmentName_ExitsNonZero()
    {
        using var data = new TempFolder();
        var (code, output) = await SpacetimeProcess.RunAsync(StartTimeout, "serve", "--http-port", "0", "--environment", "prod", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("'prod' is not one of production, staging, development, test", output);
    }

    [Fact]
    public async Task Serve_WhenExplicitPortIsTaken_ExitsNonZeroSayingSo()
    {
        using var data = new TempFolder();
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var taken = ((IPEndPoint)blocker.LocalEndpoint).Port;

        var (code, output) = await SpacetimeProcess.RunAsync(StartTimeout, "serve", "--http-port", taken.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("address already in use", output, StringComparison.OrdinalIgnoreCase);
        AssertOneLineError(output);
    }

    [Fact]
    public async Task Serve_WhenTelemetryPortIsTaken_ExitsWithOneLineNamingTheOption()
    {
        using var data = new TempFolder();
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var taken = ((IPEndPoint)blocker.LocalEndpoint).Port;

        var (code, output) = await SpacetimeProcess.RunAsync(
            StartTimeout, new Dictionary<string, string> { ["TELEMETRY_PORT"] = $"{taken}" }, "serve", "--http-port", "0", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains($"spacetime: error: telemetry port {taken} is in use (choose another with --telemetry-port)", output, StringComparison.Ordinal);
        AssertOneLineError(output);
    }

    /// <summary>A start-up failure is one "spacetime: error:" line: no unhandled exception, no stack trace, no crash report of a background service.</summary>
    internal static void AssertOneLineError(string output)
    {
        Assert.Single(output.Split('\n'), l => l.StartsWith("spacetime: error: ", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", output, StringComparison.Ordinal);
    }
}
