using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Scenes;
using SpaceTime.Runtime.Scenes;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Http;

namespace SpaceTime.Runtime.World;

public sealed record SnapshotSaveRequest(string? Name);

public sealed record SnapshotListResponse(IReadOnlyList<WorldSnapshotInfo> Snapshots, int Count);

public sealed record SnapshotRestoreResponse(string Status, string Id, string ScenePath, long Tick, string StateHash, bool HashMatches);

/// <summary>World snapshots: save the whole world state, list, restore (the hash after equals the snapshot's), delete.</summary>
public static class WorldApi
{
    private const int MaxNameLength = 200;

    public static IEndpointRouteBuilder MapWorldApi(this IEndpointRouteBuilder app)
    {
        var snapshots = app.MapGroup("/world/snapshots").WithTags("World");
        snapshots.MapGet("", ListSnapshots).RequirePermission(Permissions.StateRead);
        snapshots.MapPost("", SaveSnapshot).RequirePermission(Permissions.SceneWrite);
        snapshots.MapPost("/{id}/restore", RestoreSnapshot).RequirePermission(Permissions.SceneWrite);
        snapshots.MapDelete("/{id}", DeleteSnapshot).RequirePermission(Permissions.SceneWrite);
        return app;
    }

    public static Ok<SnapshotListResponse> ListSnapshots(WorldSnapshotStore store)
    {
        var list = store.List();
        return TypedResults.Ok(new SnapshotListResponse(list, list.Count));
    }

    public static async Task<Results<Created<WorldSnapshotInfo>, ProblemHttpResult>> SaveSnapshot(
        SnapshotSaveRequest? request, WorldSnapshotStore store, [AsParameters] SceneServices services, CancellationToken cancellationToken)
    {
        var name = request?.Name;
        if (name is { Length: > MaxNameLength })
        {
            return ApiProblems.BadRequest($"'name' is at most {MaxNameLength} characters");
        }

        var snapshot = await services.Game.ReadAsync(w => w.Capture(), cancellationToken);
        if (snapshot is null)
        {
            return ApiProblems.Conflict("No scene is loaded, so there is no world to snapshot");
        }

        try
        {
            var info = store.Save(name, snapshot, snapshot.Hash());
            services.Write("SNAPSHOT_SAVE", snapshot.ScenePath, 201, $"{info.Id} at tick {info.Tick}, {info.SizeBytes} bytes");
            return TypedResults.Created($"/world/snapshots/{info.Id}", info);
        }
        catch (WorldSnapshotTooLargeException e)
        {
            return ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, e.Message);
        }
    }

    public static async Task<Results<Ok<SnapshotRestoreResponse>, ProblemHttpResult>> RestoreSnapshot(
        string id, WorldSnapshotStore store, [AsParameters] SceneServices services, CancellationToken cancellationToken)
    {
        if (store.Get(id) is not { } stored)
        {
            return ApiProblems.NotFound($"No snapshot '{id}' (GET /world/snapshots lists them)");
        }

        if (services.Refuse(stored.Info.ScenePath) is { } refused)
        {
            return refused;
        }

        try
        {
            var hash = await services.Game.RestoreAsync(stored.Snapshot, cancellationToken);
            var matches = hash == stored.Info.StateHash;
            services.Write("SNAPSHOT_RESTORE", stored.Info.ScenePath, 200, $"{id} to tick {stored.Info.Tick}{(matches ? "" : ", hash differs")}");
            return TypedResults.Ok(new SnapshotRestoreResponse("restored", id, stored.Info.ScenePath, stored.Info.Tick, hash, matches));
        }
        catch (SceneLoadException e)
        {
            services.Write("FAILURE", stored.Info.ScenePath, 422, e.Message);
            return ScenesApi.SceneProblem(e);
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Conflict($"Cannot restore {id}: {e.Message}");
        }
    }

    public static Results<NoContent, ProblemHttpResult> DeleteSnapshot(string id, WorldSnapshotStore store, [AsParameters] SceneServices services)
    {
        if (!store.Delete(id))
        {
            return ApiProblems.NotFound($"No snapshot '{id}'");
        }

        services.Write("SNAPSHOT_DELETE", id, 204);
        return TypedResults.NoContent();
    }
}
