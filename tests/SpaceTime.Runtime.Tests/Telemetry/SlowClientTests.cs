using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SpaceTime.Runtime.Telemetry;
using SpaceTime.Runtime.Tests.Metrics;

namespace SpaceTime.Runtime.Tests.Telemetry;

/// <summary>Fast streams, a four-message send queue, and a send timeout longer than any test here.</summary>
public sealed class SlowClientRuntimeFixture : TelemetryRuntimeFixture
{
    protected override IReadOnlyDictionary<string, string> TelemetrySettings => new Dictionary<string, string>(base.TelemetrySettings)
    {
        ["SpaceTime:Telemetry:VrTrackingIntervalMs"] = "20",
        ["SpaceTime:Telemetry:SendQueueCapacity"] = "4",
        ["SpaceTime:Telemetry:SendTimeoutSeconds"] = "120",
    };
}

/// <summary>The same, but a client that takes nothing for 1 s is disconnected.</summary>
public sealed class StalledClientRuntimeFixture : TelemetryRuntimeFixture
{
    protected override IReadOnlyDictionary<string, string> TelemetrySettings => new Dictionary<string, string>(base.TelemetrySettings)
    {
        ["SpaceTime:Telemetry:VrTrackingIntervalMs"] = "20",
        ["SpaceTime:Telemetry:SendQueueCapacity"] = "4",
        ["SpaceTime:Telemetry:SendTimeoutSeconds"] = "1",
    };
}

/// <summary>These measure the managed heap of the test process, so nothing else may run beside them.</summary>
[CollectionDefinition(nameof(SlowClientCollection), DisableParallelization = true)]
public sealed class SlowClientCollection;

/// <summary>A WebSocket client with a tiny TCP receive buffer that the test never reads unless told to.</summary>
internal sealed class StalledWebSocket : IAsyncDisposable
{
    private readonly HttpMessageInvoker _invoker;

    private StalledWebSocket(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        Socket = socket;
        _invoker = invoker;
    }

    public ClientWebSocket Socket { get; }

    public static async Task<StalledWebSocket> ConnectAsync(Uri url, string token)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var client = new ClientWebSocket();
        client.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        await client.ConnectAsync(url, invoker, TestContext.Current.CancellationToken);
        return new StalledWebSocket(client, invoker);
    }

    /// <summary>A <c>ping</c> whose echoed timestamp makes the <c>pong</c> about <paramref name="padding"/> bytes long.</summary>
    public Task SendPingAsync(string tag, int padding) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"command":"ping","timestamp":"{{tag}}:{{new string('x', padding)}}"}"""),
            WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    public Task SendAsync(string json) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    /// <summary>Reads (finally) until a pong tagged <paramref name="tag"/> arrives; returns the number of pongs read.</summary>
    public async Task<int> DrainUntilPongAsync(string tag)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        var pongs = 0;
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await Socket.ReceiveAsync(buffer.AsMemory(count), deadline.Token);
                count += result.Count;
            }
            while (!result.EndOfMessage);

            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            using var document = JsonDocument.Parse(buffer.AsMemory(0, count));
            var root = document.RootElement;
            if (root.Str("event") == TelemetryMessages.Pong)
            {
                pongs++;
                if (root.GetProperty("data").Str("client_timestamp").StartsWith(tag + ":", StringComparison.Ordinal))
                {
                    return pongs;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Socket.Abort();
        Socket.Dispose();
        _invoker.Dispose();
        await Task.CompletedTask;
    }
}

/// <summary>
/// A client that stops reading while asking for ~48 MB of replies: it costs the server a bounded queue, and the
/// other clients keep receiving their stream on time.
/// </summary>
[Collection(nameof(SlowClientCollection))]
public sealed class SlowClientTests(SlowClientRuntimeFixture runtime) : IClassFixture<SlowClientRuntimeFixture>
{
    private const int Pings = 6000;
    private const int PongBytes = 8 * 1024;

    [Fact]
    public async Task StalledClient_FloodsRequests_MemoryBoundedOthersOnTimeAndDropsCounted()
    {
        await using var normal = await runtime.ConnectAsync();
        await normal.NextEventAsync(TelemetryMessages.Connected);
        await using var stalled = await StalledWebSocket.ConnectAsync(runtime.TelemetryUrl(), RuntimeApiFixture.AdminToken);
        await stalled.SendAsync("""{"command":"configure","fps_interval_ms":50,"vr_tracking_interval_ms":20}""");
        var droppedBefore = PrometheusText.Require(await runtime.ReadTelemetryMetricsAsync(), "spacetime_telemetry_dropped_messages_total");
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        var watch = Stopwatch.StartNew();
        var reader = Task.Run(async () =>
        {
            var arrivals = new List<(TimeSpan At, double Timestamp)>();
            while (watch.Elapsed < TimeSpan.FromSeconds(3))
            {
                var fps = await normal.NextEventAsync(TelemetryMessages.Fps, TimeSpan.FromSeconds(5));
                arrivals.Add((watch.Elapsed, fps.Timestamp));
            }

            return arrivals;
        }, TestContext.Current.CancellationToken);
        for (var i = 0; i < Pings; i++)
        {
            await stalled.SendPingAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture), PongBytes);
        }

        await stalled.SendPingAsync("last", 16);
        var arrivals = await reader;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        // ~48 MB of pongs were asked for; a bounded queue keeps a handful of them.
        Assert.True(heapAfter - heapBefore < 24L * 1024 * 1024, $"managed heap grew by {(heapAfter - heapBefore) / 1024 / 1024} MB");
        var gaps = arrivals.Skip(1).Zip(arrivals, (b, a) => (b.At - a.At).TotalMilliseconds).ToList();
        Assert.True(arrivals.Count >= 10, $"only {arrivals.Count} fps events in 3 s at 100 ms");
        Assert.True(gaps.Max() < 1500, $"fps to the other client stalled for {gaps.Max():F0} ms");
        var serverGaps = arrivals.Skip(1).Zip(arrivals, (b, a) => (b.Timestamp - a.Timestamp) * 1000).ToList();
        Assert.True(serverGaps.Max() < 1500, $"fps sampling paused for {serverGaps.Max():F0} ms");

        // Now it reads: the backlog it gets is what the kernel buffered plus the bounded queue, far from all of it.
        var pongs = await stalled.DrainUntilPongAsync("last");
        Assert.True(pongs < Pings / 4, $"{pongs} of {Pings} pongs were kept for the stalled client");
        await Poll.UntilAsync(runtime.ReadTelemetryMetricsAsync,
            text => PrometheusText.Value(text, "spacetime_telemetry_dropped_messages_total") >= droppedBefore + (Pings - (Pings / 4)),
            "the dropped messages to be counted");
    }
}

[Collection(nameof(SlowClientCollection))]
public sealed class StalledClientTests(StalledClientRuntimeFixture runtime) : IClassFixture<StalledClientRuntimeFixture>
{
    [Fact]
    public async Task StalledClient_SendTimeoutPasses_DisconnectedWhileOthersKeepReceiving()
    {
        await using var normal = await runtime.ConnectAsync();
        await normal.NextEventAsync(TelemetryMessages.Connected);
        var disconnectsBefore = PrometheusText.Require(await runtime.ReadTelemetryMetricsAsync(), "spacetime_telemetry_disconnects_total");
        await using var stalled = await StalledWebSocket.ConnectAsync(runtime.TelemetryUrl(), RuntimeApiFixture.AdminToken);
        await Poll.UntilAsync(() => Task.FromResult(runtime.Hub.Count), c => c == 2, "the stalled client to be registered");

        var watch = Stopwatch.StartNew();
        var sent = 0;
        try
        {
            // Fill the kernel buffers so the server's send blocks; it gives up after SendTimeoutSeconds (1 s).
            while (runtime.Hub.Count == 2 && watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                await stalled.SendPingAsync("p", 8 * 1024);
                sent++;
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            // The server aborted the connection under the flood.
        }

        await Poll.UntilAsync(() => Task.FromResult(runtime.Hub.Count), c => c == 1, "the stalled client to be dropped", TimeSpan.FromSeconds(20));
        // The hub forgets the connection, then counts the disconnect.
        await Poll.UntilAsync(runtime.ReadTelemetryMetricsAsync,
            text => PrometheusText.Require(text, "spacetime_telemetry_disconnects_total") >= disconnectsBefore + 1,
            "the stalled client's disconnect to be counted", TimeSpan.FromSeconds(20));
        Assert.True(sent > 0);
        Assert.Equal(WebSocketState.Open, normal.State);
        await normal.NextEventAsync(TelemetryMessages.Fps, TimeSpan.FromSeconds(5));
    }
}
