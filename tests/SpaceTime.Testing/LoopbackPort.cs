using System.Net;
using System.Net.Sockets;

namespace SpaceTime.Testing;

/// <summary>Loopback ports: for child processes that take a port number rather than 0 (the manager's game port, for one).</summary>
public static class LoopbackPort
{
    /// <summary>A loopback port free a moment ago.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether something accepts connections on the port now.</summary>
    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
