using System.Net;
using System.Net.Sockets;

namespace SpaceTime.Manager.GameApi;

/// <summary>
/// How the manager reaches its game: over the private Unix socket the built-in runtime opens for it
/// (<c>SPACETIME_PROXY_SOCKET</c>), so the manager's connections never compete with outside clients for the game's
/// connection caps, in HTTP/2 (cleartext, prior knowledge: the socket speaks nothing else), so every request in flight
/// shares one connection instead of waiting for one of a pool (through the manager about 12,500 → 15,000–17,800
/// requests/s and half the p99, docs/PERFORMANCE.md); over TCP and HTTP/1.1 to <c>127.0.0.1:port</c> only for a game
/// that opens no socket (one given with <c>--godot-path</c>). With a socket there is no falling back to TCP: until the
/// game has opened it (starting, restarting) a connection fails as a refused one would, instead of opening a TCP
/// connection that would then sit in the pool, counted against the game's cap on outside clients.
/// </summary>
public sealed class GameConnector
{
    /// <param name="godotPort">The game API's TCP port on 127.0.0.1.</param>
    /// <param name="socketPath">The private socket the game is told to open; null for a game reached over TCP.</param>
    public GameConnector(int godotPort, string? socketPath)
    {
        GodotPort = godotPort;
        SocketPath = socketPath;
    }

    public int GodotPort { get; }

    public string? SocketPath { get; }

    /// <summary>
    /// A handler for requests to the game (they name <c>http://127.0.0.1:port/</c> either way): over its private socket,
    /// in HTTP/2, when there is one. <paramref name="configure"/> adjusts the underlying connection pool.
    /// </summary>
    public HttpMessageHandler CreateHandler(Action<SocketsHttpHandler>? configure = null)
    {
        var handler = CreateTcpHandler();
        // Shorter than the game's keep-alive timeout, so the pool never sends on a connection the game is closing;
        // and a replaced game is reached afresh.
        handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(10);
        handler.PooledConnectionLifetime = TimeSpan.FromSeconds(30);
        handler.ConnectCallback = ConnectAsync;
        configure?.Invoke(handler);
        return SocketPath is null ? handler : new Http2PriorKnowledge(handler);
    }

    /// <summary>A plain forwarding handler over TCP (no proxy, redirects, decompression, cookies or trace headers).</summary>
    public static SocketsHttpHandler CreateTcpHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var unix = SocketPath is not null && context.DnsEndPoint.Port == GodotPort;
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

    /// <summary>Sends every request as HTTP/2 without negotiation (whatever version its sender chose).</summary>
    private sealed class Http2PriorKnowledge(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
