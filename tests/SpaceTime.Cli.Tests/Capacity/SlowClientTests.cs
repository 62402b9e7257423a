using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace SpaceTime.Cli.Tests.Capacity;

/// <summary>
/// Slow and idle clients cannot lock others out (issue 13): 200 slowloris connections from one address take at most
/// their own share of the connections, so a normal client keeps being served, on the game directly and through the
/// manager. The latency bound is a functional check only; the benchmark measures percentiles.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class SlowClientTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(5);
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress SecondAttacker = IPAddress.Parse("127.0.0.3");

    [Fact]
    public async Task Game_With200SlowClients_ServesANormalClientAndRefusesTheCrowdsExcess()
    {
        using var data = new TempFolder();
        await using var game = SpacetimeProcess.Start("serve", "--http-port", "0", "--environment", "test", "--data-dir", data.Path);
        var port = await game.WaitForListeningPortAsync(StartTimeout);

        await using var crowd = await SlowClientCrowd.StartAsync(Attacker, port);
        await AssertServedAsync(port, "/status");

        using var http = SpacetimeProcess.CreateClient(port);
        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        // The crowd got its 64 connections (max_connections_per_client) and no more.
        Assert.True(Counter(metrics, "spacetime_http_connections_refused_total") >= 200 - 64, metrics);
        Assert.False(game.HasExited);
    }

    [Fact]
    public async Task Manager_With200SlowClientsOnItAndOnItsGame_ServesTheProxyAndHealth()
    {
        using var data = new TempFolder();
        var (port, godotPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--data-dir", data.Path, "--check-interval", "1");
        using var http = SpacetimeProcess.CreateClient(port);
        await Poll.UntilAsync(() => TryStatusAsync(http, "/health"), s => s == HttpStatusCode.OK, "the manager to report the game ready", StartTimeout);

        // The game's own port and the manager's port are both under attack; the proxy reaches the game over its
        // private socket, and the manager's health checks too, so neither the API nor the supervision suffers.
        await using var onGame = await SlowClientCrowd.StartAsync(Attacker, godotPort);
        await using var onManager = await SlowClientCrowd.StartAsync(SecondAttacker, port);
        await AssertServedAsync(port, "/godot/status");
        await AssertServedAsync(port, "/health", count: 5);

        Assert.Equal(HttpStatusCode.OK, await TryStatusAsync(http, "/health"));
        Assert.DoesNotContain("restarting", manager.Output, StringComparison.OrdinalIgnoreCase);
        // The manager counts what it refused of the crowd on its own port, as the game does.
        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.True(Counter(metrics, "spacetime_http_connections_refused_total") >= 200 - 64, metrics);
    }

    /// <summary>Requests from 127.0.0.1, each on a new connection (a new client): every one succeeds, none slowly.</summary>
    private static async Task AssertServedAsync(int port, string path, int count = 50)
    {
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", SpacetimeProcess.AdminToken);
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
            watch.Stop();
            Assert.True(response.IsSuccessStatusCode, $"request {i + 1} to {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            Assert.True(watch.Elapsed < Generous, $"request {i + 1} to {path} took {watch.Elapsed.TotalMilliseconds:F0} ms");
        }
    }

    /// <summary>The status <paramref name="path"/> answers, or null when the server cannot be reached.</summary>
    internal static async Task<HttpStatusCode?> TryStatusAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    internal static double Counter(string metrics, string name) =>
        MetricLine().Matches(metrics).Where(m => m.Groups["name"].Value == name).Select(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture)).Single();

    [GeneratedRegex(@"^(?<name>[a-z_]+) (?<value>[0-9.e+-]+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();
}
