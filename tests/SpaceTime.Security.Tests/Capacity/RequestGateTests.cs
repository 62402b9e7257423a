using Microsoft.AspNetCore.Http;
using SpaceTime.Security.Capacity;

namespace SpaceTime.Security.Tests.Capacity;

public sealed class RequestGateTests
{
    private static RequestGate Gate(int slots, int queue, int queueTimeoutMs, Func<PathString, bool>? applies = null) =>
        new(new HttpApiSettings { MaxConcurrentRequests = slots, RequestQueueLimit = queue, RequestQueueTimeoutMs = queueTimeoutMs }, applies);

    [Fact]
    public async Task EnterAsync_WithASlotFree_AdmitsAtOnce()
    {
        using var gate = Gate(slots: 2, queue: 0, queueTimeoutMs: 0);
        using var first = await gate.EnterAsync(TestContext.Current.CancellationToken);
        using var second = await gate.EnterAsync(TestContext.Current.CancellationToken);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(2, gate.InFlight);
    }

    [Fact]
    public async Task EnterAsync_AtCapacityWithoutQueue_RefusesAndCounts()
    {
        using var gate = Gate(slots: 1, queue: 0, queueTimeoutMs: 1000);
        using var held = await gate.EnterAsync(TestContext.Current.CancellationToken);

        Assert.Null(await gate.EnterAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, gate.Refused);
    }

    [Fact]
    public async Task EnterAsync_AtCapacity_WaitsNoLongerThanTheQueueTimeout()
    {
        using var gate = Gate(slots: 1, queue: 5, queueTimeoutMs: 100);
        using var held = await gate.EnterAsync(TestContext.Current.CancellationToken);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var lease = await gate.EnterAsync(TestContext.Current.CancellationToken);

        Assert.Null(lease);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(5));
        Assert.Equal(0, gate.Queued);
    }

    [Fact]
    public async Task EnterAsync_Queued_GetsTheSlotWhenItIsFreed()
    {
        using var gate = Gate(slots: 1, queue: 5, queueTimeoutMs: 30_000);
        var held = await gate.EnterAsync(TestContext.Current.CancellationToken);
        var waiting = gate.EnterAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.False(waiting.IsCompleted);

        held!.Dispose();

        using var lease = await waiting;
        Assert.NotNull(lease);
        Assert.Equal(0, gate.Refused);
    }

    [Theory]
    [InlineData("/health", false)]
    [InlineData("/livez", false)]
    [InlineData("/status", true)]
    [InlineData("/scene/dump", true)]
    public void Applies_ProbesNever(string path, bool applies)
    {
        using var gate = Gate(slots: 1, queue: 0, queueTimeoutMs: 0);

        Assert.Equal(applies, gate.Applies(path));
    }

    [Theory]
    [InlineData("/godot/status", true)]
    [InlineData("/godot/health", false)]
    [InlineData("/status", false)]
    [InlineData("/health", false)]
    public void Applies_WithAScope_OnlyInsideItAndNeverToProbes(string path, bool applies)
    {
        using var gate = Gate(slots: 1, queue: 0, queueTimeoutMs: 0,
            p => p.StartsWithSegments("/godot", out var rest) && !SecurityPipeline.IsProbe(rest));

        Assert.Equal(applies, gate.Applies(path));
    }
}
