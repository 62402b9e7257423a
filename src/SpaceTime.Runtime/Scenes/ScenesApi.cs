using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SpaceTime.Security.Http;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Runtime.Http;
using SpaceTime.Security.Authentication;

namespace SpaceTime.Runtime.Scenes;

public sealed record SceneLoadRequest(string? ScenePath);

public sealed record CurrentSceneResponse(string? SceneName, string? ScenePath, string Status, int NodeCount, DateTimeOffset? LoadedAt, double? LoadDurationMs);

public sealed record SceneLoadResponse(string Status, string Scene, string SceneName, double LoadDurationMs, int NodeCount, string Message);

public sealed record SceneValidationResponse(bool Valid, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings, SceneInfoJson? SceneInfo, string ScenePath);

public sealed record SceneInfoJson(int NodeCount, string RootType, string RootName);

public sealed record SceneHistoryItem(string ScenePath, string? SceneName, string LoadedAt, double? LoadDurationMs, string Result, string? Error, string? InstanceId);

public sealed record SceneHistoryResponse(IReadOnlyList<SceneHistoryItem> History, int Count, int MaxSize, long Total);

public sealed record SceneListItem(string Name, string Path, long SizeBytes, DateTimeOffset Modified);

public sealed record NodeJson(
    string Name,
    string Type,
    string Path,
    bool Visible,
    IReadOnlyList<string> Groups,
    string? SceneFile,
    Vec3? GlobalPosition,
    Vec3? GlobalRotationDeg,
    IReadOnlyList<NodeJson> Children)
{
    public static NodeJson From(NodeDump node) => new(
        node.Name, node.Type, node.Path, node.Visible, node.Groups, node.SceneFile,
        Vec3.From(node.GlobalPosition), Vec3.From(node.GlobalRotationDeg), node.Children.Select(From).ToList());
}

public sealed record SceneListResponse(IReadOnlyList<SceneListItem> Scenes, int Count, string Directory, bool IncludeAddons);

/// <summary>Scene management: what is loaded, load/reload/validate, history, listing and the live tree.</summary>
public static class ScenesApi
{
    public static IEndpointRouteBuilder MapScenesApi(this IEndpointRouteBuilder app)
    {
        var scene = app.MapGroup("/scene").WithTags("Scenes");
        scene.MapGet("", GetCurrentScene).RequirePermission(Permissions.SceneRead);
        // Loads may take longer than other requests: performance.timeouts.scene_load_timeout_seconds.
        scene.MapPost("", LoadScene).RequirePermission(Permissions.SceneWrite).WithRequestTimeout(SpaceTime.Security.SecurityHostingExtensions.SceneLoadTimeoutPolicy);
        scene.MapPost("/load", LoadScene).RequirePermission(Permissions.SceneWrite).WithRequestTimeout(SpaceTime.Security.SecurityHostingExtensions.SceneLoadTimeoutPolicy);
        scene.MapPost("/reload", ReloadScene).RequirePermission(Permissions.SceneWrite).WithRequestTimeout(SpaceTime.Security.SecurityHostingExtensions.SceneLoadTimeoutPolicy);
        scene.MapPut("", ValidateScene).RequirePermission(Permissions.SceneWrite);
        scene.MapGet("/history", GetHistory).RequirePermission(Permissions.SceneRead);
        scene.MapGet("/dump", DumpScene).RequirePermission(Permissions.SceneRead);
        app.MapGet("/scenes", ListScenes).WithTags("Scenes").RequirePermission(Permissions.SceneRead);
        return app;
    }

    public static Ok<CurrentSceneResponse> GetCurrentScene(HeadlessGame game)
    {
        var state = game.Summary.Scene;
        return TypedResults.Ok(new CurrentSceneResponse(state.Name, state.Path, state.Loaded ? "loaded" : "no_scene", state.NodeCount, state.LoadedAt, state.LoadDurationMs));
    }

    public static Task<Results<Ok<SceneLoadResponse>, ProblemHttpResult>> LoadScene(
        SceneLoadRequest? request, [AsParameters] SceneServices services, CancellationToken cancellationToken) =>
        LoadAsync(request?.ScenePath ?? services.Game.Project.Settings.MainScene ?? "res://vr_main.tscn", reload: false, services, cancellationToken);

    public static async Task<Results<Ok<SceneLoadResponse>, ProblemHttpResult>> ReloadScene([AsParameters] SceneServices services, CancellationToken cancellationToken)
    {
        var current = await services.Game.ReadAsync(w => w.Scene?.ResourcePath, cancellationToken);
        return current is null
            ? ApiProblems.NotFound("No scene is loaded, so there is nothing to reload")
            : await LoadAsync(current, reload: true, services, cancellationToken);
    }

    /// <summary>Path check, whitelist, load, audit: the same for a load and a reload.</summary>
    private static async Task<Results<Ok<SceneLoadResponse>, ProblemHttpResult>> LoadAsync(
        string path, bool reload, SceneServices services, CancellationToken cancellationToken)
    {
        if (services.Refuse(path) is { } refused)
        {
            return refused;
        }

        try
        {
            var result = await services.Game.LoadSceneAsync(path, cancellationToken);
            // Durable before the 200: a load whose record cannot be kept is answered 503 (StorageUnavailableException).
            services.WriteDurable(reload ? "SCENE_RELOAD" : "SCENE_LOAD", result.Path, 200, $"{(reload ? "reloaded" : "loaded")} in {result.LoadDurationMs:F1} ms");
            return TypedResults.Ok(new SceneLoadResponse(reload ? "reloaded" : "loaded", result.Path, result.Name, Math.Round(result.LoadDurationMs, 3), result.NodeCount,
                reload ? "Scene reloaded successfully" : "Scene loaded successfully"));
        }
        catch (SceneLoadException e)
        {
            services.Write("FAILURE", path, StatusOf(e), e.Message);
            return SceneProblem(e);
        }
    }

    public static async Task<Results<Ok<SceneValidationResponse>, ProblemHttpResult>> ValidateScene(
        SceneLoadRequest? request, [AsParameters] SceneServices services, CancellationToken cancellationToken)
    {
        var game = services.Game;
        var path = request?.ScenePath ?? await game.ReadAsync(w => w.Scene?.ResourcePath, cancellationToken);
        if (path is null)
        {
            return ApiProblems.BadRequest("Give 'scene_path' to validate (no scene is loaded)");
        }

        if (services.Refuse(path) is { } refused)
        {
            return refused;
        }

        ResourcePath.TryCanonicalizeScene(path, out var canonical, out _);

        if (!game.Project.Loader.Exists(canonical))
        {
            return ApiProblems.NotFound($"Scene file not found: {canonical}");
        }

        var validation = await Task.Run(() => game.Validate(canonical), cancellationToken);
        var info = validation.SceneInfo is { } i ? new SceneInfoJson(i.NodeCount, i.RootType, i.RootName) : null;
        return TypedResults.Ok(new SceneValidationResponse(validation.Valid, validation.Errors, validation.Warnings, info, canonical));
    }

    public static Results<Ok<SceneHistoryResponse>, ProblemHttpResult> GetHistory(
        ISceneHistory history, IOptions<RuntimeOptions> options, int? limit = null)
    {
        var max = limit ?? options.Value.SceneHistorySize;
        if (max is < 1 or > 1000)
        {
            return ApiProblems.BadRequest("'limit' must be between 1 and 1000");
        }

        IReadOnlyList<SceneHistoryEntry> recent;
        long total;
        try
        {
            (recent, total) = (history.Recent(max), history.Count());
        }
        catch (System.Data.Common.DbException e) when (history.Backend == "postgresql")
        {
            return ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, $"The scene history database cannot be read: {e.Message}");
        }

        var entries = recent
            .Select(e => new SceneHistoryItem(e.ScenePath, e.SceneName, e.LoadedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture), e.LoadDurationMs, e.Result, e.Error, e.InstanceId))
            .ToList();
        return TypedResults.Ok(new SceneHistoryResponse(entries, entries.Count, max, total));
    }

    public static Results<Ok<SceneListResponse>, ProblemHttpResult> ListScenes(
        HeadlessGame game, string? dir = null, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "include_addons")] bool includeAddons = false)
    {
        var folder = dir ?? ResourcePath.Prefix;
        try
        {
            var scenes = game.Project.ListScenes(folder, includeAddons)
                .Select(s => new SceneListItem(s.Name, s.Path, s.SizeBytes, s.Modified))
                .ToList();
            return TypedResults.Ok(new SceneListResponse(scenes, scenes.Count, folder, includeAddons));
        }
        catch (SceneLoadException e)
        {
            return SceneProblem(e);
        }
    }

    public static async Task<Results<Ok<NodeJson>, ProblemHttpResult>> DumpScene(HeadlessGame game, CancellationToken cancellationToken, int depth = 64)
    {
        if (depth is < 0 or > 256)
        {
            return ApiProblems.BadRequest("'depth' must be between 0 and 256");
        }

        var dump = await game.ReadAsync(w => w.Dump(depth), cancellationToken);
        return dump is null ? ApiProblems.NotFound("No scene is loaded") : TypedResults.Ok(NodeJson.From(dump));
    }

    private static int StatusOf(SceneLoadException e) => e.Failure switch
    {
        SceneLoadFailure.InvalidPath => StatusCodes.Status400BadRequest,
        SceneLoadFailure.NotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    /// <summary>Maps a load failure onto a status: bad path 400, missing file 404, broken content 422.</summary>
    internal static ProblemHttpResult SceneProblem(SceneLoadException e)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["failure"] = e.Failure.ToString() };
        if (e.File is not null)
        {
            extensions["file"] = e.File;
        }

        if (e.Line is not null)
        {
            extensions["line"] = e.Line;
            extensions["column"] = e.Column;
        }

        return ApiProblems.Create(StatusOf(e), e.Message, extensions);
    }
}
