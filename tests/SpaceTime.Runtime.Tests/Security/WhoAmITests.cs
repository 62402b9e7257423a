using System.Net;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary><c>GET /auth/whoami</c>: the caller's role and permissions, which the dashboard uses to gate its controls.</summary>
public sealed class WhoAmITests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    [Theory]
    [InlineData("guest", "health:read", "status:read")]
    [InlineData("readonly", "state:read", "scene:write")]
    [InlineData("developer", "scene:write", "process:control")]
    public async Task WhoAmI_IssuedToken_NamesItsRoleAndExactlyItsPermissions(string role, string has, string lacks)
    {
        var token = await runtime.CreateClient().IssueTokenAsync(role, subject: $"who-{role}", ttl: "1h");

        using var response = await runtime.CreateClient(token.Value).GetAsync("/auth/whoami", TestContext.Current.CancellationToken);
        var who = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(role, who.Str("role"));
        Assert.Equal($"who-{role}", who.Str("subject"));
        Assert.True(who.GetProperty("auth_required").GetBoolean());
        var permissions = who.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains(has, permissions);
        Assert.DoesNotContain(lacks, permissions);
        Assert.True(who.GetProperty("expires_at").TryGetDateTimeOffset(out var expires));
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddMinutes(50), DateTimeOffset.UtcNow.AddMinutes(70));
        Assert.DoesNotContain(token.Value, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhoAmI_NoToken_Unauthorized()
    {
        using var response = await runtime.CreateAnonymousClient().GetAsync("/auth/whoami", TestContext.Current.CancellationToken);

        await response.AssertUnauthorizedAsync("missing_token");
    }
}
