using System.Globalization;
using System.Net.Sockets;
using System.Text;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Hosting;

/// <summary>
/// systemd <c>Type=notify</c> support (the sd_notify datagram protocol on <c>$NOTIFY_SOCKET</c>): <c>READY=1</c> once
/// the game reaches READY, <c>STATUS=</c> on every lifecycle change, <c>WATCHDOG=1</c> at half of
/// <c>$WATCHDOG_USEC</c> while the manager supervises (none once it has given up: FAILED is not alive), <c>STOPPING=1</c>
/// on shutdown. Without <c>$NOTIFY_SOCKET</c> it does nothing.
/// </summary>
public sealed partial class ServiceManagerNotifier : BackgroundService
{
    private readonly string? _socketPath = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
    private readonly GameSupervisor _supervisor;
    private readonly TimeProvider _time;
    private readonly ILogger<ServiceManagerNotifier> _logger;

    /// <summary>Held while a lifecycle change is told and while the watchdog decides and pings, so no ping follows FAILED.</summary>
    private readonly Lock _sending = new();

    public ServiceManagerNotifier(GameSupervisor supervisor, TimeProvider time, ILogger<ServiceManagerNotifier> logger)
    {
        (_supervisor, _time, _logger) = (supervisor, time, logger);
        if (_socketPath is { Length: > 0 })
        {
            // Here rather than in StartAsync: the host builds every hosted service before it starts the first, and the
            // supervisor (started before this) walks its adopted game through its first states at once.
            supervisor.Lifecycle.Changed += OnChanged;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Notify("STOPPING=1");
        _supervisor.Lifecycle.Changed -= OnChanged;
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_socketPath is not { Length: > 0 } || WatchdogInterval() is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, _time);
        do
        {
            lock (_sending)
            {
                if (_supervisor.Lifecycle.Current != LifecycleState.Failed)
                {
                    Notify("WATCHDOG=1");
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Half the watchdog period systemd asked for, when it asked this process.</summary>
    private static TimeSpan? WatchdogInterval()
    {
        if (!long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return null;
        }

        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        return pid is { Length: > 0 } && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture)
            ? null
            : TimeSpan.FromMilliseconds(usec / 2000.0);
    }

    private void OnChanged(LifecycleTransition transition)
    {
        var status = $"STATUS={transition.To.ToWireName()}: {transition.Reason}";
        lock (_sending)
        {
            Notify(transition.To == LifecycleState.Ready ? $"READY=1\n{status}" : status);
        }
    }

    private void Notify(string message)
    {
        if (_socketPath is not { Length: > 0 } path)
        {
            return;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            // A leading '@' names an abstract socket.
            socket.SendTo(Encoding.UTF8.GetBytes(message), new UnixDomainSocketEndPoint(path.StartsWith('@') ? "\0" + path[1..] : path));
        }
        catch (SocketException e)
        {
            LogNotifyFailed(_logger, path, e.Message);
        }
    }

    [LoggerMessage(61, LogLevel.Warning, "Could not notify the service manager on {Socket}: {Reason}")]
    private static partial void LogNotifyFailed(ILogger logger, string socket, string reason);
}
