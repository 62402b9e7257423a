using System.Net;
using System.Net.Sockets;

namespace SpaceTime.Manager.GameApi;

/// <summary>
/// How the manager reaches its game: over the private Unix socket the game opens for it (<c>SPACETIME_PROXY_SOCKET</c>)
/// when there is one, so the manager's connections never compete with outside clients for the game's connection caps;
/// else over TCP to <c>127.0.0.1:port</c> (a game that does not open the socket, e.g. one given with <c>--godot-path</c>).
/// </summary>
public sealed class GameConnector
{
    /// <param name="godotPort">The game API's TCP port on 127.0.0.1.</param>
    /// <param name="socketPath">The private socket the game is told to open; null for TCP only.</param>
    public GameConnector(int godotPort, string? socketPath)
    {
        GodotPort = godotPort;
        SocketPath = socketPath;
    }

    public int GodotPort { get; }

    public string? SocketPath { get; }

    /// <summary>A fresh socket path for one manager run, in the temp folder (short enough for a Unix socket name).</summary>
    public static string NewSocketPath() =>
        Path.Combine(Path.GetTempPath(), $"spacetime-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}.sock");

    /// <summary>A handler whose connections go to the game (requests name <c>http://127.0.0.1:port/</c> either way).</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
        // Shorter than the game's keep-alive timeout, so the pool never sends on a connection the game is closing;
        // and a replaced game is reached afresh.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var unix = SocketPath is not null && File.Exists(SocketPath);
        var socket = unix ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (unix)
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath!), cancellationToken);
            }
            else
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
