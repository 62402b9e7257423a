using System.Net;
using Microsoft.AspNetCore.Http;
using SpaceTime.Security.RateLimiting;

namespace SpaceTime.Security.Tests.RateLimiting;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("10.1.2.3", "203.0.113.9, 10.9.9.9", "203.0.113.9")] // inside the trusted range: the right-most untrusted hop
    [InlineData("172.18.0.4", "203.0.113.9", "172.18.0.4")] // outside it: X-Forwarded-For is ignored
    [InlineData("::ffff:10.0.0.7", "198.51.100.1", "198.51.100.1")] // IPv4-mapped remote inside the range
    [InlineData("192.168.1.10", "198.51.100.2", "198.51.100.2")] // a single trusted address
    public void Resolve_TrustedRangesAndAddresses_UseForwardedOnlyFromThem(string remote, string forwarded, string expected)
    {
        var trusted = new[] { "10.0.0.0/8", "192.168.1.10" }.Select(p => Assert.IsType<IPNetwork>(Parse(p))).ToList();
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Request.Headers["X-Forwarded-For"] = forwarded;

        Assert.Equal(expected, ClientAddress.Resolve(context, trusted));
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("proxy.example.com", false)]
    public void TryParseProxy_AddressesAndCidrRanges(string text, bool valid) =>
        Assert.Equal(valid, ClientAddress.TryParseProxy(text, out _));

    [Theory]
    [InlineData("the-secret", "198.51.100.4", "198.51.100.4")] // the manager, over the game's private socket
    [InlineData(null, "198.51.100.4", "unknown")] // another local process: it cannot name a client
    [InlineData("wrong", "198.51.100.4", "unknown")]
    public void Resolve_OverThePrivateSocket_BelievesOnlyTheManagersSecret(string? presented, string forwarded, string expected)
    {
        var context = new DefaultHttpContext(); // a Unix socket connection has no remote address
        context.Request.Headers["X-Forwarded-For"] = forwarded;
        if (presented is not null)
        {
            context.Request.Headers[ClientAddress.ProxySecretHeader] = presented;
        }

        var secretHash = System.Security.Cryptography.SHA256.HashData("the-secret"u8);

        Assert.Equal(expected, ClientAddress.Resolve(context, [], secretHash));
    }

    private static IPNetwork? Parse(string text) => ClientAddress.TryParseProxy(text, out var network) ? network : null;
}
