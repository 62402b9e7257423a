using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.RateLimiting;

namespace SpaceTime.Security;

/// <summary>Per-process security facts shared by the middleware: who a client is, and counters.</summary>
public sealed class SecurityContext(SecuritySettings settings)
{
    private const string ClientKey = "spacetime.client";
    private readonly IReadOnlyCollection<IPNetwork> _trustedProxies =
        [.. settings.TrustedProxies.Select(p => ClientAddress.TryParseProxy(p, out var network) ? network : throw new FormatException($"trusted proxy '{p}'"))];
    private readonly byte[]? _proxySecretHash = settings.ProxySecret is { } secret ? SHA256.HashData(Encoding.UTF8.GetBytes(secret)) : null;
    private long _authFailures;
    private long _rateLimited;
    private long _bans;

    public long AuthFailures => Interlocked.Read(ref _authFailures);

    public long RateLimitRejections => Interlocked.Read(ref _rateLimited);

    public long Bans => Interlocked.Read(ref _bans);

    /// <summary>The client address (honouring X-Forwarded-For only from trusted proxies), computed once per request.</summary>
    public string Client(HttpContext context)
    {
        if (context.Items.TryGetValue(ClientKey, out var cached) && cached is string client)
        {
            return client;
        }

        client = ClientAddress.Resolve(context, _trustedProxies, _proxySecretHash);
        context.Items[ClientKey] = client;
        return client;
    }

    public void CountAuthFailure() => Interlocked.Increment(ref _authFailures);

    public void CountRateLimited() => Interlocked.Increment(ref _rateLimited);

    public void CountBan() => Interlocked.Increment(ref _bans);

    public static string? Subject(ClaimsPrincipal user) => user.FindFirst(BearerTokenHandler.SubjectClaim)?.Value;

    public static string? Role(ClaimsPrincipal user) => user.FindFirst(BearerTokenHandler.RoleClaim)?.Value;
}
