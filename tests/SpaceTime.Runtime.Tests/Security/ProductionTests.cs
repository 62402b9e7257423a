using System.Net;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>
/// <c>production</c> with a strong <c>JWT_SECRET_KEY</c> and <c>GODOT_ENABLE_HTTP_API=true</c>, on a private config copy
/// (rate limits raised so the tests here do not trip them; <c>/debug</c> and <c>/execute</c> stay off).
/// </summary>
public sealed class ProductionRuntimeFixture() : ConfiguredRuntimeFixture(
    "production",
    config => config.SetRateLimits("production", new Dictionary<string, int>
    {
        ["/scene"] = 1000, ["/admin"] = 1000, ["/auth"] = 1000, ["/debug"] = 0, ["/execute"] = 0,
    }),
    new Dictionary<string, string> { ["JWT_SECRET_KEY"] = StrongSecret, ["GODOT_ENABLE_HTTP_API"] = "true" });

/// <summary>The production gates in process: the scene whitelist, whitelist administration, debug endpoints.</summary>
public sealed class ProductionTests(ProductionRuntimeFixture runtime) : IClassFixture<ProductionRuntimeFixture>
{
    private const string StrongSecret = ConfiguredRuntimeFixture.StrongSecret;

    private readonly HttpClient _admin = runtime.CreateClient();

    [Fact]
    public async Task PostScene_TestSceneInProduction_Returns403NamingEnvironment()
    {
        using var response = await _admin.PostJsonAsync("/scene", """{"scene_path":"res://tests/debug.tscn"}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("'production'", problem.Str("message"), StringComparison.Ordinal);
        Assert.Equal("production", problem.Str("environment"));
        Assert.Equal("res://tests/debug.tscn", problem.Str("scene_path"));
        var scene = await _admin.GetJsonAsync("/scene");
        Assert.NotEqual("res://tests/debug.tscn", scene.GetProperty("scene_path").GetString());
        Assert.Contains(SecurityHttp.ReadAuditLines(runtime.AuditFile), l =>
            l.Str("result") == "WHITELIST_VIOLATION" && l.GetProperty("status").GetInt32() == 403 && l.Str("endpoint") == "/scene"
            && l.Str("details").StartsWith("res://tests/debug.tscn", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("res://tests//debug.tscn")]
    [InlineData("res://./tests/debug.tscn")]
    [InlineData("res://scenes/menu.tscn")]
    [InlineData("res://node_3d.tscn")]
    public async Task PostScene_OtherScenesInProduction_Returns403(string path)
    {
        using var response = await _admin.PostJsonAsync("/scene", $$"""{"scene_path":"{{path}}"}""");

        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task PostScene_MainSceneInProduction_Returns200()
    {
        using var response = await _admin.PostJsonAsync("/scene", """{"scene_path":"res://vr_main.tscn"}""");

        var loaded = await response.ReadJsonAsync();
        Assert.Equal("res://vr_main.tscn", loaded.Str("scene"));
    }

    [Fact]
    public async Task PostAdminWhitelistReload_SceneAddedToFile_AllowedWithoutRestart()
    {
        var arena = runtime.WriteProjectFile("levels/arena.tscn", File.ReadAllText(Path.Combine(runtime.ProjectPath, "scenes", "menu.tscn")));
        using (var before = await _admin.PostJsonAsync("/scene", $$"""{"scene_path":"{{arena}}"}"""))
        {
            await before.ReadProblemAsync(HttpStatusCode.Forbidden);
        }

        runtime.Config.Edit("scene_whitelist.json", root => root["environments"]!["production"]!["scenes"]!.AsArray().Add(arena));
        using (var reload = await _admin.PostJsonAsync("/admin/whitelist/reload"))
        {
            var snapshot = await reload.ReadJsonAsync();
            Assert.Contains(arena, snapshot.GetProperty("scenes").EnumerateArray().Select(s => s.GetString()));
        }

        using var after = await _admin.PostJsonAsync("/scene", $$"""{"scene_path":"{{arena}}"}""");
        Assert.Equal(arena, (await after.ReadJsonAsync()).Str("scene"));
    }

    [Theory]
    [InlineData("{ this is not json")]
    [InlineData("""{"environments":{"production":{"scenes":["res://../etc/passwd.tscn"]}}}""")]
    [InlineData("""{"environments":{"production":{"scenes":[],"bogus":1}}}""")]
    public async Task PostAdminWhitelistReload_BrokenFile_Returns422AndRulesInForceStay(string broken)
    {
        var original = File.ReadAllText(runtime.Config.WhitelistFile);
        var before = (await _admin.GetJsonAsync("/admin/whitelist")).GetRawText();
        try
        {
            runtime.Config.Write("scene_whitelist.json", broken);

            using var reload = await _admin.PostJsonAsync("/admin/whitelist/reload");

            await reload.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.Equal(before, (await _admin.GetJsonAsync("/admin/whitelist")).GetRawText());
            using var refused = await _admin.PostJsonAsync("/scene", """{"scene_path":"res://tests/debug.tscn"}""");
            await refused.ReadProblemAsync(HttpStatusCode.Forbidden);
        }
        finally
        {
            runtime.Config.Write("scene_whitelist.json", original);
        }
    }

    [Fact]
    public async Task GetAdminWhitelist_Admin_ShowsProductionRules()
    {
        var snapshot = await _admin.GetJsonAsync("/admin/whitelist");

        Assert.Equal("production", snapshot.Str("environment"));
        Assert.Contains("res://vr_main.tscn", snapshot.GetProperty("scenes").EnumerateArray().Select(s => s.GetString()));
        Assert.Empty(snapshot.GetProperty("directories").EnumerateArray());
    }

    [Fact]
    public async Task GetAdminWhitelist_Developer_Returns403()
    {
        var developer = runtime.CreateClient((await _admin.IssueTokenAsync("developer")).Value);

        using var response = await developer.GetAsync("/admin/whitelist", TestContext.Current.CancellationToken);

        await response.AssertForbiddenAsync("whitelist:manage", "developer");
    }

    [Theory]
    [InlineData("/debug")]
    [InlineData("/debug/anything")]
    [InlineData("/debug/profile")]
    [InlineData("/DEBUG/profile")]
    public async Task GetDebug_ProductionEvenWithAdminToken_Returns404(string path)
    {
        using var response = await _admin.GetAsync(path, TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetStatusAndHealth_Production_CarryNoTokenOrSecret()
    {
        foreach (var path in new[] { "/status", "/health", "/auth/status" })
        {
            using var response = await _admin.GetAsync(path, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(RuntimeApiFixture.AdminToken, body, StringComparison.Ordinal);
            Assert.DoesNotContain(StrongSecret, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task JwtSecretFromEnvironment_NeverWrittenToDataDir()
    {
        await _admin.IssueTokenAsync("readonly");

        foreach (var file in Directory.EnumerateFiles(runtime.DataDir, "*", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain(StrongSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(StrongSecret)), text, StringComparison.Ordinal);
            Assert.DoesNotContain(RuntimeApiFixture.AdminToken, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AuditLog_Startup_StatesProductionEnvironment()
    {
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(runtime.AuditFile)), e => e, "the audit log");
        var startup = SecurityHttp.ReadAuditLines(runtime.AuditFile).First(l => l.Str("result") == "STARTUP");

        Assert.Contains("environment production", startup.Str("details"), StringComparison.Ordinal);
        Assert.Contains("authentication required", startup.Str("details"), StringComparison.Ordinal);
    }
}

/// <summary>The production preflight with no CORS configured.</summary>
public sealed class ProductionCorsTests(ProductionRuntimeFixture runtime) : IClassFixture<ProductionRuntimeFixture>
{
    [Fact]
    public async Task Preflight_ProductionWithoutCorsConfig_NoAllowOrigin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/status");
        request.Headers.Add("Origin", "https://app.example.com");
        request.Headers.Add("Access-Control-Request-Method", "GET");

        using var response = await runtime.CreateAnonymousClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
