using System.Globalization;
using SpaceTime.Security.Http;
using SpaceTime.Security.Audit;
using SpaceTime.Security.RateLimiting;

namespace SpaceTime.Security;

/// <summary>The security middleware that runs before routing: headers, request size, production gates, rate limits.</summary>
public static class SecurityPipeline
{
    /// <summary>Security headers on every response, errors included; HSTS only over HTTPS.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.XXSSProtection = "1; mode=block";
            headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });

    /// <summary>413 for a declared body over <c>max_request_size_mb</c> (Kestrel enforces it for undeclared ones).</summary>
    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var settings = context.RequestServices.GetRequiredService<SecuritySettings>();
        var max = MaxBodyBytes(settings);
        if (context.Request.ContentLength > max)
        {
            var security = context.RequestServices.GetRequiredService<SecurityContext>();
            context.RequestServices.GetRequiredService<AuditLog>().Write(new AuditEvent("request", "SIZE_VIOLATION", security.Client(context), context.Request.Path,
                Status: 413, Details: $"{context.Request.ContentLength} bytes > {max}"));
            await ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, $"Request body is larger than {max} bytes",
                new Dictionary<string, object?> { ["max_size_bytes"] = max }).ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>Debug endpoints do not exist where they are disabled (always in production).</summary>
    public static IApplicationBuilder UseDebugEndpointGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/debug", StringComparison.OrdinalIgnoreCase)
            && !context.RequestServices.GetRequiredService<SecuritySettings>().Debug.EnableDebugEndpoints)
        {
            await ApiProblems.NotFound("Not Found").ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>Token-bucket limits per client and endpoint with X-RateLimit-* headers, 429 with Retry-After, and bans.</summary>
    /// <param name="app">The pipeline.</param>
    /// <param name="delegatedPaths">
    /// Path prefixes whose requests are limited by the server they are forwarded to (the manager's <c>/godot</c>: the
    /// game counts them against the real client); only bans are checked here, so no request is counted twice.
    /// </param>
    public static IApplicationBuilder UseClientRateLimits(this IApplicationBuilder app, params string[] delegatedPaths) => app.Use(async (context, next) =>
    {
        var limiter = context.RequestServices.GetRequiredService<ClientRateLimiter>();
        if (!limiter.Settings.Enabled || HttpMethods.IsOptions(context.Request.Method) || IsProbe(context.Request.Path))
        {
            await next(context);
            return;
        }

        var security = context.RequestServices.GetRequiredService<SecurityContext>();
        var client = security.Client(context);
        var prefix = delegatedPaths.FirstOrDefault(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
        var delegated = prefix is not null;
        if (delegated && context.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase, out var forwarded) && IsProbe(forwarded))
        {
            // The game's own /health and /livez, through the proxy: never limited or banned either.
            await next(context);
            return;
        }

        var decision = delegated ? limiter.CheckBan(client) : await limiter.CheckAsync(client, context.Request.Path.Value ?? "/");
        var headers = context.Response.Headers;
        if (decision.Outcome != RateLimitOutcome.EndpointOff && !delegated)
        {
            headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Reset"] = decision.Reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        switch (decision.Outcome)
        {
            case RateLimitOutcome.Allowed:
                await next(context);
                return;
            case RateLimitOutcome.EndpointOff:
                await ApiProblems.NotFound("Not Found").ExecuteAsync(context);
                return;
        }

        var retryAfter = Math.Max(1, (int)Math.Ceiling(decision.RetryAfterSeconds));
        headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var audit = context.RequestServices.GetRequiredService<AuditLog>();
        if (decision.Outcome == RateLimitOutcome.Banned)
        {
            security.CountBan();
            audit.Write(new AuditEvent("rate_limit", "BANNED", client, context.Request.Path, Status: 403, Details: $"banned until {decision.Reset:O}"));
            await ApiProblems.Create(StatusCodes.Status403Forbidden, $"Client {client} is banned for repeated rate-limit violations until {decision.Reset:O}",
                new Dictionary<string, object?> { ["reason"] = "banned", ["retry_after_seconds"] = retryAfter }).ExecuteAsync(context);
            return;
        }

        security.CountRateLimited();
        audit.Write(new AuditEvent("rate_limit", "RATE_LIMIT", client, context.Request.Path, Status: 429, Details: $"{decision.Scope} limit {decision.Limit}/min"));
        await ApiProblems.Create(StatusCodes.Status429TooManyRequests, $"Rate limit of {decision.Limit} requests per minute exceeded ({decision.Scope})",
            new Dictionary<string, object?> { ["reason"] = "rate_limited", ["retry_after_seconds"] = decision.RetryAfterSeconds, ["limit"] = decision.Limit, ["scope"] = decision.Scope })
            .ExecuteAsync(context);
    });

    /// <summary>
    /// <c>/health</c> and <c>/livez</c> are never limited or banned: monitoring must see a server even while one of
    /// the clients behind the same proxy misbehaves.
    /// </summary>
    public static bool IsProbe(PathString path) =>
        path.Equals("/health", StringComparison.OrdinalIgnoreCase) || path.Equals("/livez", StringComparison.OrdinalIgnoreCase);

    public static long MaxBodyBytes(SecuritySettings settings) => (long)(settings.HttpApi.MaxRequestSizeMb * 1024 * 1024);
}
