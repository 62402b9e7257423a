using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Security.Http;
using SpaceTime.Security.Audit;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security;

public sealed record TokenRequest(string? Subject, string? Role, string? Ttl, int? TtlSeconds);

public sealed record TokenResponse(string Token, string TokenType, string Jti, string Subject, string Role, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, long ExpiresIn);

public sealed record RevokeRequest(string? Jti);

public sealed record RevokeResponse(string Status, string Jti);

public sealed record RotateResponse(string Status, string KeyId, int ValidKeys, int GraceMinutes);

public sealed record AuthStatusResponse(
    bool AuthRequired,
    string Subject,
    string Role,
    string? Jti,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<string> Permissions,
    string CurrentKeyId,
    int ValidKeys,
    int RevokedTokens,
    int ActiveSessions,
    int SessionTimeoutMinutes,
    int MaxConcurrentSessions,
    bool StaticTokenConfigured);

/// <summary>Who the caller is: what a page needs to enable only the controls the caller's role may use.</summary>
public sealed record WhoAmIResponse(bool AuthRequired, string Subject, string Role, IReadOnlyList<string> Permissions, DateTimeOffset? ExpiresAt);

/// <summary>Token lifecycle: <c>/auth/token</c>, <c>/auth/refresh</c>, <c>/auth/revoke</c>, <c>/auth/rotate</c>, <c>/auth/status</c>.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/token", IssueToken).RequirePermission(Permissions.AuthManage);
        auth.MapPost("/refresh", Refresh).RequirePermission(Permissions.HealthRead);
        auth.MapPost("/revoke", Revoke).RequirePermission(Permissions.HealthRead);
        auth.MapPost("/rotate", Rotate).RequirePermission(Permissions.AuthManage);
        auth.MapGet("/status", Status).RequirePermission(Permissions.HealthRead);
        return app.MapWhoAmIApi();
    }

    /// <summary><c>GET /auth/whoami</c> alone, for hosts that do not issue tokens (the manager).</summary>
    public static IEndpointRouteBuilder MapWhoAmIApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/auth/whoami", WhoAmI).WithTags("Auth").RequirePermission(Permissions.HealthRead);
        return app;
    }

    public static Ok<WhoAmIResponse> WhoAmI(ClaimsPrincipal user, SecuritySettings settings)
    {
        var claims = CurrentClaims(user);
        var permissions = Permissions.MinimumRole.Keys.Where(p => Permissions.Allows(claims.Role, p)).Order(StringComparer.Ordinal).ToList();
        var expires = claims.ExpiresAt == long.MaxValue ? (DateTimeOffset?)null : claims.Expires;
        return TypedResults.Ok(new WhoAmIResponse(settings.Authentication.Enabled, claims.Subject, claims.Role, permissions, expires));
    }

    public static Results<Ok<TokenResponse>, ProblemHttpResult> IssueToken(
        TokenRequest request, ClaimsPrincipal user, HttpContext context, TokenService tokens, AuditLog audit, SecurityContext security, SecuritySettings settings, TimeProvider time)
    {
        TimeSpan? ttl = null;
        if (request.TtlSeconds is { } seconds)
        {
            ttl = TimeSpan.FromSeconds(seconds);
        }
        else if (request.Ttl is not null)
        {
            ttl = TokenTtl.TryParse(request.Ttl, out var parsed) ? parsed : null;
            if (ttl is null)
            {
                return ApiProblems.BadRequest($"'ttl' must look like 90s, 30m, 24h or 7d (got '{request.Ttl}')");
            }
        }

        try
        {
            var issued = tokens.Issue(request.Subject ?? "api-client", request.Role ?? settings.Authorization.DefaultRole, ttl);
            audit.Write(new AuditEvent("token", "TOKEN_ISSUED", security.Client(context), context.Request.Path, SecurityContext.Subject(user), SecurityContext.Role(user), 200,
                $"issued {issued.Role} token {issued.Jti} for {issued.Subject}"));
            return TypedResults.Ok(ToResponse(issued, time));
        }
        catch (ArgumentException e)
        {
            return ApiProblems.BadRequest(e.Message.Split(" (Parameter")[0]);
        }
    }

    public static Results<Ok<TokenResponse>, ProblemHttpResult> Refresh(
        ClaimsPrincipal user, HttpContext context, TokenService tokens, AuditLog audit, SecurityContext security, SecuritySettings settings, TimeProvider time)
    {
        if (!settings.Authentication.TokenRefreshEnabled)
        {
            return ApiProblems.Create(StatusCodes.Status403Forbidden, "Token refresh is disabled in this environment");
        }

        var claims = CurrentClaims(user);
        try
        {
            var issued = tokens.Refresh(claims);
            audit.Write(new AuditEvent("token", "TOKEN_REFRESHED", security.Client(context), context.Request.Path, claims.Subject, claims.Role, 200,
                $"{claims.Jti} replaced by {issued.Jti}"));
            return TypedResults.Ok(ToResponse(issued, time));
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
    }

    public static Results<Ok<RevokeResponse>, ProblemHttpResult> Revoke(
        RevokeRequest? request, ClaimsPrincipal user, HttpContext context, TokenService tokens, AuditLog audit, SecurityContext security)
    {
        var claims = CurrentClaims(user);
        var jti = request?.Jti ?? claims.Jti;
        if (jti != claims.Jti && !Permissions.Allows(claims.Role, Permissions.AuthManage))
        {
            return ApiProblems.Create(StatusCodes.Status403Forbidden, "Only an admin may revoke another token",
                new Dictionary<string, object?> { ["required_permission"] = Permissions.AuthManage, ["your_role"] = claims.Role });
        }

        if (jti == TokenService.StaticTokenSubject)
        {
            return ApiProblems.BadRequest("The static API token cannot be revoked; change API_TOKEN and restart");
        }

        tokens.Revoke(jti);
        audit.Write(new AuditEvent("token", "TOKEN_REVOKED", security.Client(context), context.Request.Path, claims.Subject, claims.Role, 200, $"revoked {jti}"));
        return TypedResults.Ok(new RevokeResponse("revoked", jti));
    }

    public static Results<Ok<RotateResponse>, ProblemHttpResult> Rotate(
        ClaimsPrincipal user, HttpContext context, TokenService tokens, AuditLog audit, SecurityContext security, SecuritySettings settings)
    {
        SigningKey key;
        try
        {
            key = tokens.RotateKey();
        }
        catch (State.SecurityStateUnavailableException e)
        {
            // Rotating while other instances cannot hear of it would split them; the old key stays current.
            context.Response.Headers.RetryAfter = "5";
            return ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, $"{e.Message}; the signing key was not rotated, try again when it is back",
                new Dictionary<string, object?> { ["reason"] = "state_unavailable" });
        }

        audit.Write(new AuditEvent("token", "KEY_ROTATED", security.Client(context), context.Request.Path, SecurityContext.Subject(user), SecurityContext.Role(user), 200,
            $"new signing key {key.Id}"));
        return TypedResults.Ok(new RotateResponse("rotated", key.Id, tokens.Keys.ValidKeys.Count, settings.Authentication.KeyRotationGraceMinutes));
    }

    public static Ok<AuthStatusResponse> Status(ClaimsPrincipal user, TokenService tokens, SecuritySettings settings)
    {
        var claims = CurrentClaims(user);
        var status = tokens.GetStatus();
        var permissions = Permissions.MinimumRole.Keys.Where(p => Permissions.Allows(claims.Role, p)).Order(StringComparer.Ordinal).ToList();
        var expires = claims.ExpiresAt == long.MaxValue ? (DateTimeOffset?)null : claims.Expires;
        return TypedResults.Ok(new AuthStatusResponse(settings.Authentication.Enabled, claims.Subject, claims.Role,
            claims.Jti is TokenService.StaticTokenSubject or "anonymous" ? null : claims.Jti, expires, permissions,
            status.CurrentKeyId, status.ValidKeys, status.RevokedTokens, status.ActiveSessions, status.SessionTimeoutMinutes, status.MaxConcurrentSessions,
            status.StaticTokenConfigured));
    }

    internal static TokenClaims CurrentClaims(ClaimsPrincipal user) => new(
        SecurityContext.Subject(user) ?? "anonymous",
        SecurityContext.Role(user) ?? Roles.Guest,
        user.FindFirst(BearerTokenHandler.JtiClaim)?.Value ?? "",
        long.TryParse(user.FindFirst(BearerTokenHandler.IssuedAtClaim)?.Value, out var iat) ? iat : 0,
        long.TryParse(user.FindFirst(BearerTokenHandler.ExpiresClaim)?.Value, out var exp) ? exp : long.MaxValue);

    private static TokenResponse ToResponse(IssuedToken t, TimeProvider time) =>
        new(t.Token, "Bearer", t.Jti, t.Subject, t.Role, t.IssuedAt, t.ExpiresAt, (long)(t.ExpiresAt - time.GetUtcNow()).TotalSeconds);
}
