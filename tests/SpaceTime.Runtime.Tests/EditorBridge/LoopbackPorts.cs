using System.Net;
using System.Net.Sockets;

namespace SpaceTime.Runtime.Tests.EditorBridge;

/// <summary>Free loopback TCP ports, found by binding port 0 and letting it go.</summary>
internal static class LoopbackPorts
{
    public static int FreeTcp()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
