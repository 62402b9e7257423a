using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpaceTime.Dashboard;
using SpaceTime.Security.Http;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Agents.Mcp;
using SpaceTime.Runtime.Health;
using SpaceTime.Runtime.Input;
using SpaceTime.Runtime.Logs;
using SpaceTime.Runtime.Metrics;
using SpaceTime.Runtime.Nodes;
using SpaceTime.Runtime.Time;
using SpaceTime.Runtime.World;
using SpaceTime.Runtime.Performance;
using SpaceTime.Records;
using SpaceTime.Runtime.Records;
using SpaceTime.Runtime.Recordings;
using SpaceTime.Runtime.Scenes;
using SpaceTime.Security;
using SpaceTime.Security.Capacity;
using SpaceTime.Security.Configuration;
using SpaceTime.Security.RateLimiting;
using SpaceTime.Runtime.State;
using SpaceTime.Runtime.Status;
using SpaceTime.Runtime.Telemetry;
using SpaceTime.Runtime.Whitelist;

namespace SpaceTime.Runtime.Hosting;

/// <summary>
/// Registers and maps the game runtime: <c>builder.AddSpaceTimeRuntime(); app.MapSpaceTimeRuntime();</c>.
/// <see cref="AddSpaceTimeGame"/> alone runs the game without the HTTP API.
/// </summary>
public static class RuntimeHostingExtensions
{
    /// <summary>
    /// The <see cref="RuntimeOptions"/> key a configuration key of <see cref="EnvironmentVariableTable"/> sets
    /// (<c>runtime.http_port</c> → <c>HttpPort</c>), or null for keys that are not the runtime's.
    /// </summary>
    public static string? OptionsKey(string key) =>
        key == "environment" ? nameof(RuntimeOptions.Environment)
        : key.StartsWith("runtime.", StringComparison.Ordinal) ? string.Concat(key["runtime.".Length..].Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]))
        : null;

    /// <summary>The game (loop, scenes, history) and its security settings and audit log, without HTTP.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="overrides">Settings that win over configuration files and environment variables (command-line options).</param>
    /// <param name="flags">Configuration keys set on the command line (<c>--set key=value</c>).</param>
    public static SecuritySettings AddSpaceTimeGame(this IHostApplicationBuilder builder, IReadOnlyDictionary<string, string?>? overrides = null, IReadOnlyDictionary<string, string>? flags = null)
    {
        // Environment variables arrive through configuration, so hosts and tests can set them per instance; where two
        // set one key, the later in the table wins.
        var mapped = new Dictionary<string, string?>(StringComparer.Ordinal);
        var variables = EnvironmentVariableTable.FromConfiguration(builder.Configuration);
        foreach (var variable in EnvironmentVariableTable.All)
        {
            if (OptionsKey(variable.Key) is { } key && variables(variable.Name) is { Length: > 0 } value)
            {
                mapped[$"{RuntimeOptions.SectionName}:{key}"] = value;
            }
        }

        builder.Configuration.AddInMemoryCollection(mapped);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides.Select(p => KeyValuePair.Create($"{RuntimeOptions.SectionName}:{p.Key}", p.Value)));
        }

        var services = builder.Services;
        services.AddOptions<RuntimeOptions>()
            .BindConfiguration(RuntimeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RuntimeOptions>, RuntimeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RuntimeClock>();
        // The security settings are read below, before anything is built: godot.physics_fps sets the tick rate.
        SecuritySettings? security = null;
        services.TryAddSingleton(sp => HeadlessGame.Open(sp.GetRequiredService<IOptions<RuntimeOptions>>().Value.ProjectPath, sp.GetRequiredService<TimeProvider>(),
            security is { Godot.PhysicsFps: > 0 and var fps } ? fps : null));
        var records = Path.GetFullPath(builder.Configuration[$"{RuntimeOptions.SectionName}:DataDir"] ?? RuntimeOptions.DefaultDataDir);
        if (builder.AddSpaceTimeRecords(records) is not null)
        {
            services.TryAddSingleton<ISceneHistory, PostgresSceneHistory>();
            services.AddSingleton<IRecordKind, SceneHistoryRecords>();
        }

        services.TryAddSingleton<ISceneHistory>(sp => new SceneHistoryStore(sp.GetRequiredService<IOptions<RuntimeOptions>>(), sp.GetRequiredService<SpaceTime.Security.Storage.StorageHealth>()));
        services.TryAddSingleton<RecentLogs>();
        services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<RecentLogs>());
        services.TryAddSingleton<World.WorldSnapshotStore>();
        services.TryAddSingleton<Recordings.RecordingStore>();

        services.AddHostedService<GameService>();
        services.AddHostedService<ManagerWatch>();

        var configuration = builder.Configuration;
        var environment = configuration[$"{RuntimeOptions.SectionName}:Environment"] ?? "development";
        var configDir = configuration[$"{RuntimeOptions.SectionName}:ConfigDir"] ?? Path.Combine(AppContext.BaseDirectory, "config");
        var dataDir = Path.GetFullPath(configuration[$"{RuntimeOptions.SectionName}:DataDir"] ?? RuntimeOptions.DefaultDataDir);
        security = builder.AddSpaceTimeSecuritySettings(configDir, environment, dataDir, flags);
        // Read now, like the security settings, so a broken whitelist stops start-up with the file and key named.
        services.AddSingleton(new SceneWhitelist(Path.Combine(configDir, "scene_whitelist.json"), environment, security.SceneWhitelist));
        services.AddHostedService<SecurityStartupService>();
        return security;
    }

    /// <param name="builder">The host builder.</param>
    /// <param name="overrides">Settings that win over configuration files and environment variables (command-line options).</param>
    /// <param name="flags">Configuration keys set on the command line (<c>--set key=value</c>).</param>
    /// <returns>The security settings in force (they say, among other things, whether the HTTP API is on).</returns>
    public static SecuritySettings AddSpaceTimeRuntime(this WebApplicationBuilder builder, IReadOnlyDictionary<string, string?>? overrides = null, IReadOnlyDictionary<string, string>? flags = null)
    {
        var security = builder.AddSpaceTimeGame(overrides, flags);
        builder.AddSpaceTimeSecurity(security);

        var services = builder.Services;
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.AddLegacyFields);
        services.AddExceptionHandler<SpaceTime.Security.Storage.StorageProblemHandler>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, Http.RuntimeJsonContext.Default);
        });
        services.AddOpenApi();
        services.AddSingleton<RuntimeMetrics>();
        services.AddSingleton<Profiling.RequestProfiler>();
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TelemetryHub>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryHub>());
        services.AddSingleton<TelemetryServer>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryServer>());
        services.AddOptions<EditorBridge.EditorBridgeOptions>().BindConfiguration(EditorBridge.EditorBridgeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EditorBridge.EditorBridgeService>();
        services.AddHostedService(sp => sp.GetRequiredService<EditorBridge.EditorBridgeService>());
        services.AddSpaceTimeMcp();
        services.AddSingleton<Discovery.DiscoveryAnnouncer>();
        services.AddHostedService(sp => sp.GetRequiredService<Discovery.DiscoveryAnnouncer>());
        // Binding failures (bad JSON, wrong types) throw, so the problem response can say what was wrong.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        var host = builder.Configuration[$"{RuntimeOptions.SectionName}:Host"] ?? "127.0.0.1";
        var port = builder.Configuration.GetValue($"{RuntimeOptions.SectionName}:HttpPort", RuntimeOptions.DefaultHttpPort);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = SecurityPipeline.MaxBodyBytes(security);
            k.ApplyHttpLimits(security.HttpApi);
            k.AddServerHeader = false;
            if (host == "localhost")
            {
                k.ListenLocalhost(port, l => l.UseConnectionLimits());
            }
            else if (IPAddress.TryParse(host, out var address))
            {
                k.Listen(address, port, l => l.UseConnectionLimits());
            }

            // Any other host value fails options validation at start-up with the key named.
            if (security.ProxySocket is { Length: > 0 } socket && security.ProxySecret is not null)
            {
                // The manager's connection: many clients over one HTTP/2 connection (cleartext, prior knowledge: the
                // manager speaks nothing else here), so not under the outside-client caps (the request gate and the
                // per-client rate limits still apply to each request). A socket file left by a previous run of the
                // game is replaced.
                PrivateSocket.Delete(socket);
                k.ListenUnixSocket(socket, l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
            }
        });
        return security;
    }

    public static WebApplication MapSpaceTimeRuntime(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            // A client's bad request is answered with a 400, not logged as a server error; a storage fault is
            // answered 503 by StorageProblemHandler and logged once by the store that failed.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException or SpaceTime.Security.Storage.StorageUnavailableException,
        });
        app.UseStatusCodePages();
        if (app.Services.GetRequiredService<SecuritySettings>().ProxySocket is { Length: > 0 } socket)
        {
            app.Lifetime.ApplicationStopped.Register(() => PrivateSocket.Delete(socket));
        }

        app.UseRequestMetrics();
        app.UseSpaceTimeSecurity();
        app.MapOpenApi();
        app.MapHealthApi();
        app.MapStatusApi();
        app.MapScenesApi();
        app.MapStateApi();
        app.MapInputApi();
        app.MapVrInputApi();
        app.MapTimeApi();
        app.MapNodesApi();
        app.MapWorldApi();
        app.MapRecordingsApi();
        app.MapLogsApi();
        app.MapSpaceTimeMcp();
        app.MapPerformanceApi();
        app.MapAuthApi();
        app.MapBansApi();
        app.MapWhitelistApi();
        app.MapMetricsApi();
        app.MapDashboard(DashboardPages.SceneManager);
        return app;
    }
}
