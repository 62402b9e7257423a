using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Runtime.Security.Audit;
using SpaceTime.Runtime.Security.Authentication;
using SpaceTime.Runtime.Security.RateLimiting;
using SpaceTime.Runtime.Security.Tokens;
using SpaceTime.Runtime.Security.Whitelist;

namespace SpaceTime.Runtime.Security;

/// <summary>Registers and wires the security features: settings, audit log, whitelist, tokens, roles, rate limits, CORS.</summary>
public static class SecurityHostingExtensions
{
    /// <summary>Loads the settings now, so bad configuration stops start-up before anything listens.</summary>
    public static SecuritySettings AddSpaceTimeSecuritySettings(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var environment = configuration[$"{RuntimeOptions.SectionName}:Environment"] ?? "development";
        var configDir = configuration[$"{RuntimeOptions.SectionName}:ConfigDir"] ?? Path.Combine(AppContext.BaseDirectory, "config");
        var dataDir = Path.GetFullPath(configuration[$"{RuntimeOptions.SectionName}:DataDir"] ?? RuntimeOptions.DefaultDataDir);
        var settings = SecurityConfiguration.Load(configDir, environment, key => configuration[key]);
        var whitelist = new SceneWhitelist(settings.WhitelistFile, environment);

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(whitelist);
        services.AddSingleton(new SecurityContext(settings));
        services.AddSingleton(sp => new AuditLog(
            Path.IsPathRooted(settings.Audit.Path) ? settings.Audit.Path : Path.Combine(dataDir, settings.Audit.Path),
            settings.Audit.Enabled, settings.Audit.MaxFileSizeMb, settings.Audit.RetentionDays, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TokenService(dataDir, settings.Authentication, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<SecurityStartupService>();
        return settings;
    }

    /// <summary>HTTP security: bearer authentication, permission policies, rate limiting and CORS.</summary>
    public static WebApplicationBuilder AddSpaceTimeSecurity(this WebApplicationBuilder builder, SecuritySettings settings)
    {
        var services = builder.Services;
        services.AddSingleton(sp => new ClientRateLimiter(settings.RateLimiting, sp.GetRequiredService<TimeProvider>()));
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
            services.AddCors(o => o.AddDefaultPolicy(p => p
                .WithOrigins([.. settings.Cors.AllowedOrigins])
                .WithMethods([.. settings.Cors.AllowedMethods])
                .WithHeaders("Authorization", "Content-Type")
                .WithExposedHeaders("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")));
        }

        return builder;
    }

    public static WebApplication UseSpaceTimeSecurity(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<SecuritySettings>();
        app.UseSecurityHeaders();
        app.UseRequestSizeLimit();
        app.UseDebugEndpointGate();
        if (settings.Cors.Enabled)
        {
            // Before rate limits and authentication, so preflight requests are answered without a token.
            app.UseCors();
        }

        app.UseClientRateLimits();
        app.UseRequestTimeouts();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}

/// <summary>States the security posture at start-up (log and audit) and audits shutdown.</summary>
internal sealed partial class SecurityStartupService(
    SecuritySettings settings, SceneWhitelist whitelist, AuditLog audit, ILogger<SecurityStartupService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogPosture(logger, settings.Environment, settings.Authentication.Enabled ? "required" : "NOT required",
            settings.RateLimiting.Enabled ? "on" : "off", whitelist.Summary, settings.HttpApi.Enabled ? "on" : "off",
            audit.Enabled ? audit.CurrentFile : "off", settings.Debug.EnableDebugEndpoints ? "on" : "off");
        audit.Write(new AuditEvent("lifecycle", "STARTUP", Details: $"environment {settings.Environment}; authentication {(settings.Authentication.Enabled ? "required" : "off")}; {whitelist.Summary}"));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        audit.Write(new AuditEvent("lifecycle", "SHUTDOWN"));
        return Task.CompletedTask;
    }

    [LoggerMessage(20, LogLevel.Information,
        "Security: environment {Environment}; authentication {Auth}; rate limiting {RateLimiting}; scene whitelist {Whitelist}; HTTP API {HttpApi}; audit log {Audit}; debug endpoints {Debug}")]
    private static partial void LogPosture(ILogger logger, string environment, string auth, string rateLimiting, string whitelist, string httpApi, string audit, string debug);
}
