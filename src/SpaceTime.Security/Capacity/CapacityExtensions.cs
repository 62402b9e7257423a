using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SpaceTime.Security.Capacity;

/// <summary>Wires the capacity limits of <see cref="HttpApiSettings"/> into Kestrel and the request pipeline.</summary>
public static class CapacityExtensions
{
    /// <summary>
    /// Time limits that free a connection from a slow or idle client: headers within
    /// <see cref="HttpApiSettings.RequestHeadersTimeoutMs"/>, bodies at <see cref="HttpApiSettings.MinRequestBodyBytesPerSecond"/>
    /// or faster, idle keep-alive connections closed after <see cref="HttpApiSettings.KeepAliveTimeoutMs"/>. The connection
    /// caps are <see cref="ConnectionLimiter"/>'s, on the public listeners only, so Kestrel's own cap (which would count
    /// every listener) is off.
    /// </summary>
    public static KestrelServerOptions ApplyHttpLimits(this KestrelServerOptions kestrel, HttpApiSettings settings)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(settings);
        var limits = kestrel.Limits;
        limits.MaxConcurrentConnections = null;
        limits.RequestHeadersTimeout = TimeSpan.FromMilliseconds(settings.RequestHeadersTimeoutMs);
        limits.KeepAliveTimeout = TimeSpan.FromMilliseconds(settings.KeepAliveTimeoutMs);
        limits.MinRequestBodyDataRate = settings.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(settings.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
            : null;
        return kestrel;
    }

    /// <summary>Puts the public listener under the outside-client connection limits.</summary>
    public static ListenOptions UseConnectionLimits(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var limiter = listen.ApplicationServices.GetRequiredService<ConnectionLimiter>();
        listen.Use(limiter.Wrap);
        return listen;
    }

    /// <summary>Holds each request the gate applies to until a slot is free, or answers 503 with Retry-After.</summary>
    public static IApplicationBuilder UseRequestGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var gate = context.RequestServices.GetRequiredService<RequestGate>();
        if (!gate.Applies(context.Request.Path))
        {
            await next(context);
            return;
        }

        using var lease = await gate.EnterAsync(context.RequestAborted);
        if (lease is null)
        {
            await RequestGate.RefuseAsync(context);
            return;
        }

        await next(context);
    });
}
