using SpaceTime.Security.State;

namespace SpaceTime.Security.Tests.State;

/// <summary>Connecting to Redis: passwords work and are never shown; an unreachable server stops start-up naming it.</summary>
public sealed class RedisConnectionTests : IDisposable
{
    private const string Password = "s3cret-redis-password-7f2c9e";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("spacetime-redis-conn-").FullName;

    [Fact]
    public async Task Open_WithPasswordInRedisUrl_ConnectsAndNeverShowsThePassword()
    {
        await using var redis = await RedisServer.StartAsync(Password);
        var settings = SecurityConfiguration.Load(Path.Combine(AppContext.BaseDirectory, "no-config"), "development",
            name => name == "REDIS_URL" ? redis.Url : null);

        using var store = SecurityStateStores.Open(_dataDir, settings, TimeProvider.System);

        Assert.Equal("redis", store.Backend);
        Assert.Equal("pass", store.Health.Status);
        Assert.NotEmpty(store.View.Keys);
        Assert.DoesNotContain(Password, store.Location + store.Health.Message + settings.Redis, StringComparison.Ordinal);
        Assert.Equal($"127.0.0.1:{redis.Port}", settings.Redis!.ToString());
    }

    [Fact]
    public async Task Open_WrongPassword_RefusesNamingTheServerButNotThePassword()
    {
        await using var redis = await RedisServer.StartAsync(Password);
        var settings = new SecuritySettings { Redis = new RedisSettings("127.0.0.1", redis.Port, null, "wrong-" + Password, false, 0) };

        var e = Assert.Throws<SecurityConfigurationException>(() => SecurityStateStores.Open(_dataDir, settings, TimeProvider.System));

        Assert.Contains($"127.0.0.1:{redis.Port}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NothingListening_RefusesNamingTheServerAndTheWayOut()
    {
        var port = LoopbackPort.Free();
        var settings = new SecuritySettings { Redis = new RedisSettings("127.0.0.1", port, null, null, false, 0) };

        var e = Assert.Throws<SecurityConfigurationException>(() => SecurityStateStores.Open(_dataDir, settings, TimeProvider.System));

        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("REDIS_URL", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:6379")]
    [InlineData("cache.internal:6379")]
    [InlineData("redis://:pw@host:6379/99")]
    public void Load_BadRedisUrl_NamesTheVariableNotItsValue(string url)
    {
        var e = Assert.Throws<SecurityConfigurationException>(() => SecurityConfiguration.Load(Path.Combine(AppContext.BaseDirectory, "no-config"), "development",
            name => name == "REDIS_URL" ? url : null));

        Assert.Equal("REDIS_URL", e.ConfigSource);
        Assert.DoesNotContain(url, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RedisHostPortAndPassword_BuildTheSettings()
    {
        var variables = new Dictionary<string, string> { ["REDIS_HOST"] = "cache.internal", ["REDIS_PORT"] = "6380", ["REDIS_PASSWORD"] = Password };

        var settings = SecurityConfiguration.Load(Path.Combine(AppContext.BaseDirectory, "no-config"), "development", n => variables.GetValueOrDefault(n));

        Assert.Equal(new RedisSettings("cache.internal", 6380, null, Password, false, 0), settings.Redis);
        Assert.Equal("cache.internal:6380", settings.Redis!.ToString());
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
