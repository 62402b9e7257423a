namespace SpaceTime.Security.Configuration;

/// <summary>States at start-up, one line each, what the configuration asks for that this process does not do.</summary>
internal sealed partial class ConfigurationWarnings(SecuritySettings settings, ILogger<ConfigurationWarnings> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var warning in settings.Warnings)
        {
            LogWarning(logger, warning);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(30, LogLevel.Warning, "Configuration: {Warning}")]
    private static partial void LogWarning(ILogger logger, string warning);
}
