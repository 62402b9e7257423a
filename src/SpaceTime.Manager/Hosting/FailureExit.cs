using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Hosting;

/// <summary>
/// Makes a manager that gave up fail loudly: once the supervisor has been FAILED for
/// <see cref="ManagerOptions.FailureExitDelay"/>, the manager stops with exit status
/// <see cref="ManagerOptions.GaveUpExitCode"/>, so its service manager (systemd <c>Restart=</c>, Compose <c>restart:</c>,
/// supervisord <c>autorestart</c>) starts a fresh one. An explicit start during the delay cancels it.
/// Off with <see cref="ManagerOptions.StayOnFailure"/> (Kubernetes replaces the pod through <c>/livez</c>).
/// </summary>
public sealed partial class FailureExit(ManagerOptions options, GameSupervisor supervisor, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<FailureExit> logger)
    : BackgroundService
{
    /// <summary>Why the manager stopped itself, once it has; null while it has not.</summary>
    public string? GaveUpReason { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.StayOnFailure)
        {
            return;
        }

        var lifecycle = supervisor.Lifecycle;
        while (!stoppingToken.IsCancellationRequested)
        {
            await lifecycle.WaitForAsync(s => s == LifecycleState.Failed, stoppingToken);
            using var leftFailed = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var left = lifecycle.WaitForAsync(s => s != LifecycleState.Failed, leftFailed.Token);
            var delay = Task.Delay(options.FailureExitDelay, time, stoppingToken);
            if (await Task.WhenAny(left, delay) == delay && lifecycle.Current == LifecycleState.Failed)
            {
                GaveUpReason = supervisor.GetStatus().FailureReason ?? "the supervisor is FAILED";
                LogGivingUp(logger, options.FailureExitDelay.TotalSeconds, ManagerOptions.GaveUpExitCode, GaveUpReason);
                lifetime.StopApplication();
                return;
            }

            await leftFailed.CancelAsync();
            try
            {
                await left;
            }
            catch (OperationCanceledException)
            {
                // Either it left FAILED, or the manager is stopping.
            }
        }
    }

    [LoggerMessage(62, LogLevel.Critical, "FAILED for {DelaySeconds:0.###} s: the manager exits with status {ExitCode} so that its service manager restarts it (--stay-on-failure keeps it up). {Reason}")]
    private static partial void LogGivingUp(ILogger logger, double delaySeconds, int exitCode, string reason);
}
