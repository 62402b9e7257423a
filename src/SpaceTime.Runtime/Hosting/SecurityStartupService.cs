using SpaceTime.Runtime.Whitelist;
using SpaceTime.Security;
using SpaceTime.Security.Audit;

namespace SpaceTime.Runtime.Hosting;

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
