using System.Text;
using SpaceTime.Runtime.Discovery;

namespace SpaceTime.Runtime.Tests.Discovery;

/// <summary>The announcement's wire format.</summary>
public sealed class DiscoveryAnnouncementTests
{
    private static readonly DiscoveryAnnouncement Sample = new("SpaceTime", "0123456789abcdef", "1.0.0", "development", "127.0.0.1", 8080, 8081, "res://vr_main.tscn", 1_700_000_000.5);

    [Fact]
    public void ToBytes_ThenTryParse_RoundTrips()
    {
        var bytes = Sample.ToBytes();

        Assert.Equal(Sample, DiscoveryAnnouncement.TryParse(bytes));
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"http_port\":8080", text, StringComparison.Ordinal);
        Assert.Contains("\"telemetry_port\":8081", text, StringComparison.Ordinal);
        Assert.Contains("\"instance_id\":\"0123456789abcdef\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"service":"Other","instance_id":"x"}""")]
    [InlineData("""{"service":"SpaceTime","instance_id":""}""")]
    [InlineData("[1,2,3]")]
    public void TryParse_OtherTraffic_Null(string datagram)
    {
        Assert.Null(DiscoveryAnnouncement.TryParse(Encoding.UTF8.GetBytes(datagram)));
    }
}
