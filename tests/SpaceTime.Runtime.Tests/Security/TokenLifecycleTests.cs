using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>The test environment with at most two live tokens per subject.</summary>
public sealed class SessionLimitRuntimeFixture() : ConfiguredRuntimeFixture(
    "test",
    config => config.Edit("security_test.json", root => root["authentication"]!["max_concurrent_sessions"] = 2),
    scene: "none");

/// <summary>Session limits, key rotation, and what survives a restart.</summary>
public sealed class TokenLifecycleTests(SessionLimitRuntimeFixture runtime) : IClassFixture<SessionLimitRuntimeFixture>
{
    private readonly HttpClient _admin = runtime.CreateClient();

    [Fact]
    public async Task PostAuthToken_BeyondMaxConcurrentSessions_RevokesOldest()
    {
        var first = await _admin.IssueTokenAsync("readonly", subject: "kiosk");
        var second = await _admin.IssueTokenAsync("readonly", subject: "kiosk");
        var other = await _admin.IssueTokenAsync("readonly", subject: "other-kiosk");
        await runtime.CreateClient(first.Value).GetJsonAsync("/auth/status");

        var third = await _admin.IssueTokenAsync("readonly", subject: "kiosk");

        using var rejected = await runtime.CreateClient(first.Value).GetAsync("/auth/status", TestContext.Current.CancellationToken);
        await rejected.AssertUnauthorizedAsync("token_revoked");
        await runtime.CreateClient(second.Value).GetJsonAsync("/auth/status");
        await runtime.CreateClient(third.Value).GetJsonAsync("/auth/status");
        await runtime.CreateClient(other.Value).GetJsonAsync("/auth/status");
    }

    [Fact]
    public async Task PostAuthRotate_OldKeyInGrace_OldTokensStillWorkAndNewTokensUseNewKey()
    {
        var before = await _admin.IssueTokenAsync("developer");
        var oldKid = KeyId(before.Value);

        using var rotate = await _admin.PostJsonAsync("/auth/rotate");
        var rotated = await rotate.ReadJsonAsync();
        var after = await _admin.IssueTokenAsync("developer");

        Assert.Equal("rotated", rotated.Str("status"));
        Assert.NotEqual(oldKid, rotated.Str("key_id"));
        Assert.True(rotated.GetProperty("valid_keys").GetInt32() >= 2);
        Assert.Equal(rotated.Str("key_id"), KeyId(after.Value));
        await runtime.CreateClient(before.Value).GetJsonAsync("/auth/status");
        await runtime.CreateClient(after.Value).GetJsonAsync("/auth/status");
        var status = await _admin.GetJsonAsync("/auth/status");
        Assert.Equal(rotated.Str("key_id"), status.Str("current_key_id"));
    }

    [Fact]
    public async Task PostAuthRotate_Developer_Returns403()
    {
        var developer = runtime.CreateClient((await _admin.IssueTokenAsync("developer")).Value);
        var keyBefore = runtime.Services.GetRequiredService<TokenService>().Keys.Current.Id;

        using var response = await developer.PostJsonAsync("/auth/rotate");

        await response.AssertForbiddenAsync("auth:manage", "developer");
        Assert.Equal(keyBefore, runtime.Services.GetRequiredService<TokenService>().Keys.Current.Id);
    }

    [Fact]
    public async Task SecurityStateDatabase_Generated_IsOwnerReadWriteOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
            return;
        }

        await _admin.IssueTokenAsync("guest");
        var file = runtime.Services.GetRequiredService<TokenService>().Keys.FilePath;

        Assert.StartsWith(runtime.DataDir, file, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        Assert.EndsWith("state.db", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondRuntime_SameDataDir_KeepsRevocationsAndSigningKey()
    {
        var project = RuntimeApiFixture.CopyDemoProject();
        var data = RuntimeApiFixture.NewTempFolder("data");
        try
        {
            SecurityHttp.Token revoked, kept;
            await using (var first = new RuntimeApiFixture(project, data, "none", ownsFolders: false))
            {
                await first.InitializeAsync();
                var admin = first.CreateClient();
                revoked = await admin.IssueTokenAsync("developer");
                kept = await admin.IssueTokenAsync("developer");
                using var revoke = await admin.PostJsonAsync("/auth/revoke", $$"""{"jti":"{{revoked.Jti}}"}""");
                await revoke.ReadJsonAsync();
            }

            await using var second = new RuntimeApiFixture(project, data, "none", ownsFolders: false);
            await second.InitializeAsync();

            await second.CreateClient(kept.Value).GetJsonAsync("/auth/status");
            using var rejected = await second.CreateClient(revoked.Value).GetAsync("/auth/status", TestContext.Current.CancellationToken);
            await rejected.AssertUnauthorizedAsync("token_revoked");
        }
        finally
        {
            Directory.Delete(project, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

    private static string KeyId(string token)
    {
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[0]));
        return header.RootElement.Str("kid");
    }
}
