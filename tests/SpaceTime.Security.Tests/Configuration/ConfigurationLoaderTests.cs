using SpaceTime.Security.Configuration;

namespace SpaceTime.Security.Tests.Configuration;

/// <summary><see cref="ConfigurationLoader"/>: the documents' files and variables, sources, did-you-mean, warnings.</summary>
public sealed class ConfigurationLoaderTests : IDisposable
{
    private const string Strong = "0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly string _config = Directory.CreateTempSubdirectory("spacetime-config-").FullName;

    [Fact]
    public void Load_SeedsProductionFilesVerbatim_AreAcceptedAndHonoured()
    {
        CopySeeds();

        var loaded = Load("production", new() { ["JWT_SECRET_KEY"] = Strong });
        var s = loaded.Settings;

        Assert.True(s.Authentication.TokenRotationEnabled);
        Assert.Equal(72, s.Authentication.TokenRotationIntervalHours);
        Assert.Equal(120, s.Authentication.SessionTimeoutMinutes);
        Assert.Equal("readonly", s.Authorization.DefaultRole);
        Assert.Equal(5, s.RateLimiting.PerEndpointLimits["/scene/reload"]);
        Assert.Equal(90, s.Godot.PhysicsFps);
        Assert.Equal(60, s.Performance.Timeouts.SceneLoadTimeoutSeconds);
        Assert.Equal(ConfigurationSource.File(Path.Combine(_config, "security_production.json")), Value(loaded, "authentication.token_rotation_enabled").Source);
        // The rendering keys make no sense headless: one line for the file, naming them.
        var rendering = Assert.Single(loaded.Warnings, w => w.Contains("performance_production.json", StringComparison.Ordinal));
        Assert.Contains("godot.msaa", rendering, StringComparison.Ordinal);
        Assert.DoesNotContain("godot.physics_fps,", rendering, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("security_test.json", """{ "authentication": { "token_rotation_enable": true } }""", "authentication.token_rotation_enable", "token_rotation_enabled")]
    [InlineData("security_test.json", """{ "authorisation": { } }""", "authorisation", "authorization")]
    [InlineData("test.json", """{ "http_api": { "max_conections": 5 } }""", "http_api.max_conections", "max_connections")]
    [InlineData("performance_test.json", """{ "godot": { "physic_fps": 60 } }""", "godot.physic_fps", "physics_fps")]
    public void Load_UnknownKeyCloseToAKnownOne_SaysDidYouMean(string file, string json, string key, string suggestion)
    {
        File.WriteAllText(Path.Combine(_config, file), json);

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Equal(Path.Combine(_config, file), e.ConfigSource);
        Assert.Equal(key, e.Key);
        Assert.Contains($"unknown key (did you mean '{suggestion}'?)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownKeyFarFromAnyKnownOne_SaysUnknownOnly()
    {
        File.WriteAllText(Path.Combine(_config, "security_test.json"), """{ "authentication": { "favourite_colour": "blue" } }""");

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.EndsWith("authentication.favourite_colour: unknown key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SectionInTheWrongFile_NamesTheFileItBelongsIn()
    {
        File.WriteAllText(Path.Combine(_config, "test.json"), """{ "authorization": { "rbac_enabled": true } }""");

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("test"));

        Assert.Contains("belongs in security_test.json", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GODOT_LOG_LEVEL", "warn", "logging.level", "\"warn\"")]
    [InlineData("REQUEST_TIMEOUT_MS", "12000", "http_api.request_timeout_ms", "12000")]
    [InlineData("MAX_CONNECTIONS", "42", "http_api.max_connections", "42")]
    [InlineData("MAX_REQUEST_SIZE", "2097152", "http_api.max_request_size_mb", "2")]
    [InlineData("CORS_ALLOWED_METHODS", "get,post", "cors.allowed_methods", "[\"GET\",\"POST\"]")]
    [InlineData("CORS_ALLOW_CREDENTIALS", "true", "cors.allow_credentials", "true")]
    [InlineData("HTTP_API_ENABLE_CORS", "true", "cors.enabled", "true")]
    [InlineData("SCENE_WHITELIST", "res://vr_main.tscn,res://node_3d.tscn", "scene_whitelist", "\"res://vr_main.tscn,res://node_3d.tscn\"")]
    public void Load_DocumentedVariable_SetsItsKeyWithTheVariableAsSource(string variable, string value, string key, string json)
    {
        var loaded = Load("test", new() { [variable] = value });

        var effective = Value(loaded, key);
        Assert.Equal(json, effective.Value);
        Assert.Equal(ConfigurationSource.Variable(variable), effective.Source);
    }

    [Fact]
    public void Load_EnvironmentFromTheDocumentsVariable_IsShownWithItsSource_AndGodotEnvWins()
    {
        File.WriteAllText(Path.Combine(_config, "staging.json"), "{}");

        var alone = Load("staging", new() { ["ENVIRONMENT"] = "staging" });
        var both = Load("staging", new() { ["ENVIRONMENT"] = "production", ["GODOT_ENV"] = "staging" });

        Assert.Equal(ConfigurationSource.Variable("ENVIRONMENT"), Value(alone, "environment").Source);
        Assert.Equal(ConfigurationSource.Variable("GODOT_ENV"), Value(both, "environment").Source);
        Assert.Contains("ENVIRONMENT=production is ignored: GODOT_ENV=staging is set and wins", both.Warnings);
    }

    [Theory]
    [InlineData("HTTP_API_HTTPS", "TLS terminates at nginx")]
    [InlineData("ENABLE_PROFILING", "always on")]
    [InlineData("ENABLE_METRICS", "always served")]
    [InlineData("DOMAIN", "SPACETIME_DOMAIN")]
    [InlineData("DEBUG_MODE", "ENABLE_DEBUG_ENDPOINTS")]
    public void Load_DocumentedVariableWithNoUseHere_IsNamedInOneWarningSayingWhy(string variable, string reason)
    {
        var loaded = Load("test", new() { [variable] = "true" });

        var warning = Assert.Single(loaded.Warnings, w => w.StartsWith($"{variable} is ignored: ", StringComparison.Ordinal));
        Assert.Contains(reason, warning, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', warning);
    }

    [Fact]
    public void Load_EveryIgnoredVariableOfTheTable_IsWarnedAbout()
    {
        var ignored = EnvironmentVariableTable.All.Where(v => v.Use == VariableUse.Ignored).ToList();

        var loaded = Load("test", ignored.ToDictionary(v => v.Name, _ => "1"));

        Assert.All(ignored, v => Assert.Contains(loaded.Warnings, w => w.StartsWith($"{v.Name} is ignored", StringComparison.Ordinal)));
    }

    [Fact]
    public void Load_LaterLayerWins_VariableOverFileOverDefault()
    {
        File.WriteAllText(Path.Combine(_config, "test.json"), """{ "http_api": { "max_connections": 50, "request_timeout_ms": 2000 } }""");

        var loaded = Load("test", new() { ["MAX_CONNECTIONS"] = "60" });

        Assert.Equal(60, loaded.Settings.HttpApi.MaxConnections);
        Assert.Equal(ConfigurationSource.Variable("MAX_CONNECTIONS"), Value(loaded, "http_api.max_connections").Source);
        Assert.Equal(ConfigurationSource.File(Path.Combine(_config, "test.json")), Value(loaded, "http_api.request_timeout_ms").Source);
        Assert.Equal(ConfigurationSource.Default, Value(loaded, "audit.max_file_size_mb").Source);
    }

    [Fact]
    public void Load_Flag_WinsOverVariable_AndAMalformedOneNamesTheFlag()
    {
        var loaded = ConfigurationLoader.Load(_config, "development", name => name == "MAX_CONNECTIONS" ? "60" : null,
            ConfigurationLoader.ParseFlags(["http_api.max_connections=70"]));
        var malformed = Assert.Throws<SecurityConfigurationException>(() => ConfigurationLoader.ParseFlags(["http_api.max_connections"]));
        var unknown = Assert.Throws<SecurityConfigurationException>(() => ConfigurationLoader.Load(_config, "development", _ => null, ConfigurationLoader.ParseFlags(["http_api.max_conections=1"])));

        Assert.Equal(70, loaded.Settings.HttpApi.MaxConnections);
        Assert.Equal(ConfigurationSource.Flag("--set"), Value(loaded, "http_api.max_connections").Source);
        Assert.Equal("--set", malformed.ConfigSource);
        Assert.Equal("--set http_api.max_conections", unknown.ConfigSource);
        Assert.Contains("did you mean 'max_connections'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Secrets_AreRedactedInTheValues()
    {
        var loaded = Load("test", new() { ["JWT_SECRET_KEY"] = Strong, ["REDIS_URL"] = "redis://:hunter2hunter2@localhost:1/0" });

        Assert.DoesNotContain(loaded.Values, v => v.Value.Contains(Strong, StringComparison.Ordinal) || v.Value.Contains("hunter2", StringComparison.Ordinal));
        Assert.Equal("\"***\"", Value(loaded, "authentication.jwt_secret_key").Value);
        Assert.True(Value(loaded, "security.state").Secret);
    }

    [Fact]
    public void Load_MissingEnvironmentFile_WarnsWhichDefaultsApply_AndProductionRefuses()
    {
        var warned = Load("staging");
        var e = Assert.Throws<SecurityConfigurationException>(() => Load("production", new() { ["JWT_SECRET_KEY"] = Strong }));

        Assert.Contains(warned.Warnings, w => w.Contains("staging.json is missing: the built-in defaults apply", StringComparison.Ordinal));
        Assert.Equal(Path.Combine(_config, "production.json"), e.ConfigSource);
        Assert.Contains("does not start on built-in defaults", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rbac_enabled")]
    [InlineData("enforce_permissions")]
    public void Load_ProductionWithoutPermissionChecks_Refused(string key)
    {
        CopySeeds();
        File.WriteAllText(Path.Combine(_config, "security_production.json"), $$"""{ "authorization": { "{{key}}": false } }""");

        var e = Assert.Throws<SecurityConfigurationException>(() => Load("production", new() { ["JWT_SECRET_KEY"] = Strong }));

        Assert.Equal($"authorization.{key}", e.Key);
    }

    [Theory]
    [InlineData("abc", "def", 3)]
    [InlineData("token_rotation_enable", "token_rotation_enabled", 1)]
    [InlineData("", "ab", 2)]
    [InlineData("same", "same", 0)]
    public void Distance_IsTheLevenshteinDistance(string a, string b, int expected)
    {
        Assert.Equal(expected, ConfigurationLoader.Distance(a, b));
        Assert.Equal(expected, ConfigurationLoader.Distance(b, a));
    }

    public void Dispose() => Directory.Delete(_config, recursive: true);

    private void CopySeeds()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Seeds")))
        {
            File.Copy(file, Path.Combine(_config, Path.GetFileName(file)), overwrite: true);
        }
    }

    private EffectiveConfiguration Load(string environment, Dictionary<string, string>? variables = null)
    {
        if (environment == "test" && !File.Exists(Path.Combine(_config, "test.json")))
        {
            File.WriteAllText(Path.Combine(_config, "test.json"), "{}");
        }

        return ConfigurationLoader.Load(_config, environment, name => variables?.GetValueOrDefault(name));
    }

    private static ConfigurationValue Value(EffectiveConfiguration loaded, string key) => loaded.Values.Single(v => v.Key == key);
}
