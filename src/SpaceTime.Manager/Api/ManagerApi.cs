using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using SpaceTime.Manager.Supervision;
using SpaceTime.Records;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Http;

namespace SpaceTime.Manager.Api;

public sealed record ManagerStatusResponse(
    string State,
    DateTimeOffset StateSince,
    int? Pid,
    DateTimeOffset? StartedAt,
    double? UptimeSeconds,
    int RestartCount,
    IReadOnlyList<ChildExitRecord> RestartHistory,
    ChildExitRecord? LastExit,
    string? FailureReason,
    string? DegradedReason,
    IReadOnlyList<LifecycleTransitionResponse> LifecycleHistory);

/// <summary>One lifecycle change, oldest first in <c>lifecycle_history</c>.</summary>
public sealed record LifecycleTransitionResponse(string From, string To, DateTimeOffset At, string Reason);

public sealed record ControlResponse(string Status, string State, string Message);

public sealed record LivenessResponse(bool Alive, string State);

public sealed record LogsResponse(IReadOnlyList<string> Lines, int Count);

/// <summary>The management endpoints: health (open), status, start/stop/restart (admin), logs.</summary>
public static class ManagerApi
{
    public const int MaxTail = 1000;

    public static IEndpointRouteBuilder MapManagerApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth).WithTags("Manager").AllowAnonymous();
        app.MapGet("/livez", GetLiveness).WithTags("Manager").AllowAnonymous();
        app.MapGet("/status", GetStatus).WithTags("Manager").RequirePermission(Permissions.StatusRead);
        app.MapPost("/start", Start).WithTags("Manager").RequirePermission(Permissions.ProcessControl);
        app.MapPost("/stop", Stop).WithTags("Manager").RequirePermission(Permissions.ProcessControl);
        app.MapPost("/restart", Restart).WithTags("Manager").RequirePermission(Permissions.ProcessControl);
        app.MapGet("/logs", GetLogs).WithTags("Manager").RequirePermission(Permissions.DebugRead);
        app.MapGet("/metrics", WriteMetrics).WithTags("Manager").RequirePermission(Permissions.MetricsRead);
        return app;
    }

    /// <summary>
    /// 200 when healthy, 503 otherwise, with each failing condition in <c>blocking_issues</c>; a data dir that cannot
    /// be written (disk full, read-only) is one of them.
    /// </summary>
    public static JsonHttpResult<HealthSnapshot> GetHealth(
        GameSupervisor supervisor, SpaceTime.Security.Storage.StorageHealth storage, SpaceTime.Security.State.ISecurityStateStore securityState,
        DatabaseHealth database, ManagerOptions options)
    {
        var health = supervisor.GetHealth();
        if (securityState.Backend == "redis")
        {
            // Never a failure: without Redis, tokens keep working from the local view (the game's /health says the same).
            health = health with { Redis = new ServiceCheckJson(securityState.Health.Status, securityState.Health.Message) };
        }

        if (database.Configured)
        {
            // Never a failure either: the manager's audit records wait in the data dir's outbox until it is back.
            var (status, message) = database.Check();
            health = health with { Database = new ServiceCheckJson(status, message) };
        }

        // The game's own health says when its writes fail; the manager probes the shared data dir itself.
        var state = storage.Probe(options.DataDir ?? SpaceTime.Security.DataDirectory.Default, always: true);
        health = state.Healthy
            ? health with { Storage = new StorageHealthJson("pass", null, null) }
            : health with
            {
                Storage = new StorageHealthJson("fail", state.Store, state.Problem),
                OverallHealthy = false,
                BlockingIssues = [.. health.BlockingIssues, $"Storage FAIL: the {state.Store} cannot be written ({state.Problem})"],
            };
        return TypedResults.Json(health, statusCode: health.OverallHealthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// Liveness for orchestrators: 200 while the manager is supervising or deliberately stopped — including while it
    /// restarts a crashed game, when <c>/health</c> is 503 — and 503 only once it has given up (FAILED), when a fresh
    /// container is the right next step.
    /// </summary>
    public static JsonHttpResult<LivenessResponse> GetLiveness(GameSupervisor supervisor)
    {
        var state = supervisor.Lifecycle.Current;
        var alive = state != LifecycleState.Failed;
        return TypedResults.Json(new LivenessResponse(alive, state.ToWireName()), statusCode: alive ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    public static Ok<ManagerStatusResponse> GetStatus(GameSupervisor supervisor)
    {
        var s = supervisor.GetStatus();
        return TypedResults.Ok(new ManagerStatusResponse(s.State.ToWireName(), s.StateSince, s.Pid, s.StartedAt,
            s.Uptime?.TotalSeconds is { } up ? Math.Round(up, 3) : null, s.RestartCount, s.RestartHistory, s.LastExit, s.FailureReason, s.DegradedReason,
            [.. s.Transitions.Select(t => new LifecycleTransitionResponse(t.From.ToWireName(), t.To.ToWireName(), t.At, t.Reason))]));
    }

    public static async Task<Results<Ok<ControlResponse>, Conflict<ControlResponse>>> Start(GameSupervisor supervisor, CancellationToken cancellationToken)
    {
        var started = await supervisor.StartGameAsync(cancellationToken);
        var state = supervisor.GetStatus().State.ToWireName();
        return started
            ? TypedResults.Ok(new ControlResponse("started", state, "Supervision started; the game is starting"))
            : TypedResults.Conflict(new ControlResponse("already_running", state, "The game is already supervised; use POST /restart"));
    }

    public static async Task<Results<Ok<ControlResponse>, Conflict<ControlResponse>>> Stop(GameSupervisor supervisor, CancellationToken cancellationToken)
    {
        var stopped = await supervisor.StopGameAsync(cancellationToken);
        var state = supervisor.GetStatus().State.ToWireName();
        return stopped
            ? TypedResults.Ok(new ControlResponse("stopped", state, "The game and its process group were stopped"))
            : TypedResults.Conflict(new ControlResponse("not_running", state, "The game is not supervised"));
    }

    public static async Task<Results<Ok<ControlResponse>, ProblemHttpResult>> Restart(
        GameSupervisor supervisor, RestartLimiter limiter, HttpContext context, CancellationToken cancellationToken)
    {
        if (!limiter.TryAcquire(out var retryAfter))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return ApiProblems.Create(StatusCodes.Status429TooManyRequests, $"At most {limiter.Limit} restarts per hour; try again in {seconds} s",
                new Dictionary<string, object?> { ["retry_after_seconds"] = seconds });
        }

        await supervisor.RestartGameAsync(cancellationToken);
        return TypedResults.Ok(new ControlResponse("restarting", supervisor.GetStatus().State.ToWireName(), "The game is restarting"));
    }

    public static async Task WriteMetrics(HttpContext context, Metrics.ManagerMetrics metrics)
    {
        context.Response.ContentType = Metrics.ManagerMetrics.ContentType;
        await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
    }

    public static Results<Ok<LogsResponse>, ProblemHttpResult> GetLogs(GameSupervisor supervisor, int tail = 100)
    {
        if (tail is < 1 or > MaxTail)
        {
            return ApiProblems.BadRequest($"'tail' must be between 1 and {MaxTail}");
        }

        var lines = supervisor.Output.Tail(tail).Select(l => l.ToString()).ToList();
        return TypedResults.Ok(new LogsResponse(lines, lines.Count));
    }
}
