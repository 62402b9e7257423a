using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SpaceTime.Runtime.Discovery;
using SpaceTime.Runtime.Telemetry;
using SpaceTime.Runtime.Tests.Security;

namespace SpaceTime.Runtime.Tests.Discovery;

/// <summary>The runtime announcing itself every second (the minimum) to a UDP port this fixture holds open.</summary>
public sealed class DiscoveryRuntimeFixture : RuntimeApiFixture
{
    public DiscoveryRuntimeFixture()
    {
        Receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)Receiver.Client.LocalEndPoint!).Port;
    }

    /// <summary>Bound before the runtime starts, so no announcement is lost and no one else takes the port.</summary>
    public UdpClient Receiver { get; }

    public int Port { get; }

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["SpaceTime:DiscoveryPort"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SpaceTime:DiscoveryIntervalSeconds"] = "1",
    };

    /// <summary>The next datagram, raw; fails the test if none arrives within 10 s.</summary>
    public async Task<byte[]> ReceiveAsync()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return (await Receiver.ReceiveAsync(deadline.Token)).Buffer;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"no discovery announcement on udp://127.0.0.1:{Port} within 10 s");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Receiver.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>UDP discovery announcements as sent by a running runtime.</summary>
public sealed class DiscoveryAnnouncerTests(DiscoveryRuntimeFixture runtime) : IClassFixture<DiscoveryRuntimeFixture>
{
    [Fact]
    public async Task Announcement_Received_DescribesThisRuntimeWithoutSecrets()
    {
        var telemetryPort = runtime.Services.GetRequiredService<TelemetryServer>().Port;

        var bytes = await runtime.ReceiveAsync();

        var announcement = DiscoveryAnnouncement.TryParse(bytes);
        Assert.NotNull(announcement);
        Assert.Equal("SpaceTime", announcement.Service);
        Assert.Equal("test", announcement.Environment);
        Assert.Equal("127.0.0.1", announcement.Host);
        Assert.NotNull(telemetryPort);
        Assert.Equal(telemetryPort, announcement.TelemetryPort);
        Assert.Equal(RuntimeApiFixture.MainScene, announcement.Scene);
        Assert.False(string.IsNullOrEmpty(announcement.Version));
        Assert.Equal(runtime.Services.GetRequiredService<DiscoveryAnnouncer>().InstanceId, announcement.InstanceId);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain(RuntimeApiFixture.AdminToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("token", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Announcements_AtConfiguredInterval_KeepComingAndStatusCountsThem()
    {
        var first = DiscoveryAnnouncement.TryParse(await runtime.ReceiveAsync());
        var timestamps = new List<double> { first!.Timestamp };
        while (timestamps.Count < 3)
        {
            timestamps.Add(DiscoveryAnnouncement.TryParse(await runtime.ReceiveAsync())!.Timestamp);
        }

        // 1 s apart (the fixture's interval), not the default 5 s.
        var gaps = timestamps.Skip(1).Zip(timestamps, (b, a) => b - a).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap, 0.5, 2.5));
        using var admin = runtime.CreateClient();
        var discovery = (await admin.GetJsonAsync("/status")).GetProperty("discovery");
        Assert.True(discovery.GetProperty("enabled").GetBoolean());
        Assert.Equal(runtime.Port, discovery.GetProperty("port").GetInt32());
        Assert.True(discovery.GetProperty("announcements").GetInt64() >= 3);
        Assert.Equal(first.InstanceId, discovery.Str("instance_id"));
    }

    [Fact]
    public async Task Announcement_AfterSceneChange_NamesTheNewScene()
    {
        using var admin = runtime.CreateClient();
        using (var response = await admin.PostJsonAsync("/scene", """{"scene_path":"res://node_3d.tscn"}"""))
        {
            await response.ReadJsonAsync();
        }

        try
        {
            await Poll.UntilAsync(async () => DiscoveryAnnouncement.TryParse(await runtime.ReceiveAsync())?.Scene, s => s == "res://node_3d.tscn", "an announcement naming the new scene");
        }
        finally
        {
            await RuntimeApiFixture.LoadMainSceneAsync(admin);
        }
    }
}

/// <summary>With the port at 0 (as every other fixture sets it) nothing is announced.</summary>
public sealed class DiscoveryOffTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    [Fact]
    public async Task DiscoveryPortZero_StatusSaysOff_AndNothingIsSent()
    {
        using var admin = runtime.CreateClient();
        await RuntimeApiFixture.AssertStillTickingAsync(admin);

        var discovery = (await admin.GetJsonAsync("/status")).GetProperty("discovery");

        Assert.False(discovery.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, discovery.GetProperty("port").GetInt32());
        Assert.Equal(0, discovery.GetProperty("announcements").GetInt64());
        Assert.Equal(0, runtime.Services.GetRequiredService<DiscoveryAnnouncer>().Sent);
    }
}

/// <summary>Production with no discovery port configured at all.</summary>
public sealed class ProductionDiscoveryRuntimeFixture() : ConfiguredRuntimeFixture(
    "production",
    settings: new Dictionary<string, string>
    {
        ["JWT_SECRET_KEY"] = StrongSecret,
        ["GODOT_ENABLE_HTTP_API"] = "true",
        // Clears the "0" the base fixture sets: unset, as on a real production host.
        ["SpaceTime:DiscoveryPort"] = "",
    });

public sealed class ProductionDiscoveryTests(ProductionDiscoveryRuntimeFixture runtime) : IClassFixture<ProductionDiscoveryRuntimeFixture>
{
    [Fact]
    public async Task Production_DiscoveryPortUnset_OffByDefault()
    {
        using var admin = runtime.CreateClient();

        var discovery = (await admin.GetJsonAsync("/status")).GetProperty("discovery");

        Assert.False(discovery.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, discovery.GetProperty("port").GetInt32());
    }
}
