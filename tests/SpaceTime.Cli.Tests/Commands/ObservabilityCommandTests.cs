using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SpaceTime.Cli.Tests.Commands;

/// <summary>
/// One real <c>spacetime serve</c> with telemetry on a free port, fast fps, and discovery announcing every second to
/// a free UDP port — for the <c>telemetry</c> and <c>discover</c> commands to talk to.
/// </summary>
public sealed partial class ObservedServeFixture : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private SpacetimeProcess? _serve;

    public int HttpPort { get; private set; }

    public int TelemetryPort { get; private set; }

    public int DiscoveryPort { get; } = FreeUdpPort();

    public string TelemetryUrl => $"ws://127.0.0.1:{TelemetryPort}/telemetry";

    public async ValueTask InitializeAsync()
    {
        _serve = SpacetimeProcess.Start(
            new Dictionary<string, string>
            {
                ["DISCOVERY_PORT"] = DiscoveryPort.ToString(CultureInfo.InvariantCulture),
                // Double underscores map to configuration keys: SpaceTime:DiscoveryIntervalSeconds (1 s is the minimum).
                ["SpaceTime__DiscoveryIntervalSeconds"] = "1",
                ["SpaceTime__Telemetry__FpsIntervalMs"] = "100",
            },
            "serve", "--http-port", "0", "--data-dir", _data.Path);
        HttpPort = await _serve.WaitForListeningPortAsync(TimeSpan.FromSeconds(60));
        var line = await _serve.WaitForLineAsync(l => TelemetryListening().IsMatch(l), TimeSpan.FromSeconds(30));
        TelemetryPort = int.Parse(TelemetryListening().Match(line).Groups["port"].Value, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }

        _data.Dispose();
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    [GeneratedRegex(@"Telemetry WebSocket listening on ws://127\.0\.0\.1:(?<port>\d+)/telemetry")]
    private static partial Regex TelemetryListening();
}

/// <summary><c>spacetime telemetry</c> and <c>spacetime discover</c> against a real running game.</summary>
public sealed class ObservabilityCommandTests(ObservedServeFixture serve) : IClassFixture<ObservedServeFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private static List<JsonElement> JsonLines(string output) =>
        [.. output.Split('\n').Where(l => l.StartsWith('{')).Select(l =>
        {
            using var document = JsonDocument.Parse(l);
            return document.RootElement.Clone();
        })];

    [Fact]
    public async Task Status_TelemetryPortFromLog_MatchesStatus()
    {
        using var http = SpacetimeProcess.CreateClient(serve.HttpPort);

        var status = await http.GetFromJsonAsync<JsonElement>("/status", TestContext.Current.CancellationToken);

        Assert.Equal(serve.TelemetryPort, status.GetProperty("telemetry_port").GetInt32());
        Assert.True(status.GetProperty("discovery").GetProperty("enabled").GetBoolean());
        Assert.Equal(serve.DiscoveryPort, status.GetProperty("discovery").GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task Telemetry_JsonCount3_PrintsThreeJsonLinesIncludingConnected()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout,
            "telemetry", "--url", serve.TelemetryUrl, "--token", SpacetimeProcess.AdminToken, "--json", "--count", "3");

        Assert.True(code == 0, output);
        var lines = JsonLines(output);
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal("event", l.GetProperty("type").GetString()));
        // The protocol promises 'connected' first, but the runtime may send a first fps/vr_tracking sample ahead of it
        // (src bug, see TelemetryStreamTests.Connect_Repeatedly_ConnectedIsAlwaysTheFirstMessage).
        var connected = Assert.Single(lines, l => l.GetProperty("event").GetString() == "connected");
        Assert.Equal("admin", connected.GetProperty("data").GetProperty("role").GetString());
    }

    [Fact]
    public async Task Telemetry_FilterFps_OnlyFpsAfterTheSubscriptionAcks()
    {
        using var log = new TempFolder();
        var logFile = Path.Combine(log.Path, "telemetry.jsonl");

        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout,
            "telemetry", "--url", serve.TelemetryUrl, "--token", SpacetimeProcess.AdminToken, "--json", "--filter", "fps", "--count", "24", "--log", logFile);

        Assert.True(code == 0, output);
        var events = JsonLines(output).Select(l => l.GetProperty("event").GetString()).ToList();
        // Enough events that a subscription acknowledged late on a busy machine still leaves fps-only events after it.
        Assert.Equal(24, events.Count);
        Assert.Contains("connected", events.Take(3));
        // A value already on its way may precede the acks. The runtime can also send one vr_tracking sampled just before
        // the unsubscribe right after the acks (src bug: TelemetryHub.OfferDueAsync does not re-check the subscription
        // after awaiting the sample); after that only fps may come.
        var afterAcks = events.Skip(events.LastIndexOf("subscribed") + 1).ToList();
        var settled = afterAcks.Count > 0 && afterAcks[0] != "fps" ? afterAcks.Skip(1).ToList() : afterAcks;
        Assert.True(events.Contains("subscribed") && settled.Count >= 2 && settled.All(e => e == "fps"), string.Join(", ", events));
        Assert.Equal(24, File.ReadAllLines(logFile).Length);
    }

    [Fact]
    public async Task Telemetry_BadToken_ExitsOneSayingTheServerClosedIt()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout,
            "telemetry", "--url", serve.TelemetryUrl, "--token", "definitely-not-a-token", "--json", "--count", "3");

        Assert.Equal(1, code);
        Assert.Contains("closed by the server", output, StringComparison.Ordinal);
        Assert.Contains("PolicyViolation", output, StringComparison.Ordinal);
        Assert.Empty(JsonLines(output));
    }

    [Fact]
    public async Task Telemetry_HttpUrl_ExitsOneNamingUrlOption()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout, "telemetry", "--url", "http://x", "--json");

        Assert.Equal(1, code);
        Assert.Contains("--url", output, StringComparison.Ordinal);
        Assert.Contains("ws://", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telemetry_UnknownFilter_ExitsOneNamingTheStream()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout, "telemetry", "--url", serve.TelemetryUrl, "--filter", "fps,warp_drive");

        Assert.Equal(1, code);
        Assert.Contains("warp_drive", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_Json_ListsTheServeInstance()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout,
            "discover", "--port", serve.DiscoveryPort.ToString(CultureInfo.InvariantCulture), "--timeout", "3s", "--json");

        Assert.True(code == 0, output);
        using var document = JsonDocument.Parse(output.Split('\n').Single(l => l.StartsWith('[')));
        var instance = Assert.Single(document.RootElement.EnumerateArray());
        Assert.Equal("SpaceTime", instance.GetProperty("service").GetString());
        Assert.Equal(serve.HttpPort, instance.GetProperty("http_port").GetInt32());
        Assert.Equal(serve.TelemetryPort, instance.GetProperty("telemetry_port").GetInt32());
        Assert.Equal("res://vr_main.tscn", instance.GetProperty("scene").GetString());
        Assert.True(instance.GetProperty("announcements").GetInt32() >= 1);
        Assert.DoesNotContain(SpacetimeProcess.AdminToken, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_BadTimeout_ExitsOneNamingTheOption()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout, "discover", "--timeout", "soon");

        Assert.Equal(1, code);
        Assert.Contains("--timeout", output, StringComparison.Ordinal);
    }
}
