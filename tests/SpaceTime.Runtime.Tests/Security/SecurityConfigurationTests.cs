using System.Text.Json.Nodes;
using SpaceTime.Security;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary><see cref="SecurityConfiguration.Load"/>: files, environment variables, validation and production gates.</summary>
public sealed class SecurityConfigurationTests : IDisposable
{
    private const string Strong = ConfiguredRuntimeFixture.StrongSecret;

    private readonly ConfigFolder _config = ConfigFolder.CopyOfShipped();

    [Theory]
    [InlineData("production")]
    [InlineData("staging")]
    [InlineData("development")]
    [InlineData("test")]
    public void Load_ShippedFiles_Succeeds(string environment)
    {
        var settings = Load(environment, new() { ["JWT_SECRET_KEY"] = Strong, ["GODOT_ENABLE_HTTP_API"] = "true" });

        Assert.Equal(environment, settings.Environment);
        Assert.True(settings.Authentication.Enabled);
        Assert.True(settings.RateLimiting.Enabled);
        Assert.False(settings.Cors.Enabled);
    }

    [Fact]
    public void Load_UnknownKeyInSecurityFile_NamesFileAndKeyPath()
    {
        _config.Edit("security_test.json", root => root["rate_limiting"]!["bogus"] = 5);

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Equal(_config.File("security_test.json"), e.ConfigSource);
        Assert.StartsWith("rate_limiting.bogus", e.Key, StringComparison.Ordinal);
        Assert.Contains(_config.File("security_test.json"), e.Message, StringComparison.Ordinal);
        Assert.Contains("rate_limiting.bogus", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownNestedKey_KeyIsExactPath()
    {
        _config.Edit("security_test.json", root => root["rate_limiting"]!["bogus"] = 5);

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Equal("rate_limiting.bogus", e.Key);
    }

    [Fact]
    public void Load_UnknownTopLevelKeyInEnvironmentFile_NamesFileAndKey()
    {
        _config.Edit("test.json", root => root["htp_api"] = new JsonObject());

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Equal(_config.File("test.json"), e.ConfigSource);
        Assert.Equal("htp_api", e.Key);
    }

    [Theory]
    [InlineData("security_test.json", "rate_limiting", "global_requests_per_minute", "\"lots\"")]
    [InlineData("security_test.json", "authentication", "enabled", "\"yes please\"")]
    [InlineData("test.json", "http_api", "max_request_size_mb", "[1]")]
    [InlineData("test.json", "audit", "retention_days", "1.5")]
    public void Load_WrongTypeInFile_NamesFileAndKey(string file, string section, string key, string json)
    {
        _config.Edit(file, root => root[section]![key] = JsonNode.Parse(json));

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Equal(_config.File(file), e.ConfigSource);
        Assert.Equal($"{section}.{key}", e.Key);
    }

    [Theory]
    [InlineData("security_test.json", "rate_limiting", "burst_multiplier", "0.5")]
    [InlineData("security_test.json", "rate_limiting", "global_requests_per_minute", "0")]
    [InlineData("security_test.json", "authentication", "token_expiry_seconds", "10")]
    [InlineData("test.json", "http_api", "max_request_size_mb", "0")]
    [InlineData("test.json", "http_api", "max_connections_per_client", "0")]
    [InlineData("test.json", "http_api", "request_headers_timeout_ms", "50")]
    [InlineData("test.json", "http_api", "keep_alive_timeout_ms", "10")]
    [InlineData("test.json", "http_api", "min_request_body_bytes_per_second", "-1")]
    [InlineData("test.json", "http_api", "max_concurrent_requests", "0")]
    [InlineData("test.json", "http_api", "request_queue_limit", "-1")]
    [InlineData("test.json", "http_api", "request_queue_timeout_ms", "60001")]
    [InlineData("test.json", "cors", "allowed_origins", "[\"not a url\"]")]
    [InlineData("test.json", "trusted_proxies", null, "[\"proxy.example.com\"]")]
    public void Load_OutOfRangeValueInFile_NamesFileAndKey(string file, string section, string? key, string json)
    {
        _config.Edit(file, root =>
        {
            if (key is null)
            {
                root[section] = JsonNode.Parse(json);
            }
            else
            {
                root[section]![key] = JsonNode.Parse(json);
            }
        });

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Equal(_config.File(file), e.ConfigSource);
        Assert.Equal(key is null ? section : $"{section}.{key}", e.Key);
    }

    [Fact]
    public void Load_PerEndpointLimitKeyWithoutSlash_NamesKey()
    {
        _config.SetRateLimits("test", new Dictionary<string, int> { ["scene"] = 5 });

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Equal("rate_limiting.per_endpoint_limits.scene", e.Key);
    }

    [Fact]
    public void Load_BrokenJson_NamesFile()
    {
        _config.Write("security_test.json", """{ "authentication": { "enabled": true, """);

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Equal(_config.File("security_test.json"), e.ConfigSource);
    }

    [Theory]
    [InlineData("AUTH_REQUIRED", "maybe")]
    [InlineData("ENABLE_RATE_LIMITING", "perhaps")]
    [InlineData("AUDIT_LOG_ENABLED", "2")]
    [InlineData("ENABLE_DEBUG_ENDPOINTS", "sometimes")]
    [InlineData("GODOT_ENABLE_HTTP_API", "enabled")]
    [InlineData("JWT_TOKEN_EXPIRY", "1h")]
    [InlineData("JWT_TOKEN_EXPIRY", "5")]
    [InlineData("RATE_LIMIT_PER_IP", "0")]
    [InlineData("AUDIT_LOG_RETENTION_DAYS", "-1")]
    [InlineData("MAX_REQUEST_SIZE_MB", "huge")]
    [InlineData("MAX_REQUEST_SIZE_MB", "0")]
    public void Load_BadEnvironmentVariable_NamesVariable(string variable, string value)
    {
        var e = Assert.Throws<SecurityConfigurationException>(() => Load("development", new() { [variable] = value }));

        Assert.Equal(variable, e.ConfigSource);
        Assert.Contains(variable, e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownEnvironment_Throws()
    {
        Assert.Throws<SecurityConfigurationException>(() => Load("prod"));
    }

    [Fact]
    public void Load_EnvironmentVariables_OverrideFiles()
    {
        var settings = Load("test", new()
        {
            ["RATE_LIMIT_PER_IP"] = "30",
            ["RATE_LIMIT_WINDOW"] = "30",
            ["JWT_TOKEN_EXPIRY"] = "7200",
            ["CORS_ALLOWED_ORIGINS"] = "https://a.example.com, https://b.example.com",
            ["MAX_REQUEST_SIZE_MB"] = "2.5",
            ["AUDIT_LOG_RETENTION_DAYS"] = "9",
            ["ENABLE_DEBUG_ENDPOINTS"] = "false",
        });

        Assert.Equal(60, settings.RateLimiting.GlobalRequestsPerMinute);
        Assert.Equal(7200, settings.Authentication.TokenExpirySeconds);
        Assert.True(settings.Cors.Enabled);
        Assert.Equal(["https://a.example.com", "https://b.example.com"], settings.Cors.AllowedOrigins);
        Assert.Equal(2.5, settings.HttpApi.MaxRequestSizeMb);
        Assert.Equal(9, settings.Audit.RetentionDays);
        Assert.False(settings.Debug.EnableDebugEndpoints);
    }

    [Fact]
    public void Load_ProductionWithoutJwtSecret_Refused()
    {
        var e = Assert.Throws<SecurityConfigurationException>(() => Load("production", new() { ["GODOT_ENABLE_HTTP_API"] = "true" }));

        Assert.Equal("JWT_SECRET_KEY", e.Key);
    }

    [Fact]
    public void Load_ProductionShortSecret_Refused()
    {
        var e = Assert.Throws<SecurityConfigurationException>(() => Load("production", new() { ["JWT_SECRET_KEY"] = Strong[..31] }));

        Assert.Equal("JWT_SECRET_KEY", e.Key);
        Assert.Contains("32 bytes", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("JWT_SECRET_KEY", "REPLACE_WITH_SECURE_TOKEN_0123456789abcdef")]
    [InlineData("JWT_SECRET_KEY", "<GENERATE_NEW_256_BIT_SECRET_0123456789abcdef>")]
    [InlineData("JWT_SECRET_KEY", "your_secret_here_0123456789abcdef0123456789")]
    [InlineData("JWT_SECRET_KEY", "  REPLACE_WITH_SECURE_TOKEN_0123456789abcdef  ")]
    [InlineData("API_TOKEN", "REPLACE_WITH_SECURE_TOKEN_0123456789abcdef")]
    [InlineData("API_TOKEN", "your-api-token-goes-here-0123456789abcdef")]
    [InlineData("JWT_SECRET_KEY", "changeme-changeme-changeme-changeme-1234")]
    [InlineData("JWT_SECRET_KEY", "secret-key-for-production-use-only-123456")]
    [InlineData("JWT_SECRET_KEY", "Password1234567890Password1234567890")]
    public void Load_ProductionPlaceholderSecret_RefusedAsPlaceholder(string variable, string placeholder)
    {
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(placeholder.Trim()) >= 32);
        var variables = new Dictionary<string, string> { ["JWT_SECRET_KEY"] = Strong, [variable] = placeholder };

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("production", variables));

        Assert.Equal(variable, e.Key);
        Assert.Contains("placeholder", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ProductionShortApiToken_Refused()
    {
        var e = Assert.Throws<SecurityConfigurationException>(() => Load("production", new() { ["JWT_SECRET_KEY"] = Strong, ["API_TOKEN"] = "short-token" }));

        Assert.Equal("API_TOKEN", e.Key);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    public void Load_ProductionAuthNotRequired_Refused(string value)
    {
        var e = Assert.Throws<SecurityConfigurationException>(() => Load("production", new() { ["JWT_SECRET_KEY"] = Strong, ["AUTH_REQUIRED"] = value }));

        Assert.Equal("AUTH_REQUIRED", e.Key);
    }

    [Fact]
    public void Load_ProductionAuthDisabledInFile_Refused()
    {
        _config.Edit("security_production.json", root => root["authentication"]!["enabled"] = false);

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("production", new() { ["JWT_SECRET_KEY"] = Strong }));

        Assert.Equal("AUTH_REQUIRED", e.Key);
    }

    [Fact]
    public void Load_Production_DebugOffAndApiOffUnlessEnabled()
    {
        _config.Edit("production.json", root => root["debug"]!["enable_debug_endpoints"] = true);

        var off = Load("production", new() { ["JWT_SECRET_KEY"] = Strong, ["ENABLE_DEBUG_ENDPOINTS"] = "true" });
        var on = Load("production", new() { ["JWT_SECRET_KEY"] = Strong, ["GODOT_ENABLE_HTTP_API"] = "true" });
        var explicitlyOff = Load("production", new() { ["JWT_SECRET_KEY"] = Strong, ["GODOT_ENABLE_HTTP_API"] = "false" });

        Assert.False(off.Debug.EnableDebugEndpoints);
        Assert.False(off.HttpApi.Enabled);
        Assert.True(on.HttpApi.Enabled);
        Assert.False(on.Debug.EnableDebugEndpoints);
        Assert.False(explicitlyOff.HttpApi.Enabled);
    }

    [Theory]
    [InlineData("development", null, true)]
    [InlineData("development", "0", false)]
    [InlineData("development", "false", false)]
    [InlineData("staging", "0", false)]
    [InlineData("test", "1", true)]
    [InlineData("test", "TRUE", true)]
    public void Load_GodotEnableHttpApi_TurnsApiOnOrOff(string environment, string? value, bool enabled)
    {
        var variables = value is null ? new Dictionary<string, string>() : new() { ["GODOT_ENABLE_HTTP_API"] = value };

        Assert.Equal(enabled, Load(environment, variables).HttpApi.Enabled);
    }

    [Theory]
    [InlineData("jwt_secret_key")]
    [InlineData("api_token")]
    [InlineData("metrics_token")]
    public void Load_SecretInFile_IsRefusedNamingTheKey(string key)
    {
        _config.Edit("security_test.json", root => root["authentication"]![key] = Strong);

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Equal($"authentication.{key}", e.Key);
        Assert.Contains("environment variable", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Strong, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REPLACE_WITH_SECURE_TOKEN", true)]
    [InlineData("<GENERATE_NEW_256_BIT_SECRET>", true)]
    [InlineData("your_secret_here", true)]
    [InlineData("changeme", true)]
    [InlineData("ChangeMe-0123456789abcdef0123456789abcdef", true)]
    [InlineData("secretsecretsecretsecretsecretsecret", true)]
    [InlineData("password-0123456789abcdef0123456789", true)]
    [InlineData("", true)]
    [InlineData(Strong, false)]
    [InlineData("yourself-is-not-a-placeholder-0123456789", false)]
    public void IsPlaceholder_DocumentedPlaceholders_Detected(string value, bool placeholder)
    {
        Assert.Equal(placeholder, SecurityConfiguration.IsPlaceholder(value));
    }

    public void Dispose() => _config.Dispose();

    private SecuritySettings Load(string environment, Dictionary<string, string>? variables = null) =>
        SecurityConfiguration.Load(_config.Path, environment, key => variables?.GetValueOrDefault(key));
}

/// <summary>The runtime itself refuses to start on unsafe production settings.</summary>
public sealed class ProductionStartupTests
{
    [Theory]
    [InlineData("REPLACE_WITH_SECURE_TOKEN_0123456789abcdef")]
    [InlineData("<GENERATE_NEW_256_BIT_SECRET_0123456789abcdef>")]
    [InlineData("too-short")]
    public async Task Start_ProductionWithUnsafeSecret_RefusedNamingVariable(string secret)
    {
        await using var runtime = new UnsafeProductionFixture(secret);

        var e = Assert.ThrowsAny<Exception>(() => runtime.Server);

        var configuration = Flatten(e).OfType<SecurityConfigurationException>().FirstOrDefault();
        Assert.True(configuration is not null, $"expected a SecurityConfigurationException, got {e}");
        Assert.Equal("JWT_SECRET_KEY", configuration.Key);
    }

    private static IEnumerable<Exception> Flatten(Exception e) =>
        e is AggregateException a
            ? a.InnerExceptions.SelectMany(Flatten).Prepend(e)
            : e.InnerException is { } inner ? Flatten(inner).Prepend(e) : [e];

    private sealed class UnsafeProductionFixture(string secret) : ConfiguredRuntimeFixture(
        "production",
        settings: new Dictionary<string, string> { ["JWT_SECRET_KEY"] = secret, ["GODOT_ENABLE_HTTP_API"] = "true" },
        scene: "none");
}
