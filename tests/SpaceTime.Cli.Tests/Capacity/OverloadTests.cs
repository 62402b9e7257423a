using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SpaceTime.Cli.Tests.Commands;

namespace SpaceTime.Cli.Tests.Capacity;

/// <summary>
/// Overload is graceful (issue 13): beyond max_concurrent_requests and a short bounded queue, a request is answered at
/// once with 503, Retry-After and problem+json instead of stalling, while /health stays quick. The server is
/// saturated deterministically: two uploads that never finish hold both request slots.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OverloadTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Game_AtCapacity_Answers503WithRetryAfterAtOnce_AndHealthStaysQuick()
    {
        using var data = new TempFolder();
        using var config = SmallCapacityConfig();
        await using var game = SpacetimeProcess.Start("serve", "--http-port", "0", "--environment", "test", "--config-dir", config.Path, "--data-dir", data.Path);
        var port = await game.WaitForListeningPortAsync(StartTimeout);
        using var http = SpacetimeProcess.CreateClient(port);

        using var holders = new SlotHolders(port, "/scene");
        var refused = await AssertRefusedQuicklyAsync(http, "/status", holders, game);
        await AssertQuickAsync(http, "/health");

        holders.Dispose();
        // Capacity comes back as soon as the slots are free, and the loop kept running throughout.
        await Poll.UntilAsync(() => SlowClientTests.TryStatusAsync(http, "/status"), s => s == HttpStatusCode.OK, "the API to serve again");
        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.True(SlowClientTests.Counter(metrics, "spacetime_http_overload_rejections_total") >= 1, metrics);
        Assert.Equal(0, await ManageCommandTests.PromtoolCheckAsync(metrics));
        Assert.Equal("overloaded", refused.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Manager_WithItsProxyAtCapacity_Answers503ForTheGameButItsOwnAndTheGamesHealthStayQuick()
    {
        using var data = new TempFolder();
        using var config = SmallCapacityConfig();
        var (port, godotPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--environment", "test",
            "--config-dir", config.Path, "--data-dir", data.Path, "--check-interval", "1");
        using var http = SpacetimeProcess.CreateClient(port);
        await Poll.UntilAsync(() => SlowClientTests.TryStatusAsync(http, "/health"), s => s == HttpStatusCode.OK, "the manager to report the game ready", StartTimeout);

        using var holders = new SlotHolders(port, "/godot/scene");
        await AssertRefusedQuicklyAsync(http, "/godot/status", holders, manager);
        await AssertQuickAsync(http, "/health");
        await AssertQuickAsync(http, "/status");
        await AssertQuickAsync(http, "/godot/health");

        holders.Dispose();
        await Poll.UntilAsync(() => SlowClientTests.TryStatusAsync(http, "/godot/status"), s => s == HttpStatusCode.OK, "the proxy to serve again");
    }

    /// <summary>Two request slots, one queue place, 200 ms of waiting; no minimum upload rate, so the holders stay.</summary>
    private static TempFolder SmallCapacityConfig() => SecurityEndToEndTests.CopyConfig(c =>
    {
        var api = c["test.json"]!["http_api"]!;
        api["max_concurrent_requests"] = 2;
        api["request_queue_limit"] = 1;
        api["request_queue_timeout_ms"] = 200;
        api["min_request_body_bytes_per_second"] = 0;
    });

    /// <summary>Polls until the server refuses (the holders have their slots); the refusal itself must be quick and well-formed.</summary>
    private static async Task<JsonElement> AssertRefusedQuicklyAsync(HttpClient http, string path, SlotHolders holders, SpacetimeProcess server)
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await holders.HoldAsync();
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(path, ct);
            watch.Stop();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.True(watch.Elapsed < Generous, $"the 503 took {watch.Elapsed.TotalMilliseconds:F0} ms");
                Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone();
                Assert.Equal(503, body.GetProperty("status").GetInt32());
                return body;
            }

            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
            if (deadline.Elapsed > StartTimeout)
            {
                var connections = string.Join('\n', (await http.GetStringAsync("/metrics", ct)).Split('\n').Where(l => l.StartsWith("spacetime_http_", StringComparison.Ordinal) && !l.Contains("bucket", StringComparison.Ordinal)));
                Assert.Fail($"{path} was never refused while both slots were held; the holders got: {holders.Refusals}; metrics:\n{connections}\nserver output:\n{server.Output}");
            }

            await Task.Delay(15, ct);
        }
    }

    private static async Task AssertQuickAsync(HttpClient http, string path)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        watch.Stop();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"{path} took {watch.Elapsed.TotalMilliseconds:F0} ms while the API was saturated");
    }

    /// <summary>
    /// Two authenticated POSTs whose bodies never arrive, each holding a request slot until its socket closes. A holder
    /// the server refused (another request, such as the manager's own status check, had the slot) is replaced, so the
    /// two slots end up held whatever else was running.
    /// </summary>
    private sealed class SlotHolders(int port, string path) : IDisposable
    {
        private readonly Socket?[] _sockets = new Socket?[2];
        private readonly List<string> _refusals = [];

        public string Refusals => _refusals.Count == 0 ? "(none refused)" : string.Join(" | ", _refusals);

        public async Task HoldAsync()
        {
            for (var i = 0; i < _sockets.Length; i++)
            {
                if (_sockets[i] is { } held && !held.Poll(0, SelectMode.SelectRead))
                {
                    continue; // still waiting for its body: it holds a slot
                }

                if (_sockets[i] is { } refused)
                {
                    var buffer = new byte[refused.Available];
                    _refusals.Add(buffer.Length > 0 ? Encoding.ASCII.GetString(buffer, 0, refused.Receive(buffer)).Split("\r\n")[0] : "(closed)");
                    refused.Dispose();
                }

                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), TestContext.Current.CancellationToken);
                var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {SpacetimeProcess.AdminToken}\r\n"
                           + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
                await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, TestContext.Current.CancellationToken);
                _sockets[i] = socket;
            }
        }

        public void Dispose()
        {
            foreach (var socket in _sockets)
            {
                socket?.Dispose();
            }
        }
    }
}
