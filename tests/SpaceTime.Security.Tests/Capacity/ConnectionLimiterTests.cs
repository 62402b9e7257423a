using System.Net;
using SpaceTime.Security.Capacity;

namespace SpaceTime.Security.Tests.Capacity;

public sealed class ConnectionLimiterTests
{
    private static readonly IPAddress Client = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Other = IPAddress.Parse("203.0.113.8");
    private static readonly IPAddress Proxy = IPAddress.Parse("10.0.0.5");

    private static ConnectionLimiter Limiter(int total, int perClient) =>
        new(new HttpApiSettings { MaxConnections = total, MaxConnectionsPerClient = perClient }, ["10.0.0.0/8"]);

    [Fact]
    public void TryOpen_OneClientOverItsShare_IsRefusedWhileOthersAreAdmitted()
    {
        var limiter = Limiter(total: 10, perClient: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(limiter.TryOpen(Client, out _));
        }

        Assert.False(limiter.TryOpen(Client, out _));
        Assert.True(limiter.TryOpen(Other, out _));
        Assert.Equal(4, limiter.Open);
    }

    [Fact]
    public void Close_FreesTheClientsShare()
    {
        var limiter = Limiter(total: 10, perClient: 1);
        Assert.True(limiter.TryOpen(Client, out var counted));
        Assert.False(limiter.TryOpen(Client, out _));

        limiter.Close(counted);

        Assert.True(limiter.TryOpen(Client, out _));
        Assert.Equal(1, limiter.Open);
    }

    [Fact]
    public void TryOpen_OverTheTotal_IsRefusedForEveryone()
    {
        var limiter = Limiter(total: 2, perClient: 2);
        Assert.True(limiter.TryOpen(Client, out _));
        Assert.True(limiter.TryOpen(Other, out _));

        Assert.False(limiter.TryOpen(IPAddress.Parse("203.0.113.9"), out _));
        Assert.Equal(2, limiter.Open);
    }

    [Fact]
    public void TryOpen_TrustedProxy_IsNotCappedAndLeavesTheTotalToOutsideClients()
    {
        var limiter = Limiter(total: 5, perClient: 1);
        var proxied = new List<IPAddress?>();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(limiter.TryOpen(Proxy, out var counted));
            proxied.Add(counted);
        }

        Assert.Equal(10, limiter.Open);
        // The proxy's connections leave the outside clients' total alone (a direct health probe still gets in).
        Assert.True(limiter.TryOpen(Client, out var client));
        Assert.Equal(11, limiter.Open);
        proxied.ForEach(limiter.Close);
        limiter.Close(client);
        Assert.Equal(0, limiter.Open);
    }

    [Fact]
    public void TryOpen_Ipv4MappedAddress_SharesTheIpv4ClientsShare()
    {
        var limiter = Limiter(total: 10, perClient: 1);
        Assert.True(limiter.TryOpen(Client, out _));

        Assert.False(limiter.TryOpen(Client.MapToIPv6(), out _));
    }

    [Fact]
    public async Task TryOpenAndClose_Concurrently_LeaveNothingCounted()
    {
        var limiter = Limiter(total: 1000, perClient: 1000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                if (limiter.TryOpen(Client, out var counted))
                {
                    limiter.Close(counted);
                }
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(0, limiter.Open);
        Assert.True(limiter.TryOpen(Client, out _));
    }
}
