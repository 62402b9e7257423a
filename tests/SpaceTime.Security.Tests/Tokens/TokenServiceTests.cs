using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.Tests.Tokens;

public sealed class TokenServiceTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("spacetime-tokens-").FullName;

    [Theory]
    [InlineData(TokenService.StaticTokenSubject)]
    [InlineData(TokenService.MetricsTokenSubject)]
    [InlineData("anonymous")]
    public void Issue_ReservedSubject_IsRefused(string subject)
    {
        using var tokens = new TokenService(_dataDir, new AuthenticationSettings(), TimeProvider.System);

        var e = Assert.Throws<ArgumentException>(() => tokens.Issue(subject, "readonly"));

        Assert.Contains("reserved", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue_OrdinarySubject_ValidatesWithItsRole()
    {
        using var tokens = new TokenService(_dataDir, new AuthenticationSettings(), TimeProvider.System);

        var issued = tokens.Issue("alice", "developer", TimeSpan.FromMinutes(5));
        var check = tokens.Validate(issued.Token);

        Assert.True(check.Succeeded);
        Assert.Equal("alice", check.Claims!.Subject);
        Assert.Equal("developer", check.Claims.Role);
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
