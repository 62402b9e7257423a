using System.Reflection;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using SpaceTime.Security;
using SpaceTime.Security.Audit;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Runtime.Agents.Mcp;

/// <summary>
/// The MCP server on the game API: Streamable HTTP at <c>/mcp</c>, stateless (each request stands alone, so it works
/// behind the manager's proxy and with the same bearer tokens, rate limits and audit as every other request).
/// <c>tools/list</c> shows only the tools the caller's role may use; calling another is refused with the permission named.
/// </summary>
public static class McpHostingExtensions
{
    public const string Path = "/mcp";

    /// <summary>Tool name → the permission it needs (from <see cref="ToolPermissionAttribute"/>).</summary>
    public static readonly IReadOnlyDictionary<string, string> ToolPermissions = typeof(GameTools)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance)
        .Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is not null)
        .ToDictionary(m => m.GetCustomAttribute<McpServerToolAttribute>()!.Name!, m => m.GetCustomAttribute<ToolPermissionAttribute>()!.Permission, StringComparer.Ordinal);

    public static IServiceCollection AddSpaceTimeMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        services.AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "spacetime", Version = typeof(McpHostingExtensions).Assembly.GetName().Version?.ToString(3) ?? "1.0.0" };
                o.ServerInstructions = "A headless Godot VR game at a fixed 90 Hz tick. Pause with time_pause, set up with player_teleport/node_set/vr_input, advance with time_step or time_step_until, compare worlds with state_hash, save and restore with snapshot_save/snapshot_restore.";
            })
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<GameTools>(json)
            .WithRequestFilters(filters =>
            {
                filters.AddListToolsFilter(next => async (context, cancellationToken) =>
                {
                    var result = await next(context, cancellationToken);
                    var role = RoleOf(context.User);
                    result.Tools = [.. result.Tools.Where(t => Allowed(context.User, role, t.Name))];
                    return result;
                });
                filters.AddCallToolFilter(next => async (context, cancellationToken) =>
                {
                    var name = context.Params?.Name ?? "";
                    var role = RoleOf(context.User);
                    var audit = context.Services!.GetRequiredService<AuditLog>();
                    var httpContext = context.Services!.GetRequiredService<IHttpContextAccessor>().HttpContext;
                    var client = httpContext is null ? null : context.Services!.GetRequiredService<SecurityContext>().Client(httpContext);
                    var subject = context.User is null ? null : SecurityContext.Subject(context.User);
                    if (!ToolPermissions.TryGetValue(name, out var required))
                    {
                        return await next(context, cancellationToken);
                    }

                    if (!Allowed(context.User, role, name))
                    {
                        audit.Write(new AuditEvent("mcp", "FORBIDDEN", client, $"{Path}#{name}", subject, role, 403, $"tool {name} requires {required}"));
                        return ToolResults.Error(
                            $"Forbidden: the tool '{name}' needs permission '{required}' (role {Permissions.MinimumRole[required]} or above); your role is '{role}'",
                            JsonSerializer.SerializeToElement(new Dictionary<string, object?>
                            {
                                ["status"] = 403,
                                ["error"] = "Forbidden",
                                ["tool"] = name,
                                ["required_permission"] = required,
                                ["your_role"] = role,
                            }));
                    }

                    var result = await next(context, cancellationToken);
                    audit.Write(new AuditEvent("mcp", result.IsError == true ? "TOOL_ERROR" : "TOOL_CALL", client, $"{Path}#{name}", subject, role,
                        result.IsError == true ? 400 : 200, name));
                    return result;
                });
            });
        return services;
    }

    /// <summary>Maps <c>/mcp</c>; any valid token may connect, and each tool then checks its own permission.</summary>
    public static IEndpointRouteBuilder MapSpaceTimeMcp(this IEndpointRouteBuilder app)
    {
        app.MapMcp(Path).RequirePermission(Permissions.StateRead).WithTags("Agents");
        return app;
    }

    private static string RoleOf(System.Security.Claims.ClaimsPrincipal? user) => (user is null ? null : SecurityContext.Role(user)) ?? Roles.Guest;

    private static bool Allowed(System.Security.Claims.ClaimsPrincipal? user, string role, string tool) =>
        ToolPermissions.TryGetValue(tool, out var permission)
        && (user is null || SecurityContext.Subject(user) != TokenService.MetricsTokenSubject)
        && Permissions.Allows(role, permission);
}
