using SpaceTime.Manager.GameApi;
using SpaceTime.Manager.Supervision;
using SpaceTime.Security.Http;
using Yarp.ReverseProxy.Forwarder;

namespace SpaceTime.Manager.Proxy;

/// <summary>
/// <c>/telemetry</c> → the game's telemetry WebSocket (its own port), so a page served by the manager reads the live
/// stream from the same origin. The upgrade itself needs no token: a browser cannot set headers on a WebSocket, so the
/// client authenticates with its first message (<c>{"command":"authenticate","token":...}</c>), which the game checks
/// with the same tokens as HTTP and answers by closing (1008) when it is missing or wrong. The token never
/// appears in a URL. The game is told who the client is, as on <c>/godot</c>, so its per-address connection cap counts
/// each client and not the manager.
/// </summary>
public static class TelemetryProxy
{
    /// <param name="app">The manager's routes.</param>
    /// <param name="telemetryPort">The port the manager gave the game (<c>--telemetry-port</c>); when it gave none (or 0,
    /// a free port), the game's own <c>/status</c> says which port it bound. -1 means telemetry is off.</param>
    /// <param name="proxySecret">The secret the game trusts this manager's <c>X-Forwarded-For</c> by.</param>
    public static IEndpointRouteBuilder MapTelemetryProxy(this IEndpointRouteBuilder app, int? telemetryPort, string proxySecret)
    {
        var transformer = new ClientForwardingTransformer(proxySecret);
        var invoker = new HttpMessageInvoker(GameConnector.CreateTcpHandler());
        // The stream sends every half second; a minute of silence means the game is gone.
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(1) };

        app.Map("/telemetry", async (HttpContext context, IHttpForwarder forwarder, GameSupervisor supervisor) =>
        {
            if (telemetryPort < 0)
            {
                await ApiProblems.Create(StatusCodes.Status404NotFound, "The game runs without telemetry (--telemetry-port -1)").ExecuteAsync(context);
                return;
            }

            var port = telemetryPort > 0 ? telemetryPort : (await supervisor.Api.GetStatusAsync(context.RequestAborted))?.TelemetryPort;
            if (port is not > 0)
            {
                await ApiProblems.Create(StatusCodes.Status502BadGateway,
                    "The game's telemetry port is not known yet (the game is down or restarting)").ExecuteAsync(context);
                return;
            }

            var error = await forwarder.SendAsync(context, $"http://127.0.0.1:{port}/", invoker, config, transformer);
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
