using System.Globalization;

namespace SpaceTime.Runtime.Hosting;

/// <summary>
/// Under <c>spacetime manage</c> the game runs in its own session (so the manager can stop its whole process group),
/// which also means it would outlive a manager killed with SIGKILL, keep its port and make the restarted manager's
/// game fail to bind. The manager names itself in <c>SPACETIME_MANAGER_PID</c>; this service stops the game as soon
/// as its parent is no longer that process (Linux: the parent pid in <c>/proc/self/stat</c> changes on re-parenting).
/// </summary>
public sealed partial class ManagerWatch(IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ManagerWatch> logger) : BackgroundService
{
    public const string ManagerPidVariable = "SPACETIME_MANAGER_PID";

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(ManagerPidVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var manager)
            || ParentPid() is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            if (ParentPid() is { } parent && parent != manager)
            {
                LogManagerGone(logger, manager);
                lifetime.StopApplication();
                return;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Field 4 of <c>/proc/self/stat</c> (after the parenthesised command name); null where there is no procfs.</summary>
    internal static int? ParentPid()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    [LoggerMessage(11, LogLevel.Warning, "The manager (pid {ManagerPid}) is gone; stopping the game so a new manager can start it")]
    private static partial void LogManagerGone(ILogger logger, int managerPid);
}
