using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using SpaceTime.Security.Audit;
using SpaceTime.Security.Capacity;
using SpaceTime.Security.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SpaceTime.Security.RateLimiting;
using SpaceTime.Security.State;
using SpaceTime.Security.Storage;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security;

/// <summary>Registers and wires the security features: settings, audit log, tokens, roles, rate limits, CORS.</summary>
public static class SecurityHostingExtensions
{
    /// <summary>The request timeout of scene loads (<c>performance.timeouts.scene_load_timeout_seconds</c>) instead of the API's default.</summary>
    public const string SceneLoadTimeoutPolicy = "scene-load";

    /// <summary>
    /// Loads the settings now, so bad configuration stops start-up before anything listens. Environment variables
    /// (API_TOKEN, JWT_SECRET_KEY...) are read through the host's configuration.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configDir">Folder of &lt;env&gt;.json and security_&lt;env&gt;.json.</param>
    /// <param name="environment">production, staging, development or test.</param>
    /// <param name="dataDir">Where keys, revocations and (by default) the audit log are kept.</param>
    /// <param name="flags">Values given on the command line (<c>--set key=value</c>), which win over files and variables.</param>
    public static SecuritySettings AddSpaceTimeSecuritySettings(
        this IHostApplicationBuilder builder, string configDir, string environment, string dataDir, IReadOnlyDictionary<string, string>? flags = null)
    {
        var configuration = builder.Configuration;
        var settings = Configuration.ConfigurationLoader.Load(configDir, environment, Configuration.EnvironmentVariableTable.FromConfiguration(configuration), flags).Settings;
        if (Configuration.LogLevels.TryParse(settings.Logging.Level, out var level))
        {
            builder.Logging.SetMinimumLevel(level);
        }

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddHostedService<Configuration.ConfigurationWarnings>();
        services.AddSingleton(new SecurityContext(settings));
        services.TryAddSingleton(sp => new StorageHealth(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(_ => InstanceIdentity.Resolve(dataDir, Configuration.EnvironmentVariableTable.Value("instance.id", Configuration.EnvironmentVariableTable.FromConfiguration(configuration))));
        services.AddSingleton(sp => new AuditLog(
            Path.IsPathRooted(settings.Audit.Path) ? settings.Audit.Path : Path.Combine(dataDir, settings.Audit.Path),
            settings.Audit.Enabled, settings.Audit.MaxFileSizeMb, settings.Audit.RetentionDays, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<InstanceIdentity>().Id, sp.GetRequiredService<StorageHealth>()));
        // Opened now, so a damaged state file or an unreachable Redis stops start-up with the file or server named.
        var state = SecurityStateStores.Open(dataDir, settings, TimeProvider.System);
        services.AddSingleton<ISecurityStateStore>(sp =>
        {
            if (state is RedisSecurityStateStore redis)
            {
                redis.Logger = sp.GetRequiredService<ILogger<RedisSecurityStateStore>>();
            }

            return state;
        });
        services.AddSingleton(sp => new TokenService(sp.GetRequiredService<ISecurityStateStore>(), settings.Authentication, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new SigningKeyRotation(sp.GetRequiredService<ISecurityStateStore>(), settings.Authentication, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SigningKeyRotation>>()));
        services.AddHostedService(sp => sp.GetRequiredService<SigningKeyRotation>());
        services.AddSingleton<BearerAuthenticator>();
        return settings;
    }

    /// <summary>HTTP security: bearer authentication, permission policies, rate limiting and CORS.</summary>
    public static WebApplicationBuilder AddSpaceTimeSecurity(this WebApplicationBuilder builder, SecuritySettings settings)
    {
        var services = builder.Services;
        // TryAdd: a host that gates only some paths (the manager: its /godot proxy) registers its own first.
        services.TryAddSingleton(_ => new RequestGate(settings.HttpApi));
        services.TryAddSingleton(_ => new ConnectionLimiter(settings.HttpApi, settings.TrustedProxies));
        services.AddSingleton(sp => new ClientRateLimiter(settings.RateLimiting, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ISecurityStateStore>()));
        services.AddRequestTimeouts(o =>
        {
            o.DefaultPolicy = new Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromMilliseconds(settings.HttpApi.RequestTimeoutMs),
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            };
            o.AddPolicy(SceneLoadTimeoutPolicy, new Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(settings.Performance.Timeouts.SceneLoadTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            });
        });
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, _ => { });
        services.AddAuthorization(o =>
        {
            foreach (var permission in Permissions.MinimumRole.Keys)
            {
                o.AddPolicy(permission, p => p.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)));
            }

            // Secure by default: an endpoint that names no permission still needs a readonly caller.
            o.FallbackPolicy = o.GetPolicy(Permissions.StatusRead);
        });
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, PermissionResultHandler>();
        if (settings.Cors.Enabled)
        {
            services.AddCors(o => o.AddDefaultPolicy(p =>
            {
                p.WithOrigins([.. settings.Cors.AllowedOrigins])
                    .WithMethods([.. settings.Cors.AllowedMethods])
                    .WithHeaders("Authorization", "Content-Type")
                    .WithExposedHeaders("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset");
                if (settings.Cors.AllowCredentials)
                {
                    p.AllowCredentials();
                }
            }));
        }

        return builder;
    }

    /// <param name="app">The application.</param>
    /// <param name="delegatedRateLimitPaths">Path prefixes limited by the server they are forwarded to (bans still apply here).</param>
    public static WebApplication UseSpaceTimeSecurity(this WebApplication app, params string[] delegatedRateLimitPaths)
    {
        var settings = app.Services.GetRequiredService<SecuritySettings>();
        app.UseSecurityHeaders();
        // Before the per-request security work, so load beyond capacity is shed at the lowest cost.
        app.UseRequestGate();
        app.UseRequestSizeLimit();
        app.UseDebugEndpointGate();
        if (settings.Cors.Enabled)
        {
            // Before rate limits and authentication, so preflight requests are answered without a token.
            app.UseCors();
        }

        app.UseClientRateLimits(delegatedRateLimitPaths);
        app.UseRequestTimeouts();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
