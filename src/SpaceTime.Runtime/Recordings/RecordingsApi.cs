using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Scenes;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Http;

namespace SpaceTime.Runtime.Recordings;

public sealed record RecordingStartRequest(string? Name, int? CheckpointEvery);

public sealed record RecordingStarted(string Id, string Status, string? Name, string ScenePath, long StartTick, string StartHash, int CheckpointEvery);

public sealed record RecordingListResponse(IReadOnlyList<string> Recordings, string? Active);

/// <summary>Record the inputs of a session with their ticks, and replay them exactly from the start snapshot.</summary>
public static class RecordingsApi
{
    public const int DefaultCheckpointEvery = 90;

    public static IEndpointRouteBuilder MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        var recordings = app.MapGroup("/input/recordings").WithTags("Input").RequirePermission(Permissions.InputWrite);
        recordings.MapGet("", List);
        recordings.MapPost("", Start);
        recordings.MapGet("/{id}", Get);
        recordings.MapPost("/{id}/stop", Stop);
        recordings.MapPost("/{id}/replay", ReplayStored);
        recordings.MapPost("/replay", ReplayPosted);
        return app;
    }

    public static Ok<RecordingListResponse> List(RecordingStore store) => TypedResults.Ok(new RecordingListResponse(store.List(), store.Active?.Id));

    public static async Task<Results<Created<RecordingStarted>, ProblemHttpResult>> Start(
        RecordingStartRequest? request, RecordingStore store, [AsParameters] SceneServices services, CancellationToken cancellationToken)
    {
        var every = request?.CheckpointEvery ?? DefaultCheckpointEvery;
        if (every is < 1 or > HeadlessGame.MaxStepTicks)
        {
            return ApiProblems.BadRequest($"'checkpoint_every' must be from 1 to {HeadlessGame.MaxStepTicks} ticks");
        }

        if (store.Active is { } active)
        {
            return ApiProblems.Conflict($"Recording {active.Id} is running; stop it first (POST /input/recordings/{active.Id}/stop)");
        }

        InputRecorder recorder;
        try
        {
            recorder = await services.Game.StartRecordingAsync(RecordingStore.NewId(), request?.Name, every, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Conflict($"Cannot record: {e.Message}");
        }

        if (!store.TryBegin(recorder))
        {
            await services.Game.Loop.InvokeAsync(recorder.Detach, cancellationToken);
            return ApiProblems.Conflict("Another recording started at the same time; stop it first");
        }

        var (scene, tick, hash) = await services.Game.ReadAsync(w => (w.Scene!.ResourcePath, w.SceneTick, w.StateHash()!), cancellationToken);
        services.Write("RECORDING_START", scene, 201, $"{recorder.Id} at tick {tick}");
        return TypedResults.Created($"/input/recordings/{recorder.Id}", new RecordingStarted(recorder.Id, "recording", recorder.Name, scene, tick, hash, every));
    }

    public static async Task<Results<Ok<InputRecording>, ProblemHttpResult>> Stop(
        string id, RecordingStore store, [AsParameters] SceneServices services, CancellationToken cancellationToken)
    {
        if (store.End(id) is not { } recorder)
        {
            return ApiProblems.NotFound($"No recording '{id}' is running{(store.Active is { } a ? $" (the running one is {a.Id})" : "")}");
        }

        try
        {
            var recording = await services.Game.StopRecordingAsync(recorder, cancellationToken);
            store.Save(recording);
            services.Write("RECORDING_STOP", recording.ScenePath, 200, $"{id}: {recording.Inputs.Count} inputs, ticks {recording.StartTick}-{recording.EndTick}");
            return TypedResults.Ok(recording);
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Conflict($"Recording {id} cannot be kept: {e.Message}");
        }
    }

    public static Results<Ok<InputRecording>, ProblemHttpResult> Get(string id, RecordingStore store) =>
        store.Get(id) is { } recording ? TypedResults.Ok(recording) : ApiProblems.NotFound($"No recording '{id}'");

    public static Task<Results<Ok<ReplayResult>, ProblemHttpResult>> ReplayStored(
        string id, RecordingStore store, [AsParameters] SceneServices services, CancellationToken cancellationToken) =>
        store.Get(id) is { } recording
            ? ReplayAsync(recording, services, cancellationToken)
            : Task.FromResult<Results<Ok<ReplayResult>, ProblemHttpResult>>(ApiProblems.NotFound($"No recording '{id}'"));

    /// <summary>Replays a recording sent in the body (one kept as a file by an agent or a CI job).</summary>
    public static Task<Results<Ok<ReplayResult>, ProblemHttpResult>> ReplayPosted(
        InputRecording? recording, [AsParameters] SceneServices services, CancellationToken cancellationToken) =>
        recording?.StartSnapshot is null || recording.Inputs is null || recording.Checkpoints is null
            ? Task.FromResult<Results<Ok<ReplayResult>, ProblemHttpResult>>(ApiProblems.BadRequest("Send a recording as POST /input/recordings/{id}/stop returned it"))
            : ReplayAsync(recording, services, cancellationToken);

    /// <summary>200 when the replay reaches the recorded hashes; 422 naming the first divergent tick when not.</summary>
    private static async Task<Results<Ok<ReplayResult>, ProblemHttpResult>> ReplayAsync(
        InputRecording recording, SceneServices services, CancellationToken cancellationToken)
    {
        if (services.Refuse(recording.ScenePath) is { } refused)
        {
            return refused;
        }

        try
        {
            var result = await services.Game.ReplayAsync(recording, cancellationToken);
            services.Write(result.Matches ? "REPLAY" : "REPLAY_DIVERGED", recording.ScenePath, result.Matches ? 200 : 422,
                $"{recording.Id}: {(result.Matches ? "final hash matches" : $"diverged at tick {result.FirstDivergentTick}")}");
            if (result.Matches)
            {
                return TypedResults.Ok(result);
            }

            return ApiProblems.Unprocessable($"The replay diverged from the recording at tick {result.FirstDivergentTick}", new Dictionary<string, object?>
            {
                ["first_divergent_tick"] = result.FirstDivergentTick,
                ["expected_hash"] = result.ExpectedHash,
                ["actual_hash"] = result.ActualHash,
                ["final_hash"] = result.FinalHash,
                ["expected_final_hash"] = result.ExpectedFinalHash,
            });
        }
        catch (SceneLoadException e)
        {
            return ScenesApi.SceneProblem(e);
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Conflict($"Cannot replay {recording.Id}: {e.Message}");
        }
    }
}
