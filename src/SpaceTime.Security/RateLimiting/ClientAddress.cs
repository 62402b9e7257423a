using System.Net;

namespace SpaceTime.Security.RateLimiting;

/// <summary>
/// Who the client is: the remote address, or — only when the request comes from a configured trusted proxy —
/// the right-most address in <c>X-Forwarded-For</c> that is not itself a trusted proxy.
/// </summary>
public static class ClientAddress
{
    public static string Resolve(HttpContext context, IReadOnlyCollection<IPAddress> trustedProxies)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return "unknown";
        }

        remote = Normalize(remote);
        if (!trustedProxies.Contains(remote))
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
            if (!trustedProxies.Contains(hop))
            {
                return hop.ToString();
            }
        }

        return remote.ToString();
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
