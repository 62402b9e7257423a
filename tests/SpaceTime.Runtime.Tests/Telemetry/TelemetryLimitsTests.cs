using System.Net.WebSockets;
using SpaceTime.Runtime.Telemetry;

namespace SpaceTime.Runtime.Tests.Telemetry;

/// <summary>At most two telemetry connections from one address.</summary>
public sealed class TelemetryLimitsRuntimeFixture : TelemetryRuntimeFixture
{
    protected override IReadOnlyDictionary<string, string> TelemetrySettings => new Dictionary<string, string>(base.TelemetrySettings)
    {
        ["SpaceTime:Telemetry:MaxConnectionsPerAddress"] = "2",
    };
}

public sealed class TelemetryLimitsTests(TelemetryLimitsRuntimeFixture runtime) : IClassFixture<TelemetryLimitsRuntimeFixture>
{
    [Fact]
    public async Task Connect_ThirdFromSameAddress_ClosedWith1013_AndAcceptedAgainOnceOneLeaves()
    {
        await using var first = await runtime.ConnectAsync();
        await first.NextEventAsync(TelemetryMessages.Connected);
        var second = await runtime.ConnectAsync();
        await second.NextEventAsync(TelemetryMessages.Connected);

        await using (var third = await runtime.ConnectAsync())
        {
            var (status, reason) = await third.WaitForCloseAsync();
            Assert.Equal(TelemetryServer.TryAgainLater, status);
            Assert.Equal(1013, (int)status!.Value);
            Assert.Contains("too many", reason, StringComparison.Ordinal);
        }

        await second.DisposeAsync();
        await Poll.UntilAsync(() => Task.FromResult(runtime.Hub.Count), count => count < 2, "the second connection to be removed");
        await using var fourth = await runtime.ConnectAsync();
        await fourth.NextEventAsync(TelemetryMessages.Connected);
        Assert.Equal(WebSocketState.Open, first.State);
    }
}
