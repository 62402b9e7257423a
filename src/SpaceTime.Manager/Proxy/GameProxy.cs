using Microsoft.AspNetCore.WebUtilities;
using SpaceTime.Manager.GameApi;
using SpaceTime.Manager.Metrics;
using SpaceTime.Security;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.RateLimiting;
using SpaceTime.Security.Http;
using Yarp.ReverseProxy.Forwarder;

namespace SpaceTime.Manager.Proxy;

/// <summary>
/// <c>/godot/{**path}</c> → the game API (YARP forwarder). The caller's <c>Authorization</c> header goes through, so the
/// game decides what the caller may do. Idempotent requests are retried (3 tries, 1 s apart) when the game cannot be
/// reached; a game that is down answers 502, one that does not answer in time 504, each with a clear body.
/// The game learns who the caller is: <c>X-Forwarded-For</c> is replaced with the client this manager resolved (its
/// own trusted proxies honoured), vouched for with the per-run secret it gave the game (<see cref="ClientAddress.ProxySecretHeader"/>),
/// so the game's limits and bans apply to each real client instead of to the manager's address.
/// </summary>
public static class GameProxy
{
    public const string PathPrefix = "/godot";

    /// <param name="app">The manager's routes.</param>
    /// <param name="game">How to reach the game (its private socket, else its port on 127.0.0.1).</param>
    /// <param name="proxySecret">The secret the game was started with (<c>SPACETIME_PROXY_SECRET</c>).</param>
    public static IEndpointRouteBuilder MapGameProxy(this IEndpointRouteBuilder app, GameConnector game, string proxySecret)
    {
        var godotPort = game.GodotPort;
        var maxConnections = MaxConnectionsToGame(app.ServiceProvider.GetRequiredService<SecuritySettings>().HttpApi.MaxConnections);
        var invoker = new HttpMessageInvoker(new ConnectRetryHandler(game.CreateHandler(h => h.MaxConnectionsPerServer = maxConnections)));
        var destination = $"http://127.0.0.1:{godotPort}/";
        var transformer = new ClientForwardingTransformer(proxySecret);
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(30) };
        var metrics = app.ServiceProvider.GetRequiredService<ManagerMetrics>();

        async Task Forward(HttpContext context, IHttpForwarder forwarder)
        {
            var original = context.Request.Path;
            context.Request.Path = "/" + (context.Request.RouteValues["path"] as string ?? "");
            try
            {
                await ReadBodyFirstAsync(context.Request, context.RequestAborted);
                var error = await forwarder.SendAsync(context, destination, invoker, config, transformer);
                if (error == ForwarderError.None || context.Response.HasStarted)
                {
                    return;
                }

                var timedOut = error == ForwarderError.RequestTimedOut;
                metrics.ProxyFailed(timedOut);
                await ApiProblems.Create(
                        timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                        timedOut ? "The game API did not answer in time" : $"The game API is not reachable on port {godotPort} (the game is down or restarting)",
                        new Dictionary<string, object?> { ["proxy_error"] = error.ToString() })
                    .ExecuteAsync(context);
            }
            finally
            {
                context.Request.Path = original;
            }
        }

        app.Map("/godot/{**path}", Forward).RequirePermission(Permissions.HealthRead).WithTags("Proxy");
        // The game's dashboard page and its assets hold no data: served without a token, like on the game itself.
        app.MapGet("/godot/web/{**path}", (HttpContext context, IHttpForwarder forwarder) =>
        {
            context.Request.RouteValues["path"] = "web/" + (context.Request.RouteValues["path"] as string ?? "");
            return Forward(context, forwarder);
        }).AllowAnonymous().WithTags("Proxy").ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Reads the caller's request body whole (in memory, past 30 KiB in a temporary file; the security pipeline has
    /// already bounded it with <c>max_request_size_mb</c>) before it is forwarded. Over HTTP/2 the game may answer before it
    /// has read the body (a refusal: 401, 429, 503), and the client then stops sending it; a forwarder still reading the
    /// caller's body at that moment leaves Kestrel unable to drain it, and the caller's connection was aborted with no
    /// answer at all (dotnet/aspnetcore#17840; seen as "response ended prematurely" under load).
    /// </summary>
    private static async Task ReadBodyFirstAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return;
        }

        request.EnableBuffering();
        await request.Body.DrainAsync(cancellationToken);
        request.Body.Position = 0;
    }

    /// <summary>
    /// Connections the proxy keeps to a game it reaches over TCP (over the private socket, one HTTP/2 connection carries
    /// every request the manager's request gate lets through): half the game's connection cap (the same <c>http_api.max_connections</c>),
    /// at most 32. Without a bound, 1,000 clients at once made the proxy open as many connections (over TCP the game
    /// refused those past its cap: 502s for half of all answers, bench/http-load.sh); with it, requests beyond the bound
    /// wait in the pool for a connection (the manager's request gate bounds that wait), and the game's two cores are not
    /// asked for more concurrency than they can serve. 32 keep two cores busy.
    /// </summary>
    public static int MaxConnectionsToGame(int gameMaxConnections) => Math.Clamp(gameMaxConnections / 2, 1, 32);

    /// <summary>Retries idempotent requests (3 tries, 1 s apart) when the connection to the game cannot be made.</summary>
    private sealed class ConnectRetryHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public const int Attempts = 3;

        private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var idempotent = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await base.SendAsync(request, cancellationToken);
                }
                catch (HttpRequestException e) when (idempotent && attempt < Attempts && e.InnerException is System.Net.Sockets.SocketException)
                {
                    // Nothing reached the game (the connection was refused): safe to try again.
                    await Task.Delay(RetryDelay, cancellationToken);
                }
            }
        }
    }
}
