using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace SpaceTime.Security.RateLimiting;

/// <summary>
/// Who the client is: the remote address, or — only when the request comes from a configured trusted proxy —
/// the right-most address in <c>X-Forwarded-For</c> that is not itself a trusted proxy. Proxies are addresses or
/// CIDR ranges (a Compose network or a Kubernetes pod range, where the proxy's address changes). The game also
/// believes its own manager without configuration: a loopback request that carries the manager's per-run secret
/// (<see cref="ProxySecretHeader"/>, known only to the manager and the game it started) names the client in
/// <c>X-Forwarded-For</c>. A client that reaches the game directly cannot present it, so cannot pick its address.
/// </summary>
public static class ClientAddress
{
    /// <summary>The header in which the manager presents <c>SPACETIME_PROXY_SECRET</c> to its game.</summary>
    public const string ProxySecretHeader = "X-SpaceTime-Proxy";

    /// <summary>Parses <c>10.0.0.5</c>, <c>10.0.0.0/8</c> or <c>fd00::/8</c>; false for anything else.</summary>
    public static bool TryParseProxy(string text, out IPNetwork network)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            address = Normalize(address);
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(text, out network);
    }

    public static string Resolve(HttpContext context, IReadOnlyCollection<IPNetwork> trustedProxies, byte[]? proxySecretHash = null)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            // No address: the game's private Unix socket for its manager (SPACETIME_PROXY_SOCKET), local like loopback.
            return ProxiedClient(context, proxySecretHash) ?? "unknown";
        }

        remote = Normalize(remote);
        if (IPAddress.IsLoopback(remote) && ProxiedClient(context, proxySecretHash) is { } proxied)
        {
            return proxied;
        }

        if (!IsTrusted(remote, trustedProxies))
        {
            return remote.ToString();
        }

        var forwarded = context.Request.Headers["X-Forwarded-For"].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = forwarded.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(forwarded[i], out var hop))
            {
                break;
            }

            hop = Normalize(hop);
            if (!IsTrusted(hop, trustedProxies))
            {
                return hop.ToString();
            }
        }

        return remote.ToString();
    }

    /// <summary>
    /// The client our own manager names (it replaced <c>X-Forwarded-For</c> with the one client it resolved), when the
    /// request presents the manager's secret; the peer itself (null) when it names none; null without the secret.
    /// </summary>
    private static string? ProxiedClient(HttpContext context, byte[]? proxySecretHash)
    {
        if (proxySecretHash is null
            || context.Request.Headers[ProxySecretHeader].ToString() is not { Length: > 0 } presented
            || !CryptographicOperations.FixedTimeEquals(proxySecretHash, SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
        {
            return null;
        }

        var named = context.Request.Headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return named.Length > 0 && IPAddress.TryParse(named[^1], out var client)
            ? Normalize(client).ToString()
            : Normalize(context.Connection.RemoteIpAddress ?? IPAddress.Loopback).ToString();
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyCollection<IPNetwork> trustedProxies) =>
        trustedProxies.Any(n => n.Contains(address));

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
