using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace SpaceTime.Dashboard.Tests;

/// <summary>
/// What the pages stand on, over HTTP against a real <c>spacetime up</c>: pages open and data closed, the security
/// headers, <c>/auth/whoami</c>, the manager's lifecycle history and its <c>/telemetry</c> WebSocket proxy.
/// </summary>
public sealed class DashboardEndpointsTests(SpacetimeUp up) : IClassFixture<SpacetimeUp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("manager", "/")]
    [InlineData("manager", "/web/")]
    [InlineData("manager", "/web/index.html")]
    [InlineData("manager", "/web/js/operations.js")]
    [InlineData("manager", "/web/vendor/uplot/uPlot.iife.min.js")]
    [InlineData("manager", "/godot/web/scene_manager.html")]
    [InlineData("manager", "/godot/web/js/scene_manager.js")]
    [InlineData("manager", "/godot/web/")]
    [InlineData("game", "/web/")]
    [InlineData("game", "/web/scene_manager.html")]
    [InlineData("game", "/web/css/dashboard.css")]
    public async Task Page_NoToken_ServedWithTheSecurityHeaders(string host, string path)
    {
        using var anonymous = new HttpClient();

        using var response = await anonymous.GetAsync(Url(host, path), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("default-src 'self'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.True((await response.Content.ReadAsByteArrayAsync(Ct)).Length > 100);
    }

    [Theory]
    [InlineData("manager", "/web/scene_manager.html")]
    [InlineData("game", "/web/index.html")]
    [InlineData("game", "/web/js/operations.js")]
    [InlineData("manager", "/web/missing.js")]
    public async Task Page_NotThisHostsOrUnknown_NotFound(string host, string path)
    {
        using var anonymous = new HttpClient();

        using var response = await anonymous.GetAsync(Url(host, path), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/status")]
    [InlineData("GET", "/auth/whoami")]
    [InlineData("GET", "/godot/status")]
    [InlineData("GET", "/godot/auth/whoami")]
    [InlineData("POST", "/godot/web/scene_manager.html")]
    [InlineData("POST", "/restart")]
    public async Task Api_NoToken_Unauthorized(string method, string path)
    {
        using var anonymous = new HttpClient();

        using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), Url("manager", path)), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/auth/whoami")]
    [InlineData("/godot/auth/whoami")]
    public async Task WhoAmI_ReadonlyToken_NamesTheRoleAndItsPermissions(string path)
    {
        using var client = up.Client(up.ReadOnlyToken);

        var who = await client.GetFromJsonAsync<JsonElement>(path, Ct);

        Assert.Equal("readonly", who.GetProperty("role").GetString());
        Assert.Equal("dashboard-readonly", who.GetProperty("subject").GetString());
        var permissions = who.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains("state:read", permissions);
        Assert.DoesNotContain("scene:write", permissions);
        Assert.DoesNotContain("process:control", permissions);
        Assert.True(who.GetProperty("expires_at").TryGetDateTimeOffset(out _));
    }

    [Fact]
    public async Task Status_GameReady_CarriesTheLifecycleHistoryOldestFirst()
    {
        var status = await up.WaitForReadyAsync(TimeSpan.FromSeconds(60));

        var history = status.GetProperty("lifecycle_history").EnumerateArray().ToList();
        var steps = history.Select(t => $"{t.GetProperty("from").GetString()}→{t.GetProperty("to").GetString()}").ToList();
        Assert.Equal("STOPPED→STARTING", steps[0]);
        Assert.Equal("PLAYER_WAITING→READY", steps[^1]);
        Assert.Contains("STARTING→API_WAITING", steps);
        Assert.All(history, t => Assert.False(string.IsNullOrEmpty(t.GetProperty("reason").GetString())));
        var times = history.Select(t => t.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public async Task Telemetry_ThroughTheManager_AuthenticatesWithTheFirstMessageAndStreams()
    {
        await up.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{up.ManagerPort}/telemetry"), Ct);

        await SendAsync(socket, new { command = "authenticate", token = up.ReadOnlyToken });

        var connected = await ReceiveAsync(socket);
        Assert.Equal("connected", connected.GetProperty("event").GetString());
        Assert.Equal("readonly", connected.GetProperty("data").GetProperty("role").GetString());
        JsonElement fps;
        do
        {
            fps = await ReceiveAsync(socket);
        }
        while (fps.GetProperty("event").GetString() != "fps");

        Assert.True(fps.GetProperty("data").GetProperty("fps").GetDouble() > 0);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);
    }

    [Fact]
    public async Task Telemetry_ThroughTheManager_WrongTokenClosedWithPolicyViolation()
    {
        await up.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{up.ManagerPort}/telemetry"), Ct);

        await SendAsync(socket, new { command = "authenticate", token = "not-a-token" });

        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, Ct);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

    private string Url(string host, string path) => (host == "game" ? up.GameUrl : up.ManagerUrl) + path;

    private static Task SendAsync(ClientWebSocket socket, object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, Ct);

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var count = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), timeout.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            count += result.Count;
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, count)).RootElement.Clone();
            }
        }
    }
}
