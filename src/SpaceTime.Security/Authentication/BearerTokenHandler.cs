using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SpaceTime.Security.Http;
using SpaceTime.Security.Audit;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.Authentication;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> authentication against <see cref="TokenService"/>. Failures answer 401 with a
/// problem+json body and <c>WWW-Authenticate: Bearer</c>, and are audited. Never logs a token.
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    BearerAuthenticator authenticator,
    SecurityContext security,
    AuditLog audit) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string SubjectClaim = "sub";
    public const string RoleClaim = "role";
    public const string JtiClaim = "jti";
    public const string ExpiresClaim = "exp";
    public const string IssuedAtClaim = "iat";

    private const string FailureKey = "spacetime.auth.failure";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var check = authenticator.AuthenticateHeader(Request.Headers.Authorization.ToString());
        if (check.Failure == TokenFailure.Missing)
        {
            Context.Items[FailureKey] = TokenFailure.Missing;
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!check.Succeeded)
        {
            return Task.FromResult(Fail(check.Failure));
        }

        if (check.Claims!.Jti != "anonymous" && !HttpMethods.IsGet(Request.Method) && !HttpMethods.IsHead(Request.Method))
        {
            // Reads are too many to audit one by one; every state-changing request is.
            audit.Write(new AuditEvent("auth", "AUTH_SUCCESS", security.Client(Context), Request.Path, check.Claims.Subject, check.Claims.Role, Details: Request.Method));
        }

        return Task.FromResult(Success(check.Claims));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = Context.Items.TryGetValue(FailureKey, out var f) && f is TokenFailure tf ? tf : TokenFailure.Missing;
        var (code, message) = Describe(failure);
        Response.Headers.WWWAuthenticate = failure == TokenFailure.Missing
            ? "Bearer realm=\"spacetime\""
            : $"Bearer realm=\"spacetime\", error=\"invalid_token\", error_description=\"{message}\"";
        authenticator.RecordFailure(Context, failure);
        var problem = ApiProblems.Create(StatusCodes.Status401Unauthorized, message, new Dictionary<string, object?>
        {
            ["reason"] = code,
            ["details"] = "Include 'Authorization: Bearer <token>' header",
        });
        await problem.ExecuteAsync(Context);
    }

    private AuthenticateResult Fail(TokenFailure failure)
    {
        Context.Items[FailureKey] = failure;
        return AuthenticateResult.Fail(Describe(failure).Message);
    }

    private AuthenticateResult Success(TokenClaims claims)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(SubjectClaim, claims.Subject),
            new Claim(RoleClaim, claims.Role),
            new Claim(JtiClaim, claims.Jti),
            new Claim(ExpiresClaim, claims.ExpiresAt.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(IssuedAtClaim, claims.IssuedAt.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], SchemeName, SubjectClaim, RoleClaim);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    public static (string Code, string Message) Describe(TokenFailure failure) => failure switch
    {
        TokenFailure.Missing => ("missing_token", "Missing Authorization header"),
        TokenFailure.InvalidFormat => ("invalid_format", "Authorization header must use the Bearer scheme"),
        TokenFailure.Malformed => ("malformed_token", "Token is malformed"),
        TokenFailure.BadSignature => ("invalid_signature", "Token signature is invalid"),
        TokenFailure.Expired => ("token_expired", "Token has expired"),
        TokenFailure.Revoked => ("token_revoked", "Token has been revoked"),
        TokenFailure.SessionExpired => ("session_expired", "Session timed out; request a new token"),
        TokenFailure.UnknownRole => ("unknown_role", "Token carries an unknown role"),
        _ => ("invalid_token", "Token is invalid"),
    };
}
