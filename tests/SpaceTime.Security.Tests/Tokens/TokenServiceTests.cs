using Microsoft.Extensions.Time.Testing;
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

    // A token is verified once and then found by its digest: these show that what is found is still refused
    // whenever it has to be.
    [Fact]
    public void Validate_VerifiedTokenAfterItsKeyLeavesTheGracePeriod_IsRefused()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var tokens = new TokenService(_dataDir, new AuthenticationSettings { KeyRotationGraceMinutes = 5 }, clock);
        var issued = IssueVerified(tokens, TimeSpan.FromHours(2));

        tokens.RotateKey();
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.True(tokens.Validate(issued.Token).Succeeded);
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(TokenFailure.BadSignature, tokens.Validate(issued.Token).Failure);
    }

    [Fact]
    public void Validate_VerifiedTokenRevokedLater_IsRefused()
    {
        using var tokens = new TokenService(_dataDir, new AuthenticationSettings(), TimeProvider.System);
        var issued = IssueVerified(tokens, TimeSpan.FromHours(2));

        tokens.Revoke(issued.Jti);

        Assert.Equal(TokenFailure.Revoked, tokens.Validate(issued.Token).Failure);
    }

    [Fact]
    public void Validate_VerifiedTokenPastItsExpiry_IsRefused()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var tokens = new TokenService(_dataDir, new AuthenticationSettings(), clock);
        var issued = IssueVerified(tokens, TimeSpan.FromMinutes(10));

        clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(TokenFailure.Expired, tokens.Validate(issued.Token).Failure);
    }

    [Fact]
    public void Validate_VerifiedTokenWithAnotherSignature_IsRefused()
    {
        using var tokens = new TokenService(_dataDir, new AuthenticationSettings(), TimeProvider.System);
        var issued = IssueVerified(tokens, TimeSpan.FromHours(2));
        var dot = issued.Token.LastIndexOf('.');
        var forged = issued.Token[..(dot + 1)] + (issued.Token[dot + 1] == 'A' ? 'B' : 'A') + issued.Token[(dot + 2)..];

        Assert.Equal(TokenFailure.BadSignature, tokens.Validate(forged).Failure);
    }

    /// <summary>A token validated once, so the service has it verified.</summary>
    private static IssuedToken IssueVerified(TokenService tokens, TimeSpan ttl)
    {
        var issued = tokens.Issue("alice", "readonly", ttl);
        Assert.True(tokens.Validate(issued.Token).Succeeded);
        return issued;
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
