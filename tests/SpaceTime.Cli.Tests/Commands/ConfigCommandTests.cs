using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpaceTime.Cli.Tests.Commands;

/// <summary>
/// <c>spacetime config show/check</c>, and the documents' files and variables through real <c>spacetime serve</c> processes:
/// the seeds' production blocks start a production runtime, scheduled rotation changes the key, variables are honoured or warned about.
/// </summary>
public sealed class ConfigCommandTests : IDisposable
{
    private const string StrongSecret = "config-jwt-secret-8c2e4a6f1b3d5f7a9c0e2b4d6f8a1c3e";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly TempFolder _config = new();
    private readonly TempFolder _data = new();

    public ConfigCommandTests()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "config")))
        {
            File.Copy(file, Path.Combine(_config.Path, Path.GetFileName(file)));
        }
    }

    [Fact]
    public async Task Show_Json_GivesEachValueItsSource_AndNeverASecret()
    {
        var environment = new Dictionary<string, string>
        {
            ["MAX_CONNECTIONS"] = "42",
            ["JWT_SECRET_KEY"] = StrongSecret,
            ["REDIS_URL"] = "redis://:redis-password-in-url@127.0.0.1:1/0",
        };

        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout, environment,
            "config", "show", "--json", "--environment", "test", "--config-dir", _config.Path, "--set", "http_api.request_timeout_ms=9000");

        Assert.Equal(0, code);
        var values = JsonNode.Parse(output)!["values"]!.AsArray().ToDictionary(v => (string)v!["key"]!, v => (Value: v!["value"]?.ToJsonString(), Source: (string)v["source"]!));
        Assert.Equal(("42", "env:MAX_CONNECTIONS"), values["http_api.max_connections"]);
        Assert.Equal(("9000", "flag:--set"), values["http_api.request_timeout_ms"]);
        Assert.Equal(("true", $"file:{Path.Combine(_config.Path, "security_test.json")}"), values["rate_limiting.enabled"]);
        Assert.Equal(("\"readonly\"", "default"), values["authorization.default_role"]);
        Assert.Equal(("\"test\"", "flag:--environment"), values["environment"]);
        Assert.Equal(("\"***\"", "env:JWT_SECRET_KEY"), values["authentication.jwt_secret_key"]);
        Assert.Equal(("\"***\"", "env:API_TOKEN"), values["authentication.api_token"]);
        Assert.Equal(("\"***\"", "env:REDIS_URL"), values["security.state"]);
        Assert.DoesNotContain(StrongSecret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(SpacetimeProcess.AdminToken, output, StringComparison.Ordinal);
        Assert.DoesNotContain("redis-password-in-url", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Text_IsOneLinePerKeyEndingWithTheSource()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout, new Dictionary<string, string> { ["GODOT_LOG_LEVEL"] = "warn" },
            "config", "show", "--environment", "development", "--config-dir", _config.Path);

        Assert.Equal(0, code);
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("logging.level ", StringComparison.Ordinal));
        Assert.Matches(@"^logging\.level\s+""warn""\s+env:GODOT_LOG_LEVEL$", line);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("authentication.enabled ", StringComparison.Ordinal) && l.EndsWith($"file:{Path.Combine(_config.Path, "security_development.json")}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_ShippedConfig_ExitsZeroNamingTheFilesRead()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout, "config", "check", "--environment", "staging", "--config-dir", _config.Path);

        Assert.Equal(0, code);
        Assert.Contains("configuration valid: environment staging; staging.json, security_staging.json", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_TypoInAKey_ExitsOneWithOneLineNamingFileKeyAndTheKnownKey()
    {
        Edit("security_staging.json", root => root["authentication"]!["token_rotation_enable"] = true);

        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout, "config", "check", "--environment", "staging", "--config-dir", _config.Path);

        Assert.Equal(1, code);
        Assert.Equal(
            $"spacetime: error: invalid configuration: {Path.Combine(_config.Path, "security_staging.json")}: authentication.token_rotation_enable: unknown key (did you mean 'token_rotation_enabled'?)",
            output.Trim());
    }

    [Fact]
    public async Task Check_BadVariable_ExitsOneNamingTheVariableAndKey()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(RunTimeout, new Dictionary<string, string> { ["REQUEST_TIMEOUT_MS"] = "soon" },
            "config", "check", "--environment", "development", "--config-dir", _config.Path);

        Assert.Equal(1, code);
        Assert.Equal("spacetime: error: invalid configuration: REQUEST_TIMEOUT_MS: http_api.request_timeout_ms: 'soon' is not a whole number", output.Trim());
    }

    [Fact]
    public async Task Check_ProductionWithoutSecret_FailsUnlessSkipSecrets()
    {
        var (refused, refusal) = await SpacetimeProcess.RunAsync(RunTimeout, "config", "check", "--environment", "production", "--config-dir", _config.Path);
        var (accepted, _) = await SpacetimeProcess.RunAsync(RunTimeout, new Dictionary<string, string> { ["API_TOKEN"] = "" },
            "config", "check", "--environment", "production", "--config-dir", _config.Path, "--skip-secrets");

        Assert.Equal(1, refused);
        Assert.Contains("JWT_SECRET_KEY", refusal, StringComparison.Ordinal);
        Assert.Equal(0, accepted);
    }

    [Fact]
    public async Task Check_MissingProductionFile_Refuses_OtherEnvironmentsWarn()
    {
        File.Delete(Path.Combine(_config.Path, "production.json"));
        File.Delete(Path.Combine(_config.Path, "staging.json"));
        var secrets = new Dictionary<string, string> { ["JWT_SECRET_KEY"] = StrongSecret };

        var (production, refusal) = await SpacetimeProcess.RunAsync(RunTimeout, secrets, "config", "check", "--environment", "production", "--config-dir", _config.Path);
        var (staging, warning) = await SpacetimeProcess.RunAsync(RunTimeout, secrets, "config", "check", "--environment", "staging", "--config-dir", _config.Path);

        Assert.Equal(1, production);
        Assert.Contains("production.json: $: the file is missing", refusal, StringComparison.Ordinal);
        Assert.Equal(0, staging);
        Assert.Contains("spacetime: warning: " + Path.Combine(_config.Path, "staging.json") + " is missing: the built-in defaults apply", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SeedsProductionBlocksVerbatim_StartProductionAndStateWhatIsIgnored()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Seeds")))
        {
            File.Copy(file, Path.Combine(_config.Path, Path.GetFileName(file)), overwrite: true);
        }

        var environment = new Dictionary<string, string> { ["JWT_SECRET_KEY"] = StrongSecret, ["GODOT_ENABLE_HTTP_API"] = "true", ["HTTP_API_HTTPS"] = "true" };
        await using var server = SpacetimeProcess.Start(environment,
            "serve", "--http-port", "0", "--environment", "production", "--config-dir", _config.Path, "--data-dir", _data.Path);
        var port = await server.WaitForListeningPortAsync(RunTimeout);
        using var http = SpacetimeProcess.CreateClient(port);
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/auth/status", ct)).StatusCode);
        // authorization.default_role: a token asked for without a role is readonly, and may not load scenes.
        var issued = await http.PostAsJsonAsync("/auth/token", new { subject = "seeds" }, ct);
        Assert.Equal("readonly", JsonNode.Parse(await issued.Content.ReadAsStringAsync(ct))!["role"]!.GetValue<string>());
        Assert.Contains("Security: environment production; authentication required", server.Output, StringComparison.Ordinal);
        Assert.Contains("Configuration: HTTP_API_HTTPS is ignored: spacetime serves plain HTTP on 127.0.0.1", server.Output, StringComparison.Ordinal);
        Assert.Contains("performance_production.json: godot.target_fps, godot.vsync_enabled, godot.msaa, godot.fxaa_enabled, godot.taa_enabled, optimization.", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_RotationOnSchedule_ChangesTheCurrentKeyId()
    {
        Edit("security_development.json", root =>
        {
            root["authentication"]!["token_rotation_enabled"] = true;
            root["authentication"]!["token_rotation_interval_hours"] = 0.001; // 3.6 s
            root["authentication"]!["key_rotation_grace_minutes"] = 0;
        });
        await using var server = SpacetimeProcess.Start("serve", "--http-port", "0", "--environment", "development", "--config-dir", _config.Path, "--data-dir", _data.Path);
        var port = await server.WaitForListeningPortAsync(RunTimeout);
        using var http = SpacetimeProcess.CreateClient(port);
        async Task<string> CurrentKey() =>
            JsonNode.Parse(await http.GetStringAsync("/auth/status", TestContext.Current.CancellationToken))!["current_key_id"]!.GetValue<string>();
        var first = await CurrentKey();

        var next = await Poll.UntilAsync(CurrentKey, id => id != first, "the scheduled rotation", TimeSpan.FromSeconds(30));

        // The log line is written after the new key is stored, and the output is read asynchronously: wait for it.
        var logged = await server.WaitForLineAsync(line => line.Contains("Signing key rotated on schedule", StringComparison.Ordinal), RunTimeout);

        Assert.StartsWith("k-", next, StringComparison.Ordinal);
        Assert.Contains("rotated on schedule: k-", logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_DocumentedVariables_AreHonoured()
    {
        var port = LoopbackPort.Free();
        var environment = new Dictionary<string, string>
        {
            ["GODOT_LOG_LEVEL"] = "error",
            ["MAX_REQUEST_SIZE"] = "1024",
            ["SCENE_WHITELIST"] = "res://vr_main.tscn",
            ["HTTP_API_ENABLE_CORS"] = "true",
            ["CORS_ALLOWED_ORIGINS"] = "https://app.example.com",
            ["CORS_ALLOWED_METHODS"] = "GET,POST",
            ["CORS_ALLOW_CREDENTIALS"] = "true",
        };
        await using var server = SpacetimeProcess.Start(environment,
            "serve", "--http-port", $"{port}", "--environment", "development", "--config-dir", _config.Path, "--data-dir", _data.Path, "--set", "godot.physics_fps=45");
        using var http = SpacetimeProcess.CreateClient(port);
        var ct = TestContext.Current.CancellationToken;
        await Poll.UntilAsync(async () => await Health(http), ok => ok, "the runtime's /health", RunTimeout);
        var status = JsonNode.Parse(await http.GetStringAsync("/status", ct))!;

        var large = await http.PostAsJsonAsync("/scene", new { scene_path = "res://vr_main.tscn", padding = new string('x', 2048) }, ct);
        var notListed = await http.PostAsJsonAsync("/scene", new { scene_path = "res://node_3d.tscn" }, ct);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/status");
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var cors = await http.SendAsync(preflight, ct);

        Assert.Equal(45, status["engine"]!["tick_rate"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notListed.StatusCode);
        Assert.Contains("true", cors.Headers.GetValues("Access-Control-Allow-Credentials"));
        Assert.Equal("GET,POST", string.Join(',', cors.Headers.GetValues("Access-Control-Allow-Methods")));
        // GODOT_LOG_LEVEL=error: none of the start-up information lines.
        Assert.DoesNotContain("Security: environment", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP API listening", server.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _config.Dispose();
        _data.Dispose();
    }

    private static async Task<bool> Health(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private void Edit(string file, Action<JsonNode> edit)
    {
        var path = Path.Combine(_config.Path, file);
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        edit(root);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
