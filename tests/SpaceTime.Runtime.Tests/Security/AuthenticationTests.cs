using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>Bearer authentication: the checklist's 401 cases, JWT failures, and the token endpoints.</summary>
public sealed class AuthenticationTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _admin = runtime.CreateClient();

    private TokenService Tokens => runtime.Services.GetRequiredService<TokenService>();

    [Fact]
    public async Task GetScene_NoAuthorizationHeader_Returns401MissingToken()
    {
        using var response = await runtime.CreateAnonymousClient().GetAsync("/scene", TestContext.Current.CancellationToken);

        await response.AssertUnauthorizedAsync("missing_token");
    }

    [Fact]
    public async Task GetScene_InvalidBearerToken_Returns401()
    {
        using var response = await _admin.GetWithAuthorizationAsync("/scene", "Bearer invalid_token_12345");

        await response.AssertUnauthorizedAsync("malformed_token");
    }

    [Fact]
    public async Task GetScene_SchemeIsNotBearer_Returns401InvalidFormat()
    {
        using var response = await _admin.GetWithAuthorizationAsync("/scene", "InvalidFormat");

        await response.AssertUnauthorizedAsync("invalid_format");
    }

    [Fact]
    public async Task GetScene_StaticTokenWithBasicScheme_Returns401InvalidFormat()
    {
        using var response = await _admin.GetWithAuthorizationAsync("/scene", "Basic " + RuntimeApiFixture.AdminToken);

        await response.AssertUnauthorizedAsync("invalid_format");
    }

    [Fact]
    public async Task GetScene_ExpiredJwt_Returns401TokenExpired()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = JwtCodec.Encode(new TokenClaims("old-client", "admin", "expired-jti", now - 7200, now - 60), Tokens.Keys.Current);

        using var response = await runtime.CreateClient(token).GetAsync("/scene", TestContext.Current.CancellationToken);

        await response.AssertUnauthorizedAsync("token_expired");
    }

    [Fact]
    public async Task GetScene_JwtSignedWithAnotherKey_Returns401InvalidSignature()
    {
        var current = Tokens.Keys.Current;
        var forged = current with { Secret = RandomNumberGenerator.GetBytes(32) };
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = JwtCodec.Encode(new TokenClaims("mallory", "admin", "forged-jti", now, now + 3600), forged);

        using var response = await runtime.CreateClient(token).GetAsync("/scene", TestContext.Current.CancellationToken);

        await response.AssertUnauthorizedAsync("invalid_signature");
    }

    [Fact]
    public async Task GetScene_JwtWithUnknownKeyId_Returns401InvalidSignature()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var stranger = new SigningKey("k-stranger", RandomNumberGenerator.GetBytes(32), DateTimeOffset.UtcNow, null);
        var token = JwtCodec.Encode(new TokenClaims("mallory", "admin", "stranger-jti", now, now + 3600), stranger);

        using var response = await runtime.CreateClient(token).GetAsync("/scene", TestContext.Current.CancellationToken);

        await response.AssertUnauthorizedAsync("invalid_signature");
    }

    [Theory]
    [InlineData("none", false)]
    [InlineData("none", true)]
    [InlineData("None", true)]
    [InlineData("HS512", true)]
    [InlineData("RS256", true)]
    public async Task GetScene_TokenWithOtherAlgorithm_Returns401(string algorithm, bool signWithRealKey)
    {
        // With the real key, the signature is valid HMAC-SHA256: only the algorithm check can refuse it.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"{{algorithm}}","typ":"JWT","kid":"{{Tokens.Keys.Current.Id}}"}"""));
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"sub":"mallory","role":"admin","jti":"alg-{{algorithm}}","iat":{{now}},"exp":{{now + 3600}}}"""));
        var signature = signWithRealKey
            ? Base64Url.EncodeToString(HMACSHA256.HashData(Tokens.Keys.Current.Secret, Encoding.ASCII.GetBytes($"{header}.{payload}")))
            : "";

        using var response = await runtime.CreateClient($"{header}.{payload}.{signature}").GetAsync("/scene", TestContext.Current.CancellationToken);

        await response.AssertUnauthorizedAsync("malformed_token");
    }

    [Fact]
    public async Task GetScene_JwtWithUnknownRole_Returns401()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = JwtCodec.Encode(new TokenClaims("mallory", "root", "root-jti", now, now + 3600), Tokens.Keys.Current);

        using var response = await runtime.CreateClient(token).GetAsync("/scene", TestContext.Current.CancellationToken);

        await response.AssertUnauthorizedAsync("unknown_role");
    }

    [Fact]
    public async Task GetScene_RevokedToken_Returns401TokenRevoked()
    {
        var token = await _admin.IssueTokenAsync("readonly");
        var client = runtime.CreateClient(token.Value);
        await client.GetJsonAsync("/scene");

        using (var revoke = await client.PostJsonAsync("/auth/revoke", "{}"))
        {
            Assert.Equal(token.Jti, (await revoke.ReadJsonAsync()).Str("jti"));
        }

        using var response = await client.GetAsync("/scene", TestContext.Current.CancellationToken);
        await response.AssertUnauthorizedAsync("token_revoked");
    }

    [Fact]
    public async Task GetHealth_NoToken_Returns200()
    {
        using var response = await runtime.CreateAnonymousClient().GetAsync("/health", TestContext.Current.CancellationToken);

        await response.ReadJsonAsync();
    }

    [Fact]
    public async Task IssuedAdminJwt_UsedAsBearer_AuthorizesAdminEndpoints()
    {
        var token = await _admin.IssueTokenAsync("admin", ttl: "2h");
        var client = runtime.CreateClient(token.Value);

        var status = await client.GetJsonAsync("/auth/status");
        await client.GetJsonAsync("/admin/whitelist");
        var nested = await client.IssueTokenAsync("guest");

        Assert.Equal("admin", status.Str("role"));
        Assert.Equal(token.Subject, status.Str("subject"));
        Assert.Equal(token.Jti, status.Str("jti"));
        Assert.Equal("guest", nested.Role);
        Assert.Equal(3, token.Value.Split('.').Length);
    }

    [Fact]
    public async Task PostAuthToken_TtlGiven_ExpiresThen()
    {
        using var response = await _admin.PostJsonAsync("/auth/token", """{"role":"readonly","subject":"ttl-check","ttl":"30m"}""");
        var json = await response.ReadJsonAsync();

        Assert.InRange(json.GetProperty("expires_in").GetInt64(), 1790, 1800);
        Assert.Equal("Bearer", json.Str("token_type"));
    }

    [Theory]
    [InlineData("""{"role":"readonly","ttl":"forever"}""")]
    [InlineData("""{"role":"readonly","ttl":"10s"}""")]
    [InlineData("""{"role":"readonly","ttl":"365d"}""")]
    [InlineData("""{"role":"readonly","subject":""}""")]
    public async Task PostAuthToken_BadTtlOrSubject_Returns400(string body)
    {
        using var response = await _admin.PostJsonAsync("/auth/token", body);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PostAuthRefresh_ValidJwt_ReturnsNewTokenAndRevokesOld()
    {
        var old = await _admin.IssueTokenAsync("developer");
        var oldClient = runtime.CreateClient(old.Value);

        using var refresh = await oldClient.PostJsonAsync("/auth/refresh");
        var fresh = await refresh.ReadJsonAsync();

        Assert.NotEqual(old.Value, fresh.Str("token"));
        Assert.NotEqual(old.Jti, fresh.Str("jti"));
        Assert.Equal("developer", fresh.Str("role"));
        Assert.Equal(old.Subject, fresh.Str("subject"));
        await runtime.CreateClient(fresh.Str("token")).GetJsonAsync("/scene");
        using var rejected = await oldClient.GetAsync("/scene", TestContext.Current.CancellationToken);
        await rejected.AssertUnauthorizedAsync("token_revoked");
    }

    [Fact]
    public async Task PostAuthRefresh_StaticToken_Returns400()
    {
        using var response = await _admin.PostJsonAsync("/auth/refresh");

        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PostAuthRevoke_AdminGivesJti_RevokesThatToken()
    {
        var victim = await _admin.IssueTokenAsync("developer");
        var bystander = await _admin.IssueTokenAsync("developer");

        using (var revoke = await _admin.PostJsonAsync("/auth/revoke", $$"""{"jti":"{{victim.Jti}}"}"""))
        {
            var json = await revoke.ReadJsonAsync();
            Assert.Equal("revoked", json.Str("status"));
            Assert.Equal(victim.Jti, json.Str("jti"));
        }

        using var rejected = await runtime.CreateClient(victim.Value).GetAsync("/scene", TestContext.Current.CancellationToken);
        await rejected.AssertUnauthorizedAsync("token_revoked");
        await runtime.CreateClient(bystander.Value).GetJsonAsync("/scene");
    }

    [Fact]
    public async Task PostAuthRevoke_NonAdminGivesAnotherJti_Returns403AndTokenStaysValid()
    {
        var victim = await _admin.IssueTokenAsync("readonly");
        var attacker = runtime.CreateClient((await _admin.IssueTokenAsync("developer")).Value);

        using var response = await attacker.PostJsonAsync("/auth/revoke", $$"""{"jti":"{{victim.Jti}}"}""");

        await response.AssertForbiddenAsync("auth:manage", "developer");
        await runtime.CreateClient(victim.Value).GetJsonAsync("/scene");
    }

    [Fact]
    public async Task GetAuthStatus_Jwt_ShowsSubjectRoleAndPermissionsWithoutSecrets()
    {
        var token = await _admin.IssueTokenAsync("readonly", subject: "status-reader");
        var client = runtime.CreateClient(token.Value);

        using var response = await client.GetAsync("/auth/status", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var status = await response.ReadJsonAsync();

        Assert.Equal("status-reader", status.Str("subject"));
        Assert.Equal("readonly", status.Str("role"));
        Assert.True(status.GetProperty("auth_required").GetBoolean());
        var permissions = status.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains("scene:read", permissions);
        Assert.Contains("health:read", permissions);
        Assert.DoesNotContain("scene:write", permissions);
        Assert.DoesNotContain("auth:manage", permissions);
        Assert.DoesNotContain(token.Value, body, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Value.Split('.')[2], body, StringComparison.Ordinal);
        Assert.DoesNotContain(RuntimeApiFixture.AdminToken, body, StringComparison.Ordinal);
        AssertNoSigningSecret(body);
    }

    [Fact]
    public async Task GetAuthStatus_StaticToken_AdminWithoutTokenInBody()
    {
        using var response = await _admin.GetAsync("/auth/status", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var status = await response.ReadJsonAsync();

        Assert.Equal("admin", status.Str("role"));
        Assert.True(status.GetProperty("static_token_configured").GetBoolean());
        Assert.DoesNotContain(RuntimeApiFixture.AdminToken, body, StringComparison.Ordinal);
        AssertNoSigningSecret(body);
    }

    [Fact]
    public async Task EveryReadEndpoint_AdminToken_NeverEchoesTokenOrSigningKey()
    {
        string[] endpoints =
        [
            "/health", "/status", "/scene", "/scenes", "/scene/history", "/scene/dump", "/state/scene", "/state/player", "/state/vr",
            "/state/map", "/performance", "/performance/metrics", "/auth/status", "/auth/whoami", "/web/scene_manager.html", "/admin/whitelist", "/openapi/v1.json", "/no-such-endpoint",
        ];
        var keyFile = await File.ReadAllTextAsync(Tokens.Keys.FilePath, TestContext.Current.CancellationToken);

        foreach (var endpoint in endpoints)
        {
            using var response = await _admin.GetAsync(endpoint, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));

            Assert.DoesNotContain(RuntimeApiFixture.AdminToken, body + headers, StringComparison.Ordinal);
            Assert.DoesNotContain(keyFile, body, StringComparison.Ordinal);
            AssertNoSigningSecret(body + headers);
        }
    }

    private void AssertNoSigningSecret(string text)
    {
        foreach (var key in Tokens.Keys.ValidKeys)
        {
            Assert.DoesNotContain(Convert.ToBase64String(key.Secret), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Base64Url.EncodeToString(key.Secret), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(key.Secret), text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
