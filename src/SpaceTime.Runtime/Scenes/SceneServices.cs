using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Security.Http;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Worlds;
using SpaceTime.Security;
using SpaceTime.Security.Audit;
using SpaceTime.Runtime.Whitelist;

namespace SpaceTime.Runtime.Scenes;

/// <summary>What the scene-changing endpoints need, bundled (eShop's <c>[AsParameters]</c> services).</summary>
public readonly record struct SceneServices(HeadlessGame Game, SceneWhitelist Whitelist, AuditLog Audit, SecurityContext Security, HttpContext Context)
{
    /// <summary>
    /// Checks a path in the original's order: validity (400), then the whitelist for this environment (403, audited).
    /// Null when the path may be used.
    /// </summary>
    public ProblemHttpResult? Refuse(string path)
    {
        if (!ResourcePath.TryCanonicalizeScene(path, out var canonical, out var error))
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, $"Invalid scene path '{path}': {error}",
                new Dictionary<string, object?> { ["failure"] = nameof(SceneLoadFailure.InvalidPath) });
        }

        var decision = Whitelist.Check(canonical);
        if (decision.Allowed)
        {
            return null;
        }

        Write("WHITELIST_VIOLATION", canonical, 403, decision.Reason);
        return ApiProblems.Create(StatusCodes.Status403Forbidden, decision.Reason,
            new Dictionary<string, object?> { ["environment"] = Whitelist.Environment, ["scene_path"] = canonical });
    }

    public void Write(string result, string path, int status, string? details = null) =>
        Audit.Write(Event(result, path, status, details));

    /// <exception cref="SpaceTime.Security.Storage.StorageUnavailableException">The record could not be made durable.</exception>
    public void WriteDurable(string result, string path, int status, string? details = null) =>
        Audit.WriteDurable(Event(result, path, status, details));

    private AuditEvent Event(string result, string path, int status, string? details) =>
        new("scene", result, Security.Client(Context), Context.Request.Path,
            SecurityContext.Subject(Context.User), SecurityContext.Role(Context.User), status, details is null ? path : $"{path}: {details}");
}
