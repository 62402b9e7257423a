using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Http;
using SpaceTime.Runtime.Scenes;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Http;

namespace SpaceTime.Runtime.Nodes;

public sealed record TransformJson(Vec3 Position, Vec3 RotationDeg, Vec3 Scale);

/// <summary>One node in full: where it is, and every property the scene stores, as JSON.</summary>
public sealed record NodeDetailJson(
    string Name,
    string Type,
    string Path,
    IReadOnlyList<string> Groups,
    bool Visible,
    string? SceneFile,
    TransformJson? Transform,
    Vec3? GlobalPosition,
    Vec3? GlobalRotationDeg,
    JsonObject Properties,
    IReadOnlyList<string> Children,
    long Tick)
{
    public static NodeDetailJson From(SceneNode node, long tick)
    {
        var properties = new JsonObject();
        foreach (var (key, value) in node.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            properties[key] = VariantJson.ToJson(value);
        }

        TransformJson? transform = null;
        if (node.Is3D)
        {
            var t = node.LocalTransform;
            var scale = new System.Numerics.Vector3(
                new System.Numerics.Vector3(t.Row0.X, t.Row1.X, t.Row2.X).Length(),
                new System.Numerics.Vector3(t.Row0.Y, t.Row1.Y, t.Row2.Y).Length(),
                new System.Numerics.Vector3(t.Row0.Z, t.Row1.Z, t.Row2.Z).Length());
            transform = new TransformJson(Vec3.From(t.Origin), Vec3.From(t.EulerDegrees), Vec3.From(scale));
        }

        return new NodeDetailJson(node.Name, node.Type, node.Path, [.. node.Groups.Order(StringComparer.Ordinal)], node.Visible, node.SceneFile, transform,
            node.Is3D ? Vec3.From(node.GlobalPosition) : null, node.Is3D ? Vec3.From(node.GlobalTransform.EulerDegrees) : null,
            properties, [.. node.Children.Select(c => c.Name)], tick);
    }
}

public sealed record NodePatchRequest(string? Path, Dictionary<string, JsonElement>? Properties);

public sealed record NodePatchResponse(string Status, IReadOnlyList<string> Changed, NodeDetailJson Node, string StateHash);

/// <summary>One node of the live tree, read and written by the path <c>/scene/dump</c> reports.</summary>
public static class NodesApi
{
    /// <summary>Properties a node may be given even when its scene file does not store them, and their types.</summary>
    private static readonly Dictionary<string, (string Type, int Count)> SpatialProperties = new(StringComparer.Ordinal)
    {
        ["position"] = ("Vector3", 3),
        ["rotation"] = ("Vector3", 3),
        ["scale"] = ("Vector3", 3),
        ["quaternion"] = ("Quaternion", 4),
        ["transform"] = ("Transform3D", 12),
    };

    public static IEndpointRouteBuilder MapNodesApi(this IEndpointRouteBuilder app)
    {
        var node = app.MapGroup("/scene/node").WithTags("Scenes");
        node.MapGet("", GetNode).RequirePermission(Permissions.SceneRead);
        node.MapPatch("", PatchNode).RequirePermission(Permissions.SceneWrite);
        return app;
    }

    public static async Task<Results<Ok<NodeDetailJson>, ProblemHttpResult>> GetNode(HeadlessGame game, CancellationToken cancellationToken, string? path = null)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return ApiProblems.BadRequest("Give the node's 'path' as /scene/dump reports it, e.g. ?path=Main/XROrigin3D");
        }

        var (loaded, node) = await game.ReadAsync(w => (w.Scene is not null, w.FindNode(path) is { } n ? NodeDetailJson.From(n, w.SceneTick) : null), cancellationToken);
        return node is not null ? TypedResults.Ok(node) : NodeNotFound(path, loaded);
    }

    public static async Task<Results<Ok<NodePatchResponse>, ProblemHttpResult>> PatchNode(
        NodePatchRequest? request, [AsParameters] SceneServices services, CancellationToken cancellationToken)
    {
        if (request?.Path is not { Length: > 0 } path)
        {
            return ApiProblems.BadRequest("'path' is required: the node's path as /scene/dump reports it");
        }

        if (request.Properties is not { Count: > 0 } properties)
        {
            return ApiProblems.BadRequest("'properties' is required: an object of property names and new values");
        }

        var outcome = await services.Game.ReadAsync(w => SetProperties(w, path, properties), cancellationToken);
        if (outcome.Problem is { } problem)
        {
            services.Write("NODE_SET_REFUSED", path, problem.StatusCode, problem.ProblemDetails.Detail);
            return problem;
        }

        services.Write("NODE_SET", path, 200, $"set {string.Join(", ", properties.Keys)}");
        return TypedResults.Ok(new NodePatchResponse("ok", [.. properties.Keys], outcome.Node!, outcome.StateHash!));
    }

    private sealed record SetOutcome(ProblemHttpResult? Problem, NodeDetailJson? Node, string? StateHash);

    /// <summary>Checks every value first and changes nothing unless all are good. Runs on the simulation thread.</summary>
    private static SetOutcome SetProperties(GameWorld world, string path, Dictionary<string, JsonElement> properties)
    {
        if (world.FindNode(path) is not { } node)
        {
            return new SetOutcome(NodeNotFound(path, world.Scene is not null), null, null);
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var typeErrors = new List<string>();
        var unknown = new List<string>();
        foreach (var (name, json) in properties)
        {
            object? value;
            string error;
            if (node.Properties.TryGetValue(name, out var current) && current is not null)
            {
                if (!VariantJson.TryFromJson(json, current, out value, out error))
                {
                    typeErrors.Add($"'{name}' ({VariantJson.Describe(current)}): {error}");
                    continue;
                }
            }
            else if (name == "visible")
            {
                if (!VariantJson.TryFromJson(json, true, out value, out error))
                {
                    typeErrors.Add($"'visible' (bool): {error}");
                    continue;
                }
            }
            else if (node.Is3D && SpatialProperties.TryGetValue(name, out var spatial))
            {
                if (!VariantJson.TryMath(json, spatial.Type, spatial.Count, out value, out error))
                {
                    typeErrors.Add($"'{name}' ({spatial.Type}): {error}");
                    continue;
                }
            }
            else
            {
                unknown.Add(name);
                continue;
            }

            values[name] = value;
        }

        if (unknown.Count > 0)
        {
            return new SetOutcome(ApiProblems.Unprocessable(
                $"{node.Path} ({node.Type}) does not store {string.Join(", ", unknown.Select(u => $"'{u}'"))}; it can set: "
                + string.Join(", ", node.Properties.Keys.Concat(node.Is3D ? SpatialProperties.Keys : []).Append("visible").Distinct().Order(StringComparer.Ordinal)),
                new Dictionary<string, object?> { ["unknown_properties"] = unknown }), null, null);
        }

        if (typeErrors.Count > 0)
        {
            return new SetOutcome(ApiProblems.Create(StatusCodes.Status400BadRequest, "Wrong type: " + string.Join("; ", typeErrors),
                new Dictionary<string, object?> { ["type_errors"] = typeErrors }), null, null);
        }

        world.SetNodeProperties(node, values);
        return new SetOutcome(null, NodeDetailJson.From(node, world.SceneTick), world.StateHash());
    }

    private static ProblemHttpResult NodeNotFound(string path, bool loaded) => loaded
        ? ApiProblems.NotFound($"No node at '{path}' (paths start at the scene root's name, as /scene/dump reports them)")
        : ApiProblems.NotFound("No scene is loaded");
}
