using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Security.Http;
using SpaceTime.Engine.Players;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.State;
using SpaceTime.Security.Authentication;

namespace SpaceTime.Runtime.Input;

/// <summary>Walk: <c>forward</c> and <c>strafe</c> in [-1, 1] (player frame), for <c>duration_seconds</c> at <c>speed</c> m/s.</summary>
public sealed record MoveRequest(float Forward = 0, float Strafe = 0, float Speed = Player.DefaultMoveSpeed, float DurationSeconds = 0.5f);

public sealed record TeleportRequest(float? X, float? Y, float? Z);

public sealed record SnapTurnRequest(string? Direction = "right", float Degrees = Player.DefaultSnapTurnDegrees);

public sealed record InputResponse(string Status, string Action, PlayerJson Player);

/// <summary>Player input for agents and tools: move, teleport, snap turn, recenter.</summary>
public static class InputApi
{
    public static IEndpointRouteBuilder MapInputApi(this IEndpointRouteBuilder app)
    {
        var input = app.MapGroup("/input").WithTags("Input").RequirePermission(Permissions.InputWrite);
        input.MapPost("/move", Move);
        input.MapPost("/teleport", Teleport);
        input.MapPost("/snap_turn", SnapTurn);
        input.MapPost("/recenter", Recenter);
        return app;
    }

    public static Task<Results<Ok<InputResponse>, ProblemHttpResult>> Move(MoveRequest request, HeadlessGame game, CancellationToken cancellationToken)
    {
        if (!InRange(request.Forward, -1, 1) || !InRange(request.Strafe, -1, 1))
        {
            return Task.FromResult<Results<Ok<InputResponse>, ProblemHttpResult>>(ApiProblems.BadRequest("'forward' and 'strafe' must be between -1 and 1"));
        }

        if (!InRange(request.Speed, 0, 10) || !InRange(request.DurationSeconds, 0, 10))
        {
            return Task.FromResult<Results<Ok<InputResponse>, ProblemHttpResult>>(ApiProblems.BadRequest("'speed' must be 0-10 m/s and 'duration_seconds' 0-10 s"));
        }

        return Control(game, "move", new MoveInput(request.Strafe, request.Forward, request.Speed, request.DurationSeconds), cancellationToken);
    }

    public static async Task<Results<Ok<InputResponse>, ProblemHttpResult>> Teleport(TeleportRequest request, HeadlessGame game, CancellationToken cancellationToken)
    {
        if (request.X is not { } x || request.Z is not { } z || !float.IsFinite(x) || !float.IsFinite(z) || Math.Abs(x) > 1e5 || Math.Abs(z) > 1e5)
        {
            return ApiProblems.BadRequest("'x' and 'z' are required finite numbers (|value| ≤ 100000)");
        }

        var y = request.Y ?? 1e5f;
        if (!float.IsFinite(y))
        {
            return ApiProblems.BadRequest("'y' must be a finite number");
        }

        return await Control(game, "teleport", new TeleportInput(x, y, z), cancellationToken, $"No ground to stand on at ({x}, {z}) at or below y = {y}");
    }

    public static Task<Results<Ok<InputResponse>, ProblemHttpResult>> SnapTurn(SnapTurnRequest request, HeadlessGame game, CancellationToken cancellationToken)
    {
        var sign = request.Direction?.ToLowerInvariant() switch
        {
            "left" => 1,
            "right" => -1,
            _ => 0,
        };
        if (sign == 0 || !InRange(request.Degrees, 1, 180))
        {
            return Task.FromResult<Results<Ok<InputResponse>, ProblemHttpResult>>(ApiProblems.BadRequest("'direction' must be 'left' or 'right' and 'degrees' between 1 and 180"));
        }

        return Control(game, "snap_turn", new SnapTurnInput(sign * request.Degrees), cancellationToken);
    }

    public static Task<Results<Ok<InputResponse>, ProblemHttpResult>> Recenter(HeadlessGame game, CancellationToken cancellationToken) =>
        Control(game, "recenter", new RecenterInput(), cancellationToken);

    /// <summary>Applies an input between ticks (it takes effect in the next tick, in arrival order) and reports the player.</summary>
    internal static async Task<Results<Ok<InputResponse>, ProblemHttpResult>> Control(
        HeadlessGame game, string action, WorldInput input, CancellationToken cancellationToken, string? refusal = null)
    {
        try
        {
            var (applied, state) = await game.ReadAsync(w => (w.Apply(input), w.GetPlayerState()), cancellationToken);
            return applied || refusal is null
                ? TypedResults.Ok(new InputResponse("ok", action, PlayerJson.From(state)))
                : ApiProblems.Unprocessable(refusal);
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Conflict(e.Message);
        }
    }

    private static bool InRange(float value, float min, float max) => float.IsFinite(value) && value >= min && value <= max;
}
