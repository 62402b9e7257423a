using System.Net;
using System.Net.Sockets;

namespace SpaceTime.Runtime.Discovery;

/// <summary>Listens for announcements on a UDP port for a while and returns the instances heard, newest data first.</summary>
public static class DiscoveryListener
{
    public static async Task<IReadOnlyList<DiscoveredInstance>> ListenAsync(int port, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // Several listeners (and tools) may share the port.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.Any, port));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(duration);
        var heard = new Dictionary<string, DiscoveredInstance>(StringComparer.Ordinal);
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
                if (DiscoveryAnnouncement.TryParse(buffer.AsSpan(0, result.ReceivedBytes)) is { } announcement)
                {
                    var count = heard.TryGetValue(announcement.InstanceId, out var previous) ? previous.Count + 1 : 1;
                    heard[announcement.InstanceId] = new DiscoveredInstance(announcement, (IPEndPoint)result.RemoteEndPoint, DateTimeOffset.UtcNow, count);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The listening period is over.
        }

        return [.. heard.Values.OrderBy(i => i.Announcement.InstanceId, StringComparer.Ordinal)];
    }
}
