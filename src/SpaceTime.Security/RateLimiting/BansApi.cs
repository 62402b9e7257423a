using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Security.Audit;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Http;

namespace SpaceTime.Security.RateLimiting;

public sealed record BanJson(string Client, DateTimeOffset Since, DateTimeOffset Until, double RemainingSeconds, string Reason);

public sealed record BansResponse(IReadOnlyList<BanJson> Bans, int Count);

public sealed record UnbanResponse(string Status, string Client);

/// <summary>
/// <c>GET /admin/bans</c> and <c>DELETE /admin/bans/{client}</c> (admin): the bans in force on every process sharing
/// the security state, and lifting one. Lifting is audited (BAN_LIFTED).
/// </summary>
public static class BansApi
{
    public static IEndpointRouteBuilder MapBansApi(this IEndpointRouteBuilder app)
    {
        var bans = app.MapGroup("/admin/bans").WithTags("Bans");
        bans.MapGet("", List).RequirePermission(Permissions.AuthManage);
        bans.MapDelete("/{client}", Lift).RequirePermission(Permissions.AuthManage);
        return app;
    }

    public static Ok<BansResponse> List(ClientRateLimiter limiter, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var bans = limiter.Bans().Select(b => new BanJson(b.Client, b.Since, b.Until, Math.Round((b.Until - now).TotalSeconds, 1), b.Reason)).ToList();
        return TypedResults.Ok(new BansResponse(bans, bans.Count));
    }

    public static Results<Ok<UnbanResponse>, ProblemHttpResult> Lift(
        string client, ClientRateLimiter limiter, AuditLog audit, SecurityContext security, ClaimsPrincipal user, HttpContext context)
    {
        if (!limiter.Unban(client))
        {
            return ApiProblems.NotFound($"Client {client} is not banned");
        }

        audit.Write(new AuditEvent("rate_limit", "BAN_LIFTED", security.Client(context), context.Request.Path, SecurityContext.Subject(user), SecurityContext.Role(user), 200,
            $"ban of {client} lifted"));
        return TypedResults.Ok(new UnbanResponse("lifted", client));
    }
}
