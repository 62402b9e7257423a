using System.Net;
using SpaceTime.Security.Http;
using Yarp.ReverseProxy.Forwarder;

namespace SpaceTime.Manager.Proxy;

/// <summary>
/// <c>/telemetry</c> → the game's telemetry WebSocket (its own port), so a page served by the manager reads the live
/// stream from the same origin. The upgrade itself needs no token: a browser cannot set headers on a WebSocket, so the
/// client authenticates with its first message (<c>{"command":"authenticate","token":...}</c>), which the game checks
/// with the same tokens as HTTP and answers by closing (1008) when it is missing or wrong. The token never
/// appears in a URL.
/// </summary>
public static class TelemetryProxy
{
    /// <summary>The runtime's default telemetry port, used when the manager was not told another.</summary>
    public const int DefaultTelemetryPort = 8081;

    public static IEndpointRouteBuilder MapTelemetryProxy(this IEndpointRouteBuilder app, int? telemetryPort)
    {
        var port = telemetryPort ?? DefaultTelemetryPort;
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ActivityHeadersPropagator = null,
        });
        var destination = $"http://127.0.0.1:{port}/";
        // The stream sends every half second; a minute of silence means the game is gone.
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(1) };

        app.Map("/telemetry", async (HttpContext context, IHttpForwarder forwarder) =>
        {
            if (port <= 0)
            {
                await ApiProblems.Create(StatusCodes.Status404NotFound,
                    "The manager does not know the game's telemetry port (start it with --telemetry-port N, N > 0)").ExecuteAsync(context);
                return;
            }

            var error = await forwarder.SendAsync(context, destination, invoker, config, HttpTransformer.Default);
            if (error != ForwarderError.None && !context.Response.HasStarted)
            {
                await ApiProblems.Create(StatusCodes.Status502BadGateway,
                        $"The game's telemetry is not reachable on port {port} (the game is down or restarting)",
                        new Dictionary<string, object?> { ["proxy_error"] = error.ToString() })
                    .ExecuteAsync(context);
            }
        }).AllowAnonymous().DisableRequestTimeout().WithTags("Proxy").ExcludeFromDescription();
        return app;
    }
}
