using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Security;
using SpaceTime.Runtime.Status;
using SpaceTime.Runtime.Telemetry;

namespace SpaceTime.Runtime.Discovery;

/// <summary>
/// Announces this runtime on UDP every few seconds (default to 127.0.0.1:8087; a broadcast address can be
/// configured). Off with port 0, and off by default in production.
/// </summary>
public sealed partial class DiscoveryAnnouncer(
    HeadlessGame game,
    IServer server,
    TelemetryServer telemetry,
    SecuritySettings security,
    IOptions<RuntimeOptions> options,
    TimeProvider time,
    ILogger<DiscoveryAnnouncer> logger,
    SpaceTime.Security.Storage.InstanceIdentity instance) : BackgroundService
{
    /// <summary>The instance id also in <c>/status</c>, history and audit records.</summary>
    public string InstanceId => instance.Id;

    /// <summary>The port announcements go to, or 0 when discovery is off.</summary>
    public int Port => options.Value.DiscoveryPort ?? (security.IsProduction ? 0 : DiscoveryAnnouncement.DefaultPort);

    public long Sent { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (Port == 0)
        {
            return;
        }

        if (!IPAddress.TryParse(settings.DiscoveryTarget, out var address))
        {
            LogBadTarget(logger, settings.DiscoveryTarget);
            return;
        }

        var target = new IPEndPoint(address, Port);
        using var udp = new UdpClient(address.AddressFamily);
        udp.EnableBroadcast = true;
        LogAnnouncing(logger, target.ToString(), settings.DiscoveryIntervalSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.DiscoveryIntervalSeconds), time);
        do
        {
            try
            {
                var scene = game.Loop.IsRunning ? await game.ReadAsync(w => w.Scene?.ResourcePath, stoppingToken) : null;
                var announcement = new DiscoveryAnnouncement(DiscoveryAnnouncement.ServiceName, InstanceId, StatusApi.Version, security.Environment,
                    settings.Host, StatusApi.ListeningPort(server), telemetry.Port, scene, time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
                await udp.SendAsync(announcement.ToBytes(), target, stoppingToken);
                Sent++;
            }
            catch (SocketException e)
            {
                LogSendFailed(logger, target.ToString(), e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(40, LogLevel.Information, "Discovery: announcing to udp://{Target} every {Seconds} s")]
    private static partial void LogAnnouncing(ILogger logger, string target, double seconds);

    [LoggerMessage(41, LogLevel.Warning, "Discovery: could not announce to udp://{Target}: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string target, string reason);

    [LoggerMessage(42, LogLevel.Error, "Discovery: target '{Target}' is not an IP address; announcements are off")]
    private static partial void LogBadTarget(ILogger logger, string target);
}
