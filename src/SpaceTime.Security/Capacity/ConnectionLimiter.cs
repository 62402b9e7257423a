using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace SpaceTime.Security.Capacity;

/// <summary>
/// Caps the connections outside clients hold open: <see cref="HttpApiSettings.MaxConnections"/> in all and
/// <see cref="HttpApiSettings.MaxConnectionsPerClient"/> from one address (trusted proxies carry many clients, limit
/// them themselves and are not capped here). Wraps the public listeners only, so the manager's pool to its game (a private socket) is never
/// refused. A refused connection gets a 503 with <c>Retry-After</c> and is closed at once: a slow or idle client
/// can fill its own share, not everyone's.
/// </summary>
public sealed class ConnectionLimiter
{
    private static readonly byte[] Refusal = RefusalResponse();

    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly IReadOnlyCollection<IPNetwork> _trustedProxies;
    private int _open;
    private int _proxied;
    private long _refused;

    public ConnectionLimiter(HttpApiSettings settings, IEnumerable<string> trustedProxies)
    {
        ArgumentNullException.ThrowIfNull(settings);
        MaxConnections = settings.MaxConnections;
        MaxConnectionsPerClient = settings.MaxConnectionsPerClient;
        _trustedProxies = [.. trustedProxies.Select(p => RateLimiting.ClientAddress.TryParseProxy(p, out var n) ? n : throw new FormatException($"trusted proxy '{p}'"))];
    }

    public int MaxConnections { get; }

    public int MaxConnectionsPerClient { get; }

    /// <summary>Connections open now (through trusted proxies included).</summary>
    public int Open => Volatile.Read(ref _open) + Volatile.Read(ref _proxied);

    /// <summary>Connections refused since start (over either limit).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Kestrel connection middleware: <c>listenOptions.Use(limiter.Wrap)</c>.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (!TryOpen(address, out var counted))
        {
            Interlocked.Increment(ref _refused);
            await RefuseAsync(connection);
            return;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Close(counted);
        }
    };

    /// <summary>
    /// Takes a slot for a connection from <paramref name="address"/>; <paramref name="counted"/> is what
    /// <see cref="Close"/> gives back (null when the address is unknown).
    /// </summary>
    internal bool TryOpen(IPAddress? address, out IPAddress? counted)
    {
        counted = null;
        var key = address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
        if (key is not null && IsTrustedProxy(key))
        {
            // A trusted proxy (nginx) holds one pool for all its clients, sends only whole requests and limits each
            // client itself (limit_conn); capping it would refuse every client behind it at once. The request gate
            // still bounds the work it brings.
            Interlocked.Increment(ref _proxied);
            counted = key;
            return true;
        }

        if (Interlocked.Increment(ref _open) > MaxConnections)
        {
            Interlocked.Decrement(ref _open);
            return false;
        }

        if (key is null)
        {
            return true;
        }

        if (_perAddress.AddOrUpdate(key, 1, (_, n) => n + 1) > MaxConnectionsPerClient)
        {
            Release(key);
            Interlocked.Decrement(ref _open);
            return false;
        }

        counted = key;
        return true;
    }

    internal void Close(IPAddress? counted)
    {
        if (counted is not null && IsTrustedProxy(counted))
        {
            Interlocked.Decrement(ref _proxied);
            return;
        }

        if (counted is not null)
        {
            Release(counted);
        }

        Interlocked.Decrement(ref _open);
    }

    private bool IsTrustedProxy(IPAddress address) => _trustedProxies.Any(n => n.Contains(address));

    private void Release(IPAddress key)
    {
        // Remove the entry when it reaches zero, so the table holds only addresses with open connections.
        while (true)
        {
            var current = _perAddress[key];
            if (current == 1 ? _perAddress.TryRemove(KeyValuePair.Create(key, 1)) : _perAddress.TryUpdate(key, current - 1, current))
            {
                return;
            }
        }
    }

    /// <summary>The same problem+json fields <see cref="Http.ApiProblems"/> writes, as a whole HTTP/1.1 response.</summary>
    private static byte[] RefusalResponse()
    {
        const string message = "Too many connections from this client or in all; retry shortly";
        var body = $$"""{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"{{message}}","error":"Service Unavailable","message":"{{message}}","reason":"connection_limit","retry_after_seconds":1}""";
        return Encoding.ASCII.GetBytes(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n"
            + $"Content-Length: {body.Length}\r\n\r\n{body}");
    }

    private static async Task RefuseAsync(ConnectionContext connection)
    {
        try
        {
            await connection.Transport.Output.WriteAsync(Refusal, connection.ConnectionClosed);
            await connection.Transport.Output.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException or ObjectDisposedException)
        {
            // The client is gone already; closing is all that was left to do.
        }
    }
}
