using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;

namespace SpaceTime.Cli.Tests.Commands;

/// <summary>
/// The shared security state between real processes: the manager and its game on one data dir, and two
/// <c>spacetime serve</c> sharing a real Redis. Changes through one are in force in the other within a second.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SharedStateEndToEndTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ManagerAndGame_RevokeAndRotateThroughTheGame_AreInForceAtTheManagerWithinOneSecond()
    {
        using var data = new TempFolder();
        var (port, godotPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--data-dir", data.Path, "--check-interval", "1");
        using var admin = SpacetimeProcess.CreateClient(port);
        await WaitHealthyAsync(admin, manager);
        var ct = TestContext.Current.CancellationToken;

        var token = await SharedStateClients.IssueAsync(admin, "/godot/auth/token");
        using var holder = admin.WithToken(token);
        using (var before = await holder.GetAsync("/status", ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var revoke = await holder.PostAsJsonAsync("/godot/auth/revoke", new { }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        await SharedStateClients.UntilStatusAsync(() => holder.GetAsync("/status", ct), HttpStatusCode.Unauthorized, "the manager refusing the revoked token", OneSecond);
        using (var restart = await holder.PostAsync("/restart", null, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, restart.StatusCode);
            Assert.Equal("token_revoked", (await restart.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("reason").GetString());
        }

        using (var rotate = await admin.PostAsync("/godot/auth/rotate", null, ct))
        {
            Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        }

        var signedWithNewKey = await SharedStateClients.IssueAsync(admin, "/godot/auth/token", "readonly");
        using var reader = admin.WithToken(signedWithNewKey);
        await SharedStateClients.UntilStatusAsync(() => reader.GetAsync("/status", ct), HttpStatusCode.OK, "the manager accepting a token signed with the rotated key", OneSecond);
    }

    [Fact]
    public async Task NoisyClientBehindTheManager_IsLimitedAndBannedAlone_AndTheBanCanBeLifted()
    {
        using var data = new TempFolder();
        var config = SharedStateClients.WriteConfig(data.Path, perMinute: 20, trustedProxies: "127.0.0.4");
        var (port, godotPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        var environment = new Dictionary<string, string> { ["GODOT_ENV"] = "test", ["SPACETIME_CONFIG_DIR"] = config };
        await using var manager = SpacetimeProcess.Start(environment, "manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--data-dir", Path.Combine(data.Path, "data"), "--check-interval", "1");
        using var quiet = SharedStateClients.From("127.0.0.3", port);
        await WaitHealthyAsync(quiet, manager);
        var ct = TestContext.Current.CancellationToken;
        using var noisy = SharedStateClients.From("127.0.0.2", port);

        var answers = new List<HttpStatusCode>();
        while (answers.Count < 40 && answers.LastOrDefault() != HttpStatusCode.Forbidden)
        {
            using var response = await noisy.GetAsync("/godot/status", ct);
            answers.Add(response.StatusCode);
        }

        // One budget of 20 (the game's, for this client alone), then 429s, then the ban; a 21st when the requests took
        // over the 3 s in which the bucket refills one token (20 a minute).
        Assert.InRange(answers.Count(a => a == HttpStatusCode.OK), 20, 21);
        Assert.Equal(HttpStatusCode.Forbidden, answers[^1]);
        using (var other = await quiet.GetAsync("/godot/status", ct))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        foreach (var probe in new[] { "/health", "/livez", "/godot/health" })
        {
            using var health = await noisy.GetAsync(probe, ct);
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"{probe} must never be limited or banned, got {(int)health.StatusCode}");
        }

        // The ban is the manager's too (one state), and the client cannot talk its way out of it.
        await SharedStateClients.UntilStatusAsync(() => noisy.GetAsync("/status", ct), HttpStatusCode.Forbidden, "the manager applying the game's ban", OneSecond);

        using (var spoofed = new HttpRequestMessage(HttpMethod.Get, "/godot/status"))
        {
            spoofed.Headers.Add("X-Forwarded-For", "198.51.100.1");
            spoofed.Headers.Add("X-SpaceTime-Proxy", "guess");
            using var response = await noisy.SendAsync(spoofed, ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var direct = SharedStateClients.From("127.0.0.2", godotPort))
        using (var spoofed = new HttpRequestMessage(HttpMethod.Get, "/status"))
        {
            spoofed.Headers.Add("X-Forwarded-For", "198.51.100.1");
            using var response = await direct.SendAsync(spoofed, ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var bans = await quiet.JsonAsync("/godot/admin/bans");
        Assert.Contains(bans.GetProperty("bans").EnumerateArray(), b => b.GetProperty("client").GetString() == "127.0.0.2");
        Assert.DoesNotContain(bans.GetProperty("bans").EnumerateArray(), b => b.GetProperty("client").GetString() is "127.0.0.1" or "127.0.0.3");

        using (var lift = await quiet.DeleteAsync("/admin/bans/127.0.0.2", ct))
        {
            Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        }

        await SharedStateClients.UntilStatusAsync(() => noisy.GetAsync("/godot/status", ct), HttpStatusCode.OK, "the lifted client reaching the game", OneSecond);

        // nginx (127.0.0.4, trusted) → manager → game: limits and bans land on nginx's client, not on nginx.
        using (var nginx = SharedStateClients.From("127.0.0.4", port))
        {
            await SharedStateClients.UntilStatusAsync(
                () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, "/godot/status");
                    request.Headers.Add("X-Forwarded-For", "203.0.113.9");
                    return nginx.SendAsync(request, ct);
                },
                HttpStatusCode.Forbidden, "the client behind nginx to be banned", TimeSpan.FromSeconds(10));
            using var own = await nginx.GetAsync("/godot/status", ct);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        // Listed by the manager too (its view of the shared state is at most a quarter of a second old). Polled every
        // 100 ms: the quiet client's own budget on the manager's /admin is 20 a minute.
        var deadline = DateTime.UtcNow + OneSecond;
        var sent = DateTime.UtcNow;
        var afterNginx = await quiet.JsonAsync("/admin/bans");
        while (!afterNginx.GetProperty("bans").EnumerateArray().Any(b => b.GetProperty("client").GetString() == "203.0.113.9"))
        {
            // Only an answer to a request sent after the second is late.
            Assert.True(sent < deadline, $"the manager does not list the ban of 203.0.113.9: {afterNginx}");
            await Task.Delay(100, ct);
            sent = DateTime.UtcNow;
            afterNginx = await quiet.JsonAsync("/admin/bans");
        }

        Assert.DoesNotContain(afterNginx.GetProperty("bans").EnumerateArray(), b => b.GetProperty("client").GetString() == "127.0.0.4");
    }

    [Fact]
    public async Task ManagerHealth_RedisStopped_SaysDegradedButStays200()
    {
        await using var redis = await RedisServer.StartAsync();
        using var data = new TempFolder();
        var environment = new Dictionary<string, string> { ["GODOT_ENV"] = "test", ["REDIS_URL"] = redis.Url };
        var (port, godotPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start(environment, "manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--data-dir", data.Path, "--check-interval", "1");
        using var http = SharedStateClients.From("127.0.0.3", port);
        await WaitHealthyAsync(http, manager);
        var ct = TestContext.Current.CancellationToken;
        var before = await http.GetFromJsonAsync<JsonElement>("/health", ct);
        Assert.Equal(("healthy", "pass"), (before.GetProperty("server").GetString(), before.GetProperty("redis").GetProperty("status").GetString()));

        await redis.StopAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await http.GetAsync("/health", ct);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            if (body.GetProperty("redis").GetProperty("status").GetString() == "warn")
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("degraded", body.GetProperty("server").GetString());
                Assert.DoesNotContain("password", body.GetProperty("redis").GetProperty("message").GetString()!, StringComparison.OrdinalIgnoreCase);
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the manager's /health never said redis: warn: {body}");
            await Task.Delay(50, ct);
        }
    }

    [Fact]
    public async Task TelemetryThroughTheManager_CapsConnectionsPerClient_NotPerManager()
    {
        using var data = new TempFolder();
        var environment = new Dictionary<string, string> { ["GODOT_ENV"] = "test", ["SpaceTime__Telemetry__MaxConnectionsPerAddress"] = "2" };
        var (port, godotPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start(environment, "manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--data-dir", data.Path, "--check-interval", "1");
        using var quiet = SharedStateClients.From("127.0.0.3", port);
        await WaitHealthyAsync(quiet, manager);
        var ct = TestContext.Current.CancellationToken;

        // Every socket reaches the game from the manager; the game must still count them per real client.
        using var first = await TelemetryFirstMessageAsync("127.0.0.2", port, ct);
        using var second = await TelemetryFirstMessageAsync("127.0.0.2", port, ct);
        using var third = await TelemetryFirstMessageAsync("127.0.0.2", port, ct);
        using var other = await TelemetryFirstMessageAsync("127.0.0.5", port, ct);

        Assert.Equal(WebSocketMessageType.Text, first.Received.MessageType);
        Assert.Equal(WebSocketMessageType.Text, second.Received.MessageType);
        Assert.Equal(WebSocketMessageType.Close, third.Received.MessageType);
        Assert.Equal((WebSocketCloseStatus)1013, third.Socket.CloseStatus);
        Assert.Equal(WebSocketMessageType.Text, other.Received.MessageType);
    }

    /// <summary>A telemetry WebSocket through the manager's <c>/telemetry</c> from <paramref name="sourceAddress"/>, authenticated with its first message.</summary>
    private static async Task<TelemetrySocket> TelemetryFirstMessageAsync(string sourceAddress, int port, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, ct) =>
            {
                var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                tcp.Bind(new IPEndPoint(IPAddress.Parse(sourceAddress), 0));
                await tcp.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(tcp, ownsSocket: true);
            },
        });
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/telemetry"), invoker, cancellationToken);
        var authenticate = System.Text.Encoding.UTF8.GetBytes($$"""{"command":"authenticate","token":"{{SpacetimeProcess.AdminToken}}"}""");
        await socket.SendAsync(authenticate, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        var buffer = new byte[64 * 1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        return new TelemetrySocket(socket, received);
    }

    private sealed record TelemetrySocket(ClientWebSocket Socket, WebSocketReceiveResult Received) : IDisposable
    {
        public void Dispose() => Socket.Dispose();
    }

    [Fact]
    public async Task TwoServeInstancesSharingRedis_ShareTokensRevocationsBudgetsAndBans()
    {
        await using var redis = await RedisServer.StartAsync();
        using var data = new TempFolder();
        var config = SharedStateClients.WriteConfig(data.Path, perMinute: 20);
        await using var a = StartServe(redis, config, Path.Combine(data.Path, "a"));
        await using var b = StartServe(redis, config, Path.Combine(data.Path, "b"));
        var (portA, portB) = (await a.WaitForListeningPortAsync(StartTimeout), await b.WaitForListeningPortAsync(StartTimeout));
        var ct = TestContext.Current.CancellationToken;
        using var adminA = SpacetimeProcess.CreateClient(portA);
        using var adminB = SpacetimeProcess.CreateClient(portB);
        Assert.Equal("redis", (await adminB.JsonAsync("/status")).GetProperty("storage").GetProperty("state").GetString());

        // A token issued by A works on B; revoked on A, refused by B within a second.
        var token = await SharedStateClients.IssueAsync(adminA, "/auth/token", "readonly");
        using var onB = adminB.WithToken(token);
        using (var accepted = await onB.GetAsync("/status", ct))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using (var revoke = await adminA.WithToken(token).PostAsJsonAsync("/auth/revoke", new { }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        await SharedStateClients.UntilStatusAsync(() => onB.GetAsync("/status", ct), HttpStatusCode.Unauthorized, "B refusing the token revoked on A", OneSecond);

        // Rotation on A: a token signed with the new key verifies on B.
        using (var rotate = await adminA.PostAsync("/auth/rotate", null, ct))
        {
            Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        }

        var fresh = await SharedStateClients.IssueAsync(adminA, "/auth/token", "readonly");
        await SharedStateClients.UntilStatusAsync(() => adminB.WithToken(fresh).GetAsync("/status", ct), HttpStatusCode.OK, "B accepting a token signed with A's new key", OneSecond);

        // One budget per client across both instances: alternating, refused after about 20, not 40.
        using var clientOnA = SharedStateClients.From("127.0.0.2", portA);
        using var clientOnB = SharedStateClients.From("127.0.0.2", portB);
        var allowed = 0;
        for (var i = 0; i < 40; i++)
        {
            using var response = await (i % 2 == 0 ? clientOnA : clientOnB).GetAsync("/status", ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                break;
            }

            allowed++;
        }

        Assert.InRange(allowed, 20, 21);

        // A ban earned on A applies on B; lifted on B, it is lifted on A.
        using var noisyOnA = SharedStateClients.From("127.0.0.3", portA);
        using var noisyOnB = SharedStateClients.From("127.0.0.3", portB);
        await SharedStateClients.UntilStatusAsync(() => noisyOnA.GetAsync("/status", ct), HttpStatusCode.Forbidden, "A banning the noisy client", TimeSpan.FromSeconds(10));
        await SharedStateClients.UntilStatusAsync(() => noisyOnB.GetAsync("/status", ct), HttpStatusCode.Forbidden, "B applying A's ban", OneSecond);
        using (var lift = await adminB.DeleteAsync("/admin/bans/127.0.0.3", ct))
        {
            Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        }

        await SharedStateClients.UntilStatusAsync(() => noisyOnA.GetAsync("/status", ct), HttpStatusCode.OK, "A lifting the ban lifted on B", OneSecond);
    }

    [Fact]
    public async Task RedisStoppedAndStarted_ValidTokensKeepWorking_HealthWarns_ThenResynchronises()
    {
        await using var redis = await RedisServer.StartAsync();
        using var data = new TempFolder();
        var config = SharedStateClients.WriteConfig(data.Path, perMinute: 100_000);
        await using var a = StartServe(redis, config, Path.Combine(data.Path, "a"));
        await using var b = StartServe(redis, config, Path.Combine(data.Path, "b"));
        var (portA, portB) = (await a.WaitForListeningPortAsync(StartTimeout), await b.WaitForListeningPortAsync(StartTimeout));
        var ct = TestContext.Current.CancellationToken;
        using var adminA = SpacetimeProcess.CreateClient(portA);
        using var adminB = SpacetimeProcess.CreateClient(portB);
        var valid = await SharedStateClients.IssueAsync(adminA, "/auth/token", "readonly");
        var revoked = await SharedStateClients.IssueAsync(adminA, "/auth/token", "readonly", "revoked");
        using (var revoke = await adminA.WithToken(revoked).PostAsJsonAsync("/auth/revoke", new { }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        await SharedStateClients.UntilStatusAsync(() => adminB.WithToken(revoked).GetAsync("/status", ct), HttpStatusCode.Unauthorized, "B refusing the revoked token", OneSecond);

        await redis.StopAsync();

        var degraded = await PollHealthAsync(adminB, h => h.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString() == "warn");
        Assert.Equal("degraded", degraded.GetProperty("status").GetString());
        for (var i = 0; i < 20; i++)
        {
            using var ok = await adminB.WithToken(valid).GetAsync("/status", ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            using var refused = await adminB.WithToken(revoked).GetAsync("/status", ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var noToken = await new HttpClient { BaseAddress = adminB.BaseAddress }.GetAsync("/status", ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        }

        await redis.StartAgainAsync();

        await PollHealthAsync(adminA, h => h.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString() == "pass");
        await PollHealthAsync(adminB, h => h.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString() == "pass");
        // Redis came back empty (no persistence): the instances wrote back what they knew.
        using (var ok = await adminB.WithToken(valid).GetAsync("/status", ct))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var revoke = await adminB.WithToken(valid).PostAsJsonAsync("/auth/revoke", new { }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        await SharedStateClients.UntilStatusAsync(() => adminA.WithToken(valid).GetAsync("/status", ct), HttpStatusCode.Unauthorized, "A refusing a token revoked on B after the outage", OneSecond);
        using (var stillRevoked = await adminA.WithToken(revoked).GetAsync("/status", ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stillRevoked.StatusCode);
        }

        Assert.Single(b.Output.Split('\n'), l => l.Contains("is unreachable", StringComparison.Ordinal));
        Assert.DoesNotContain("requirepass", a.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_KilledWithSigkillWhileRevoking_KeepsEveryAcknowledgedRevocation()
    {
        using var data = new TempFolder();
        await using var server = SpacetimeProcess.Start("serve", "--http-port", "0", "--data-dir", data.Path);
        var port = await server.WaitForListeningPortAsync(StartTimeout);
        using var admin = SpacetimeProcess.CreateClient(port);
        var ct = TestContext.Current.CancellationToken;
        var tokens = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            tokens.Add(await SharedStateClients.IssueAsync(admin, "/auth/token", "readonly", $"victim-{i}"));
        }

        // Revoke from several clients at once and kill the server in the middle of it.
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var revokes = tokens.Select(async token =>
        {
            try
            {
                using var response = await admin.WithToken(token).PostAsJsonAsync("/auth/revoke", new { }, ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add(token);
                }
            }
            catch (HttpRequestException)
            {
                // Killed before it answered: not acknowledged, may or may not be revoked.
            }
        }).ToList();
        while (acknowledged.Count < 5)
        {
            await Task.Delay(1, ct);
        }

        System.Diagnostics.Process.GetProcessById(server.Id).Kill();
        await Task.WhenAll(revokes);

        // The state opens cleanly (integrity checked) and refuses every token whose revocation was acknowledged.
        using var state = new SpaceTime.Security.Tokens.TokenService(data.Path, new SpaceTime.Security.AuthenticationSettings(), TimeProvider.System);
        Assert.NotEmpty(acknowledged);
        Assert.All(acknowledged, token => Assert.Equal(SpaceTime.Security.Tokens.TokenFailure.Revoked, state.Validate(token).Failure));
    }

    [Theory]
    [InlineData("tokens.json", "{}")]
    [InlineData("tokens.json", "null")]
    [InlineData("signing-keys.json", "[]")]
    public async Task Serve_DamagedStateFile_RefusesToStartNamingTheFile(string file, string content)
    {
        using var data = new TempFolder();
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(data.Path, "security")).FullName, file);
        await File.WriteAllTextAsync(path, content, TestContext.Current.CancellationToken);

        var (code, output) = await SpacetimeProcess.RunAsync(StartTimeout, "serve", "--http-port", "0", "--data-dir", data.Path);

        Assert.NotEqual(0, code);
        Assert.Contains(path, output, StringComparison.Ordinal);
        Assert.Contains("damaged", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static SpacetimeProcess StartServe(RedisServer redis, string config, string dataDir) => SpacetimeProcess.Start(
        new Dictionary<string, string> { ["REDIS_URL"] = redis.Url, ["GODOT_ENV"] = "test", ["SPACETIME_CONFIG_DIR"] = config },
        "serve", "--http-port", "0", "--data-dir", dataDir);

    private static async Task<JsonElement> PollHealthAsync(HttpClient client, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var response = await client.GetAsync("/health", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var health = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            if (done(health))
            {
                return health;
            }

            Assert.True(DateTime.UtcNow < deadline, $"/health did not reach the expected state: {health}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static async Task WaitHealthyAsync(HttpClient http, SpacetimeProcess manager)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/health", TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.False(manager.HasExited, $"the manager exited:\n{manager.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"the manager was not healthy within {StartTimeout}:\n{manager.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
