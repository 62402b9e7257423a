using SpaceTime.Security.Audit;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.Authentication;

/// <summary>
/// The one way a bearer token is checked, for the HTTP API (<see cref="BearerTokenHandler"/>) and the telemetry
/// WebSocket alike: the same token state, the same failure reasons, the same AUTH_FAILURE audit records.
/// </summary>
public sealed class BearerAuthenticator(TokenService tokens, SecuritySettings settings, SecurityContext security, AuditLog audit)
{
    private static readonly TokenClaims Anonymous = new("anonymous", Roles.Admin, "anonymous", 0, long.MaxValue);

    /// <summary>An <c>Authorization</c> header value: missing, not Bearer, or a token to validate.</summary>
    public TokenCheck AuthenticateHeader(string? authorization)
    {
        if (!settings.Authentication.Enabled)
        {
            // Authentication turned off (never in production): every caller acts as admin.
            return TokenCheck.Ok(Anonymous);
        }

        if (string.IsNullOrEmpty(authorization))
        {
            return TokenCheck.Fail(TokenFailure.Missing);
        }

        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7
            ? tokens.Validate(authorization[7..].Trim())
            : TokenCheck.Fail(TokenFailure.InvalidFormat);
    }

    /// <summary>A bare token (a query parameter or an authenticate command).</summary>
    public TokenCheck AuthenticateToken(string? token) =>
        !settings.Authentication.Enabled ? TokenCheck.Ok(Anonymous)
        : string.IsNullOrEmpty(token) ? TokenCheck.Fail(TokenFailure.Missing)
        : tokens.Validate(token);

    /// <summary>Audits and counts a refused authentication.</summary>
    public void RecordFailure(HttpContext context, TokenFailure failure)
    {
        audit.Write(new AuditEvent("auth", "AUTH_FAILURE", security.Client(context), context.Request.Path, Status: 401, Details: BearerTokenHandler.Describe(failure).Code));
        security.CountAuthFailure();
    }
}
