using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Security;
using SpaceTime.Security.Audit;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Http;

namespace SpaceTime.Runtime.Whitelist;

/// <summary>Whitelist administration: <c>GET /admin/whitelist</c>, <c>POST /admin/whitelist/reload</c> (admin).</summary>
public static class WhitelistApi
{
    public static IEndpointRouteBuilder MapWhitelistApi(this IEndpointRouteBuilder app)
    {
        var whitelist = app.MapGroup("/admin/whitelist").WithTags("Admin");
        whitelist.MapGet("", GetWhitelist).RequirePermission(Permissions.WhitelistManage);
        whitelist.MapPost("/reload", ReloadWhitelist).RequirePermission(Permissions.WhitelistManage);
        return app;
    }

    public static Ok<WhitelistSnapshot> GetWhitelist(SceneWhitelist whitelist) => TypedResults.Ok(whitelist.Snapshot());

    public static Results<Ok<WhitelistSnapshot>, ProblemHttpResult> ReloadWhitelist(
        ClaimsPrincipal user, HttpContext context, SceneWhitelist whitelist, AuditLog audit, SecurityContext security)
    {
        try
        {
            whitelist.Reload();
        }
        catch (SecurityConfigurationException e)
        {
            return ApiProblems.Unprocessable($"Whitelist not reloaded (the rules in force stay): {e.Message}");
        }

        audit.Write(new AuditEvent("whitelist", "WHITELIST_RELOADED", security.Client(context), context.Request.Path, SecurityContext.Subject(user), SecurityContext.Role(user), 200,
            whitelist.Summary));
        return TypedResults.Ok(whitelist.Snapshot());
    }

}
