using System.Diagnostics;
using SpaceTime.Runtime.Profiling;
using SpaceTime.Security.Authentication;

namespace SpaceTime.Runtime.Metrics;

public sealed record ProfileResponse(double WindowSeconds, DateTimeOffset GeneratedAt, IReadOnlyList<RouteProfile> Routes);

/// <summary><c>GET /metrics</c> (Prometheus), <c>GET /debug/profile</c>, and the middleware that measures every request.</summary>
public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", WriteMetrics).WithTags("Metrics").RequirePermission(Permissions.MetricsRead).ExcludeFromDescription();
        app.MapGet("/debug/profile", GetProfile).WithTags("Debug").RequirePermission(Permissions.DebugRead);
        return app;
    }

    public static async Task WriteMetrics(HttpContext context, RuntimeMetrics metrics)
    {
        context.Response.ContentType = RuntimeMetrics.ContentType;
        await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
    }

    public static IResult GetProfile(RequestProfiler profiler, TimeProvider time) =>
        TypedResults.Ok(new ProfileResponse(RequestProfiler.Window.TotalSeconds, time.GetUtcNow(), profiler.Snapshot()));

    /// <summary>Counts and times every request (including the ones security refuses) by route template and status.</summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var template = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            // A group's own route ("/scene" + "") reads "/scene/"; label it as clients call it.
            var route = template is null ? "unmatched" : template.Length > 1 ? template.TrimEnd('/') : template;
            var status = context.Response.StatusCode;
            context.RequestServices.GetRequiredService<RuntimeMetrics>().ObserveRequest(route, context.Request.Method, status, elapsed.TotalSeconds);
            context.RequestServices.GetRequiredService<RequestProfiler>().Record(route, context.Request.Method, status, elapsed.TotalMilliseconds);
        }
    });
}
