using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Engine.Worlds;
using SpaceTime.Security;
using SpaceTime.Security.Audit;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Http;

namespace SpaceTime.Runtime.Time;

public sealed record TimeJson(bool Paused, long Tick, int TickRate, double GameTimeSeconds);

public sealed record StepRequest(int? Ticks);

public sealed record StepJson(long Tick, string? StateHash, int TicksStepped, bool Paused);

public sealed record StepUntilRequest(JsonElement? Condition, int? MaxTicks);

public sealed record StepUntilJson(bool Held, long Tick, string? StateHash, int TicksStepped);

/// <summary>What the time endpoints need: the game, and the audit trail with who asked.</summary>
public readonly record struct TimeServices(HeadlessGame Game, AuditLog Audit, SecurityContext Security, HttpContext Context)
{
    public void Write(string result, int status, string details) =>
        Audit.Write(new AuditEvent("time", result, Security.Client(Context), Context.Request.Path,
            SecurityContext.Subject(Context.User), SecurityContext.Role(Context.User), status, details));
}

/// <summary>
/// Game time for agents: pause (the loop keeps running, health stays green, the world stops), resume, step
/// exactly N ticks, and step until a declarative condition holds.
/// </summary>
public static class TimeApi
{
    public static IEndpointRouteBuilder MapTimeApi(this IEndpointRouteBuilder app)
    {
        var time = app.MapGroup("/time").WithTags("Time");
        time.MapGet("", GetTime).RequirePermission(Permissions.StateRead);
        time.MapPost("/pause", Pause).RequirePermission(Permissions.TimeControl);
        time.MapPost("/resume", Resume).RequirePermission(Permissions.TimeControl);
        time.MapPost("/step", Step).RequirePermission(Permissions.TimeControl);
        time.MapPost("/step_until", StepUntil).RequirePermission(Permissions.TimeControl);
        return app;
    }

    public static async Task<Ok<TimeJson>> GetTime(HeadlessGame game, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadTimeAsync(game, cancellationToken));

    public static async Task<TimeJson> ReadTimeAsync(HeadlessGame game, CancellationToken cancellationToken)
    {
        var (paused, tick) = await game.ReadAsync(w => (w.Paused, w.SceneTick), cancellationToken);
        var rate = game.Loop.TicksPerSecond;
        return new TimeJson(paused, tick, rate, Math.Round(tick / (double)rate, 6));
    }

    public static async Task<Ok<TimeJson>> Pause([AsParameters] TimeServices services, CancellationToken cancellationToken)
    {
        var tick = await services.Game.SetPausedAsync(true, cancellationToken);
        services.Write("PAUSE", 200, $"paused at tick {tick}");
        return TypedResults.Ok(await ReadTimeAsync(services.Game, cancellationToken));
    }

    public static async Task<Ok<TimeJson>> Resume([AsParameters] TimeServices services, CancellationToken cancellationToken)
    {
        var tick = await services.Game.SetPausedAsync(false, cancellationToken);
        services.Write("RESUME", 200, $"resumed at tick {tick}");
        return TypedResults.Ok(await ReadTimeAsync(services.Game, cancellationToken));
    }

    public static async Task<Results<Ok<StepJson>, ProblemHttpResult>> Step(StepRequest? request, [AsParameters] TimeServices services, CancellationToken cancellationToken)
    {
        if (request?.Ticks is not { } ticks || ticks < 1 || ticks > HeadlessGame.MaxStepTicks)
        {
            return ApiProblems.BadRequest($"'ticks' must be a whole number from 1 to {HeadlessGame.MaxStepTicks}");
        }

        try
        {
            var result = await services.Game.StepAsync(ticks, cancellationToken);
            services.Write("STEP", 200, $"{ticks} ticks to tick {result.Tick}");
            return TypedResults.Ok(new StepJson(result.Tick, result.StateHash, result.TicksStepped, true));
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Conflict(e.Message);
        }
    }

    public static async Task<Results<Ok<StepUntilJson>, ProblemHttpResult>> StepUntil(
        StepUntilRequest? request, [AsParameters] TimeServices services, CancellationToken cancellationToken)
    {
        if (request?.MaxTicks is not { } maxTicks || maxTicks < 1 || maxTicks > HeadlessGame.MaxStepTicks)
        {
            return ApiProblems.BadRequest($"'max_ticks' must be a whole number from 1 to {HeadlessGame.MaxStepTicks}");
        }

        if (request.Condition is not { } json)
        {
            return ApiProblems.BadRequest("'condition' is required, e.g. {\"player_on_floor\": true}");
        }

        if (!StepCondition.TryParse(json, out var condition, out var error))
        {
            return ApiProblems.BadRequest($"Invalid condition: {error}");
        }

        var missing = await services.Game.ReadAsync(w => condition!.NodePaths().Where(p => w.FindNode(p) is null).Distinct().ToList(), cancellationToken);
        if (missing.Count > 0)
        {
            return ApiProblems.NotFound($"The condition names nodes that do not exist: {string.Join(", ", missing)}");
        }

        try
        {
            var result = await services.Game.StepUntilAsync(condition!.Holds, maxTicks, cancellationToken);
            if (!result.ConditionHeld)
            {
                services.Write("STEP_UNTIL_TIMEOUT", 422, $"condition did not hold within {maxTicks} ticks");
                return ApiProblems.Unprocessable($"The condition did not hold within {maxTicks} ticks (now at tick {result.Tick})",
                    new Dictionary<string, object?> { ["tick"] = result.Tick, ["state_hash"] = result.StateHash, ["ticks_stepped"] = result.TicksStepped });
            }

            services.Write("STEP_UNTIL", 200, $"condition held after {result.TicksStepped} ticks at tick {result.Tick}");
            return TypedResults.Ok(new StepUntilJson(true, result.Tick, result.StateHash, result.TicksStepped));
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Conflict(e.Message);
        }
    }
}
