using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpaceTime.Cli.Tests.Commands;

/// <summary>Security rules checked against the real process: tokens from the CLI, production gates, proxies.</summary>
public sealed class SecurityEndToEndTests
{
    private const string StrongSecret = "e2e-jwt-secret-6b1d9f3a7c5e2b8d4f0a6c1e9b3d7f2a";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TokenIssue_PrintsOnlyATokenThatTheRuntimeOnTheSameDataDirAccepts()
    {
        using var data = new TempFolder();
        await using var server = SpacetimeProcess.Start(new Dictionary<string, string> { ["API_TOKEN"] = "" }, "serve", "--http-port", "0", "--data-dir", data.Path);
        var port = await server.WaitForListeningPortAsync(StartTimeout);

        var (code, output) = await SpacetimeProcess.RunAsync(StartTimeout, "token", "issue", "--role", "readonly", "--ttl", "1h", "--subject", "e2e", "--data-dir", data.Path);

        Assert.Equal(0, code);
        var token = output.Trim();
        Assert.Matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var status = await http.GetFromJsonAsync<JsonElement>("/auth/status", TestContext.Current.CancellationToken);
        Assert.Equal("e2e", status.GetProperty("subject").GetString());
        Assert.Equal("readonly", status.GetProperty("role").GetString());
        var load = await http.PostAsJsonAsync("/scene", new { scene_path = "res://node_3d.tscn" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, load.StatusCode);
        Assert.DoesNotContain(token, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenIssue_WithUnknownRole_ExitsNonZeroNamingIt()
    {
        using var data = new TempFolder();
        var (code, output) = await SpacetimeProcess.RunAsync(StartTimeout, "token", "issue", "--role", "superuser", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("unknown role 'superuser'", output);
    }

    [Theory]
    [InlineData("REPLACE_WITH_SECURE_TOKEN_0123456789abcdef0123456789")]
    [InlineData("<GENERATE_NEW_256_BIT_SECRET>")]
    [InlineData("too-short")]
    public async Task Production_WithWeakJwtSecret_RefusesToStart(string secret)
    {
        using var data = new TempFolder();
        var environment = new Dictionary<string, string> { ["JWT_SECRET_KEY"] = secret, ["GODOT_ENABLE_HTTP_API"] = "true", ["API_TOKEN"] = "" };
        var (code, output) = await SpacetimeProcess.RunAsync(StartTimeout, environment, "serve", "--http-port", "0", "--environment", "production", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("JWT_SECRET_KEY", output);
        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_WithoutEnableHttpApi_RunsTheGameWithoutListening()
    {
        using var data = new TempFolder();
        var environment = new Dictionary<string, string> { ["JWT_SECRET_KEY"] = StrongSecret };
        await using var server = SpacetimeProcess.Start(environment, "serve", "--http-port", "0", "--environment", "production", "--data-dir", data.Path);

        await server.WaitForLineAsync(l => l.Contains("HTTP API is off", StringComparison.Ordinal), StartTimeout);

        Assert.DoesNotContain("HTTP API listening", server.Output);
        Assert.False(server.HasExited);
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Production_WithApiEnabled_GatesDebugAndWhitelistsOnlyVrMain()
    {
        using var data = new TempFolder();
        var environment = new Dictionary<string, string> { ["JWT_SECRET_KEY"] = StrongSecret, ["GODOT_ENABLE_HTTP_API"] = "true" };
        await using var server = SpacetimeProcess.Start(environment, "serve", "--http-port", "0", "--environment", "production", "--data-dir", data.Path);
        var port = await server.WaitForListeningPortAsync(StartTimeout);
        using var http = SpacetimeProcess.CreateClient(port);
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/debug/profile", ct)).StatusCode);
        var debugScene = await http.PostAsJsonAsync("/scene", new { scene_path = "res://tests/debug.tscn" }, ct);
        Assert.Equal(HttpStatusCode.Forbidden, debugScene.StatusCode);
        Assert.Contains("'production'", await debugScene.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/scene", new { scene_path = "res://vr_main.tscn" }, ct)).StatusCode);
        Assert.Contains("Security: environment production; authentication required", server.Output);

        var status = await http.GetStringAsync("/status", ct);
        Assert.DoesNotContain(SpacetimeProcess.AdminToken, status, StringComparison.Ordinal);
        Assert.DoesNotContain(StrongSecret, status, StringComparison.Ordinal);
        Assert.DoesNotContain("token", status, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(SpacetimeProcess.AdminToken, server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(StrongSecret, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardedFor_IsHonouredOnlyFromATrustedProxy()
    {
        using var data = new TempFolder();
        using var config = CopyConfig(c =>
        {
            c["test.json"]!["trusted_proxies"] = new JsonArray("127.0.0.1");
            c["security_test.json"]!["rate_limiting"]!["per_endpoint_limits"] = new JsonObject { ["/scene"] = 3 };
            c["security_test.json"]!["rate_limiting"]!["burst_multiplier"] = 1;
        });
        await using var server = SpacetimeProcess.Start("serve", "--http-port", "0", "--environment", "test", "--config-dir", config.Path, "--data-dir", data.Path);
        var port = await server.WaitForListeningPortAsync(StartTimeout);
        using var http = SpacetimeProcess.CreateClient(port);

        // Two clients behind the trusted proxy have a bucket each.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Get(http, "/scene", "203.0.113.10")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await Get(http, "/scene", "203.0.113.10")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(http, "/scene", "203.0.113.11")).StatusCode);

        var audit = await File.ReadAllLinesAsync(Path.Combine(data.Path, "audit", "audit.log"), TestContext.Current.CancellationToken);
        Assert.Contains(audit, l => l.Contains("\"client\":\"203.0.113.10\"", StringComparison.Ordinal) && l.Contains("RATE_LIMIT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ForwardedFor_FromAnUntrustedPeer_IsIgnored()
    {
        using var data = new TempFolder();
        using var config = CopyConfig(c =>
        {
            c["security_test.json"]!["rate_limiting"]!["per_endpoint_limits"] = new JsonObject { ["/scene"] = 2 };
            c["security_test.json"]!["rate_limiting"]!["burst_multiplier"] = 1;
        });
        await using var server = SpacetimeProcess.Start("serve", "--http-port", "0", "--environment", "test", "--config-dir", config.Path, "--data-dir", data.Path);
        var port = await server.WaitForListeningPortAsync(StartTimeout);
        using var http = SpacetimeProcess.CreateClient(port);

        Assert.Equal(HttpStatusCode.OK, (await Get(http, "/scene", "203.0.113.20")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(http, "/scene", "203.0.113.21")).StatusCode);
        var third = await Get(http, "/scene", "203.0.113.22");

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta?.TotalSeconds >= 1);
    }

    private static Task<HttpResponseMessage> Get(HttpClient http, string path, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A copy of the shipped config folder with some JSON files edited.</summary>
    internal static TempFolder CopyConfig(Action<Dictionary<string, JsonNode>> edit)
    {
        var folder = new TempFolder();
        var source = Path.Combine(AppContext.BaseDirectory, "config");
        var files = Directory.GetFiles(source, "*.json").ToDictionary(f => Path.GetFileName(f), f => JsonNode.Parse(File.ReadAllText(f))!);
        edit(files);
        foreach (var (name, json) in files)
        {
            File.WriteAllText(Path.Combine(folder.Path, name), json.ToJsonString());
        }

        return folder;
    }
}
