using System.Net;

namespace SpaceTime.Security.RateLimiting;

/// <summary>
/// Who the client is: the remote address, or — only when the request comes from a configured trusted proxy —
/// the right-most address in <c>X-Forwarded-For</c> that is not itself a trusted proxy. Proxies are addresses or
/// CIDR ranges (a Compose network or a Kubernetes pod range, where the proxy's address changes).
/// </summary>
public static class ClientAddress
{
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

    public static string Resolve(HttpContext context, IReadOnlyCollection<IPNetwork> trustedProxies)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return "unknown";
        }

        remote = Normalize(remote);
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

    private static bool IsTrusted(IPAddress address, IReadOnlyCollection<IPNetwork> trustedProxies) =>
        trustedProxies.Any(n => n.Contains(address));

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
