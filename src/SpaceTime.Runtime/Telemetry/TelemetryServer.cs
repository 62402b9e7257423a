using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Runtime.Metrics;
using SpaceTime.Security;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.Tokens;
using SpaceTime.Runtime.Status;

namespace SpaceTime.Runtime.Telemetry;

/// <summary>
/// The telemetry endpoint (default <c>ws://127.0.0.1:8081</c>, paths <c>/</c> and <c>/telemetry</c>, plus <c>/metrics</c>):
/// its own Kestrel listener beside the API, sharing the API's tokens, hub and metrics.
/// </summary>
public sealed partial class TelemetryServer(
    TelemetryHub hub,
    RuntimeMetrics metrics,
    BearerAuthenticator authenticator,
    SecurityContext securityContext,
    IOptions<RuntimeOptions> runtimeOptions,
    IOptions<TelemetryOptions> telemetryOptions,
    ILogger<TelemetryServer> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Close codes: 1008 policy violation (authentication), 1013 try again later (limits).</summary>
    public const WebSocketCloseStatus AuthenticationFailed = WebSocketCloseStatus.PolicyViolation;
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    private readonly TelemetryOptions _options = telemetryOptions.Value;
    private WebApplication? _app;

    /// <summary>The port actually bound (after start), or null when telemetry is off.</summary>
    public int? Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = runtimeOptions.Value;
        if (settings.TelemetryPort < 0)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            var port = settings.TelemetryPort;
            if (settings.Host == "localhost")
            {
                k.ListenLocalhost(port);
            }
            else
            {
                k.Listen(IPAddress.Parse(settings.Host), port);
            }
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(_options.KeepAliveSeconds),
            KeepAliveTimeout = TimeSpan.FromSeconds(_options.IdleTimeoutSeconds),
        });
        app.Map("/", HandleAsync);
        app.Map("/telemetry", HandleAsync);
        app.MapGet("/metrics", ServeMetricsAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e) when (RuntimeServer.IsAddressInUse(e))
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"telemetry port {settings.TelemetryPort} is in use (choose another with --telemetry-port)", e);
        }

        _app = app;
        Port = StatusApi.ListeningPort(app.Services.GetRequiredService<IServer>());
        LogListening(logger, $"ws://{settings.Host}:{Port}/telemetry");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task ServeMetricsAsync(HttpContext context)
    {
        var check = authenticator.AuthenticateHeader(context.Request.Headers.Authorization.ToString());
        var claims = check.Claims;
        if (!check.Succeeded)
        {
            authenticator.RecordFailure(context, check.Failure);
        }

        if (claims is null || !(claims.Subject == TokenService.MetricsTokenSubject || Permissions.Allows(claims.Role, Permissions.MetricsRead)))
        {
            context.Response.StatusCode = claims is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"spacetime\"";
            return;
        }

        context.Response.ContentType = RuntimeMetrics.ContentType;
        await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await context.Response.WriteAsync("telemetry is a WebSocket endpoint: connect with ws://", context.RequestAborted);
            return;
        }

        var address = securityContext.Client(context);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        if (hub.Count >= _options.MaxConnections || hub.CountFrom(address) >= _options.MaxConnectionsPerAddress)
        {
            await CloseAsync(socket, TryAgainLater, "too many telemetry connections", context.RequestAborted);
            return;
        }

        var check = Authenticate(context.Request);
        if (check.Failure == TokenFailure.Missing)
        {
            check = await AwaitAuthenticateCommandAsync(socket, context.RequestAborted);
        }

        if (!check.Succeeded)
        {
            authenticator.RecordFailure(context, check.Failure);
        }

        var claims = check.Claims;
        if (claims is null || !Permissions.Allows(claims.Role, Permissions.StateRead))
        {
            await CloseAsync(socket, AuthenticationFailed, claims is null ? "authentication required" : "the readonly role is required", context.RequestAborted);
            return;
        }

        var connection = new TelemetryConnection(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), address, socket, _options);
        // Counted (limits, metrics) before the client hears it is connected; what the hub publishes meanwhile waits in
        // the connection's queue for the sender, which starts after "connected" has gone out first.
        hub.Add(connection);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var sender = Task.CompletedTask;
        try
        {
            await socket.SendAsync(TelemetryMessages.Event(TelemetryMessages.Connected, new
            {
                peer_id = connection.Id,
                server_version = TelemetryMessages.ServerVersion,
                capabilities = TelemetryMessages.Capabilities,
                subscriptions = connection.Subscriptions,
                subject = claims.Subject,
                role = claims.Role,
            }, DateTimeOffset.UtcNow), WebSocketMessageType.Text, true, context.RequestAborted);
            sender = connection.RunSenderAsync(stop.Token);
            await ReceiveCommandsAsync(socket, connection, stop.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            hub.Remove(connection);
            await stop.CancelAsync();
            try
            {
                await sender;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }

            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            }
        }
    }

    /// <summary>The Authorization header, else a <c>?token=</c> query parameter (browsers cannot set headers on a WebSocket).</summary>
    private TokenCheck Authenticate(HttpRequest request) =>
        request.Headers.Authorization.Count == 0 && request.Query["token"].ToString() is { Length: > 0 } queryToken
            ? authenticator.AuthenticateToken(queryToken)
            : authenticator.AuthenticateHeader(request.Headers.Authorization.ToString());

    /// <summary>
    /// Waits up to the auth timeout for <c>{"command":"authenticate","token":...}</c>. A pending WebSocket receive must
    /// not be cancelled (that aborts the socket), so on timeout the close frame is sent while it is pending.
    /// </summary>
    private async Task<TokenCheck> AwaitAuthenticateCommandAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var receive = ReceiveJsonAsync(socket, cancellationToken);
        var deadline = Task.Delay(TimeSpan.FromSeconds(_options.AuthTimeoutSeconds), cancellationToken);
        try
        {
            if (await Task.WhenAny(receive, deadline) != receive)
            {
                await socket.CloseOutputAsync(AuthenticationFailed, "authentication timeout", cancellationToken);
                await receive.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return TokenCheck.Fail(TokenFailure.Missing);
            }

            var command = await receive;
            if (command is { } c && Str(c, "command") == "authenticate" && Str(c, "token") is { } token)
            {
                return authenticator.AuthenticateToken(token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or JsonException or TimeoutException)
        {
        }

        return TokenCheck.Fail(TokenFailure.Missing);
    }

    private async Task ReceiveCommandsAsync(WebSocket socket, TelemetryConnection connection, CancellationToken cancellationToken)
    {
        while (socket.State == WebSocketState.Open)
        {
            JsonElement? command;
            try
            {
                command = await ReceiveJsonAsync(socket, cancellationToken);
            }
            catch (JsonException)
            {
                Reply(connection, TelemetryMessages.Error, new { message = "commands are JSON objects like {\"command\":\"ping\"}" });
                continue;
            }

            if (command is not { } c)
            {
                return; // closed
            }

            HandleCommand(connection, c);
        }
    }

    private void HandleCommand(TelemetryConnection connection, JsonElement command)
    {
        switch (Str(command, "command"))
        {
            case "ping":
                Reply(connection, TelemetryMessages.Pong, new { client_timestamp = command.TryGetProperty("timestamp", out var t) ? t.Clone() : default(JsonElement?) });
                break;
            case "authenticate":
                Reply(connection, TelemetryMessages.Authenticated, new { already = true });
                break;
            case "get_snapshot":
                Reply(connection, TelemetryMessages.Snapshot, new { fps = hub.SampleFps(), clients = hub.Count });
                break;
            case "subscribe" or "unsubscribe":
            {
                var streams = Streams(command);
                var unknown = streams.Except(TelemetryMessages.Streams).ToList();
                if (unknown.Count > 0)
                {
                    Reply(connection, TelemetryMessages.Error, new { message = $"unknown stream(s): {string.Join(", ", unknown)}", streams = TelemetryMessages.Streams });
                    break;
                }

                connection.Subscribe(streams, Str(command, "command") == "subscribe");
                Reply(connection, TelemetryMessages.Subscribed, new { subscriptions = connection.Subscriptions });
                break;
            }

            case "configure" or "set_update_interval":
                Configure(connection, command);
                break;
            default:
                Reply(connection, TelemetryMessages.Error, new { message = $"unknown command '{Str(command, "command")}'", commands = new[] { "ping", "get_snapshot", "subscribe", "unsubscribe", "configure", "authenticate" } });
                break;
        }
    }

    private static void Configure(TelemetryConnection connection, JsonElement command)
    {
        var errors = new List<string>();
        void Interval(string key, string stream, int min)
        {
            if (command.TryGetProperty(key, out var value))
            {
                if (value.TryGetInt32(out var ms) && ms >= min && ms <= 60_000)
                {
                    connection.SetInterval(stream, TimeSpan.FromMilliseconds(ms));
                }
                else
                {
                    errors.Add($"{key} must be {min}-60000 ms");
                }
            }
        }

        void Toggle(string key, string stream)
        {
            if (command.TryGetProperty(key, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                connection.Subscribe([stream], value.GetBoolean());
            }
        }

        Interval("fps_interval_ms", TelemetryMessages.Fps, 50);
        Interval("vr_tracking_interval_ms", TelemetryMessages.VrTracking, 20);
        Toggle("fps_enabled", TelemetryMessages.Fps);
        Toggle("vr_tracking_enabled", TelemetryMessages.VrTracking);
        if (errors.Count > 0)
        {
            Reply(connection, TelemetryMessages.Error, new { message = string.Join("; ", errors) });
            return;
        }

        Reply(connection, TelemetryMessages.Configured, new
        {
            fps_interval_ms = connection.Interval(TelemetryMessages.Fps).TotalMilliseconds,
            vr_tracking_interval_ms = connection.Interval(TelemetryMessages.VrTracking).TotalMilliseconds,
            subscriptions = connection.Subscriptions,
        });
    }

    private static List<string> Streams(JsonElement command)
    {
        foreach (var key in new[] { "events", "streams", "event" })
        {
            if (command.TryGetProperty(key, out var value))
            {
                return value.ValueKind switch
                {
                    JsonValueKind.Array => [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)],
                    JsonValueKind.String => [value.GetString()!],
                    _ => [],
                };
            }
        }

        return [];
    }

    private static void Reply(TelemetryConnection connection, string name, object data) =>
        connection.Enqueue(TelemetryMessages.Event(name, data, DateTimeOffset.UtcNow));

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Reads one text message (at most 64 KB) as JSON; null when the peer closed.</summary>
    private static async Task<JsonElement?> ReceiveJsonAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var count = 0;
        while (true)
        {
            if (count == buffer.Length)
            {
                throw new JsonException("message too large");
            }

            var result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            count += result.Count;
            if (result.EndOfMessage)
            {
                using var document = JsonDocument.Parse(buffer.AsMemory(0, count));
                return document.RootElement.Clone();
            }
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            // A full close handshake, so the client reads the code and reason before the connection goes.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await socket.CloseAsync(status, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    [LoggerMessage(30, LogLevel.Information, "Telemetry WebSocket listening on {Url}")]
    private static partial void LogListening(ILogger logger, string url);
}
