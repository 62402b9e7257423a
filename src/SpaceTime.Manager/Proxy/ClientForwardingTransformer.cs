using SpaceTime.Security;
using SpaceTime.Security.RateLimiting;
using Yarp.ReverseProxy.Forwarder;

namespace SpaceTime.Manager.Proxy;

/// <summary>
/// Names the caller to the game (<c>X-Forwarded-For</c>, vouched for by the manager's proxy secret), replacing whatever the
/// caller claimed in the same headers, so the game's limits, bans and connection caps apply to the real client, not to
/// the manager. Used for the API (<c>/godot</c>) and for the telemetry WebSocket (<c>/telemetry</c>).
/// </summary>
internal sealed class ClientForwardingTransformer(string proxySecret) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var client = httpContext.RequestServices.GetRequiredService<SecurityContext>().Client(httpContext);
        proxyRequest.Headers.Remove("X-Forwarded-For");
        proxyRequest.Headers.Remove(ClientAddress.ProxySecretHeader);
        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", client);
        proxyRequest.Headers.TryAddWithoutValidation(ClientAddress.ProxySecretHeader, proxySecret);
    }
}
