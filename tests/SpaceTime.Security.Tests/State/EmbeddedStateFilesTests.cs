using System.Text.Json;
using SpaceTime.Security.State;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.Tests.State;

/// <summary>The data dir's state files: migration from earlier versions, and damage that must stop start-up.</summary>
public sealed class EmbeddedStateFilesTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("spacetime-state-files-").FullName;

    private string SecurityDir => Directory.CreateDirectory(Path.Combine(_dataDir, "security")).FullName;

    [Theory]
    [InlineData("tokens.json", "{}")]
    [InlineData("tokens.json", "null")]
    [InlineData("tokens.json", "[]")]
    [InlineData("tokens.json", "")]
    [InlineData("tokens.json", "{\"Revoked\":[],\"Sessions\":{}}")]
    [InlineData("signing-keys.json", "[]")]
    [InlineData("signing-keys.json", "null")]
    [InlineData("signing-keys.json", "{}")]
    [InlineData("signing-keys.json", "[{\"Id\":\"k-1\"}]")]
    public void Open_DamagedLegacyFile_RefusesNamingTheFileAndWhatToDo(string file, string content)
    {
        var path = Path.Combine(SecurityDir, file);
        File.WriteAllText(path, content);

        var e = Assert.Throws<SecurityConfigurationException>(() => SecurityStateStores.OpenEmbedded(_dataDir, new AuthenticationSettings(), TimeProvider.System));

        Assert.Equal(path, e.ConfigSource);
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
        Assert.Contains("backup", e.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Fact]
    public void Open_DamagedStateDatabase_RefusesNamingIt()
    {
        var path = Path.Combine(SecurityDir, SqliteSecurityStateStore.FileName);
        File.WriteAllText(path, "this is not a database, just text that happens to sit where one should be");

        var e = Assert.Throws<SecurityConfigurationException>(() => SecurityStateStores.OpenEmbedded(_dataDir, new AuthenticationSettings(), TimeProvider.System));

        Assert.Equal(path, e.ConfigSource);
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_LegacyFiles_MigratesRevocationsSessionsAndKeysOnce()
    {
        var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var now = DateTimeOffset.UtcNow;
        var exp = now.AddHours(1).ToUnixTimeSeconds();
        File.WriteAllText(Path.Combine(SecurityDir, "signing-keys.json"),
            JsonSerializer.Serialize(new[] { new { Id = "k-legacy", Secret = Convert.ToBase64String(secret), CreatedAt = now, ValidUntil = (DateTimeOffset?)null } }));
        File.WriteAllText(Path.Combine(SecurityDir, "tokens.json"), JsonSerializer.Serialize(new
        {
            Revoked = new Dictionary<string, long> { ["revoked-jti"] = exp },
            Sessions = new Dictionary<string, object[]> { ["alice"] = [new { Jti = "kept-jti", ExpiresAt = exp, IssuedAt = now.ToUnixTimeSeconds() }] },
        }));
        var key = new SigningKey("k-legacy", secret, now, null);
        var revoked = JwtCodec.Encode(new TokenClaims("alice", "admin", "revoked-jti", now.ToUnixTimeSeconds(), exp), key);
        var kept = JwtCodec.Encode(new TokenClaims("alice", "admin", "kept-jti", now.ToUnixTimeSeconds(), exp), key);

        using (var tokens = new TokenService(_dataDir, new AuthenticationSettings(), TimeProvider.System))
        {
            Assert.Equal(TokenFailure.Revoked, tokens.Validate(revoked).Failure);
            Assert.True(tokens.Validate(kept).Succeeded);
            Assert.Equal("k-legacy", tokens.Keys.Current.Id);
        }

        Assert.False(File.Exists(Path.Combine(SecurityDir, "tokens.json")));
        Assert.True(File.Exists(Path.Combine(SecurityDir, "tokens.json.migrated")));
        using var again = new TokenService(_dataDir, new AuthenticationSettings(), TimeProvider.System);
        Assert.Equal(TokenFailure.Revoked, again.Validate(revoked).Failure);
    }

    [Fact]
    public void StateDatabase_IsOwnerReadWriteOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
            return;
        }

        using var tokens = new TokenService(_dataDir, new AuthenticationSettings(), TimeProvider.System);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokens.Keys.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(SecurityDir));
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
