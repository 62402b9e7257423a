using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using SpaceTime.Security.Http;
using SpaceTime.Security.Audit;

namespace SpaceTime.Security.Authentication;

/// <summary>An endpoint's required permission; met when the caller's role includes it.</summary>
public sealed class PermissionRequirement(string permission) : IAuthorizationRequirement
{
    public string Permission { get; } = permission;
}

/// <summary>
/// Grants a permission to a role that includes it. With <c>authorization.rbac_enabled</c> or
/// <c>enforce_permissions</c> false (refused in production) any authenticated caller has every permission, and a refusal
/// that would have happened is audited.
/// </summary>
public sealed class PermissionHandler(SecuritySettings settings, AuditLog audit, SecurityContext security) : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        var subject = context.User.FindFirst(BearerTokenHandler.SubjectClaim)?.Value;
        if (subject == Tokens.TokenService.MetricsTokenSubject)
        {
            // The metrics token reads /metrics and nothing else.
            if (requirement.Permission is Permissions.MetricsRead or Permissions.HealthRead)
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }

        var role = context.User.FindFirst(BearerTokenHandler.RoleClaim)?.Value;
        if (Permissions.Allows(role, requirement.Permission))
        {
            context.Succeed(requirement);
        }
        else if (!settings.Authorization.RbacEnabled || !settings.Authorization.EnforcePermissions)
        {
            if (context.Resource is HttpContext http)
            {
                audit.Write(new AuditEvent("authorization", "PERMISSION_NOT_ENFORCED", security.Client(http), http.Request.Path, subject, role, Details: $"requires {requirement.Permission}"));
            }

            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Answers a refused permission with 403, <c>required_permission</c> and <c>your_role</c>, and audits it.</summary>
public sealed class PermissionResultHandler(AuditLog audit, SecurityContext security) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var required = policy.Requirements.OfType<PermissionRequirement>().FirstOrDefault()?.Permission ?? "unknown";
            var role = context.User.FindFirst(BearerTokenHandler.RoleClaim)?.Value ?? Roles.Guest;
            var subject = context.User.FindFirst(BearerTokenHandler.SubjectClaim)?.Value;
            audit.Write(new AuditEvent("authorization", "FORBIDDEN", security.Client(context), context.Request.Path, subject, role, 403, $"requires {required}"));
            await ApiProblems.Create(StatusCodes.Status403Forbidden, $"Your role '{role}' does not have permission '{required}'",
                new Dictionary<string, object?> { ["required_permission"] = required, ["your_role"] = role }).ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}

public static class PermissionEndpointExtensions
{
    /// <summary>Requires an authenticated caller whose role includes <paramref name="permission"/>.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(permission);
}
