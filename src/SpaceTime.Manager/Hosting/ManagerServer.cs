using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using SpaceTime.Dashboard;
using SpaceTime.Manager.Api;
using SpaceTime.Manager.GameApi;
using SpaceTime.Manager.Logging;
using SpaceTime.Manager.Proxy;
using SpaceTime.Manager.Supervision;
using SpaceTime.Records;
using SpaceTime.Security;
using SpaceTime.Security.Capacity;
using SpaceTime.Security.Http;
using SpaceTime.Security.RateLimiting;

namespace SpaceTime.Manager.Hosting;

/// <summary>
/// Starts the management server (<c>spacetime manage</c>): the supervisor of the game and its HTTP endpoints on
/// 127.0.0.1:8090 (or <see cref="ManagerOptions.Host"/>), secured with the same tokens as the game (both read the signing key from the shared data dir).
/// </summary>
public static partial class ManagerServer
{
    /// <param name="options">Manager settings (already merged from environment variables and options).</param>
    /// <param name="configDir">Folder of &lt;env&gt;.json and security_&lt;env&gt;.json.</param>
    /// <param name="environment">production, staging, development or test.</param>
    /// <param name="launcher">How to run the built-in runtime when no <c>--godot-path</c> is given.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    public static async Task<WebApplication> StartAsync(
        ManagerOptions options, string configDir, string environment, RuntimeLauncher launcher, CancellationToken cancellationToken)
    {
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"invalid manager options: {string.Join("; ", errors)}", nameof(options));
        }

        var dataDir = Path.GetFullPath(options.DataDir ?? DataDirectory.Default);
        options.DataDir = dataDir;
        options.LogDir = Path.GetFullPath(options.LogDir ?? Path.Combine(dataDir, "logs"));
        // The game reads the same environment and config folder as its manager.
        options.GameEnvironment.TryAdd("GODOT_ENV", environment);
        options.GameEnvironment.TryAdd("SPACETIME_CONFIG_DIR", Path.GetFullPath(configDir));
        // A fresh secret per run, known to this manager and the game it starts: with it the game believes the client
        // address the proxy names (and only from loopback), so nobody else can choose their address.
        var proxySecret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        options.GameEnvironment["SPACETIME_PROXY_SECRET"] = proxySecret;
        // The built-in runtime also listens on a private socket for this manager's connections, which carry many
        // clients and so are kept out of the game's caps on outside connections. A custom executable is reached over TCP.
        var game = new GameConnector(options.GodotPort, options.GodotPath is null ? PrivateSocket.NewPath(dataDir) : null);
        if (game.SocketPath is { } socketPath)
        {
            options.GameEnvironment["SPACETIME_PROXY_SOCKET"] = socketPath;
        }

        // The game starts now, while this host is built (they used to start one after the other); the supervisor
        // adopts it. Both must agree on the token, so it is chosen here.
        options.ApiToken ??= Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var headStart = GameSupervisor.StartHead(options, launcher, TimeProvider.System);
        try
        {
            return await StartHostAsync(options, configDir, environment, launcher, game, proxySecret, headStart, cancellationToken);
        }
        catch
        {
            if (headStart is not null)
            {
                // Not adopted when the host failed before its supervisor started: stopped here.
                await headStart.DisposeAsync();
            }

            throw;
        }
    }

    private static async Task<WebApplication> StartHostAsync(ManagerOptions options, string configDir, string environment, RuntimeLauncher launcher,
        GameConnector game, string proxySecret, GameHeadStart? headStart, CancellationToken cancellationToken)
    {
        var dataDir = options.DataDir!;
        var logDir = options.LogDir!;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The forwarder logs two lines per proxied request at Information, which would bury the game's own lines in /logs.
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // One ring for /logs: the game's output and the manager's own lines, as they happened.
        var ring = new LogRing();
        builder.Logging.AddProvider(new RotatingFileLoggerProvider(
            new RotatingLogFile(Path.Combine(logDir, RotatingFileLoggerProvider.FileName), options.LogMaxBytes, options.LogMaxFiles),
            TimeProvider.System,
            ring));
        var security = builder.AddSpaceTimeSecuritySettings(configDir, environment, dataDir, options.ConfigurationFlags);
        // Only what is forwarded to the game waits for capacity here (the game gates it again per its own load):
        // the manager's own /health, /status and controls answer while /godot is saturated, and so do the game's probes.
        builder.Services.AddSingleton(new RequestGate(security.HttpApi,
            path => path.StartsWithSegments(GameProxy.PathPrefix, StringComparison.OrdinalIgnoreCase, out var forwarded) && !SecurityPipeline.IsProbe(forwarded)));
        builder.AddSpaceTimeSecurity(security);
        // With PostgreSQL configured, the manager's own audit records go there too (through the data dir's outbox).
        builder.AddSpaceTimeRecords(dataDir);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(game);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(launcher);
        services.AddSingleton(sp => new RestartLimiter(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(ring);
        if (headStart is not null)
        {
            services.AddSingleton(headStart);
        }

        services.AddSingleton<GameSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<GameSupervisor>());
        services.AddHostedService<ServiceManagerNotifier>();
        services.AddSingleton<FailureExit>();
        services.AddHostedService(sp => sp.GetRequiredService<FailureExit>());
        services.AddHttpForwarder();
        services.AddSingleton<Metrics.ManagerMetrics>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.AddLegacyFields);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.ApplyHttpLimits(security.HttpApi);
            var address = IPAddress.Parse(options.Host);
            k.Listen(address, options.Port, l => l.UseConnectionLimits());
            if (options.MetricsPort is { } metricsPort)
            {
                k.Listen(address, metricsPort, l => l.UseConnectionLimits());
            }
        });

        var app = builder.Build();
        if (options.MetricsPort is { } exporterPort)
        {
            // The exporter port answers /metrics and nothing else.
            app.Use((context, next) =>
            {
                if (context.Connection.LocalPort == exporterPort && !context.Request.Path.Equals("/metrics", StringComparison.Ordinal))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The game limits what is forwarded to it, per real client; counting it here too would halve every budget.
        app.UseSpaceTimeSecurity(GameProxy.PathPrefix);
        app.MapManagerApi();
        app.MapBansApi();
        app.MapWhoAmIApi();
        app.MapGameProxy(game, proxySecret);
        app.MapTelemetryProxy(options.TelemetryPort, proxySecret);
        app.MapDashboard(DashboardPages.Operations);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e) when (e.InnerException is AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await AbandonAsync(app);
            throw new InvalidOperationException($"manager port {options.Port} is in use (choose another with --port)", e);
        }
        catch
        {
            await AbandonAsync(app);
            throw;
        }

        app.Lifetime.ApplicationStopped.Register(() => PrivateSocket.Delete(game.SocketPath));
        LogListening(app.Services.GetRequiredService<ILogger<ManagerOptions>>(), $"http://{options.Host}:{ListeningPort(app)}", options.GodotPort);
        return app;
    }

    /// <summary>Stops what did start (background services end through their stopping token) and releases the app after a failed start.</summary>
    private static async Task AbandonAsync(WebApplication app)
    {
        try
        {
            await app.StopAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or ObjectDisposedException or OperationCanceledException)
        {
            // An app that failed half-way may not stop cleanly; the start failure is what the caller reports.
        }

        await app.DisposeAsync();
    }

    public static int? ListeningPort(WebApplication app) =>
        app.Urls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Port : (int?)null).FirstOrDefault(p => p is not null);

    [LoggerMessage(60, LogLevel.Information, "Manager listening on {Url}; supervising the game API on port {GodotPort}")]
    private static partial void LogListening(ILogger logger, string url, int godotPort);
}
