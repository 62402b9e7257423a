using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Tests.Supervision;

public class LogRingTests
{
    private static LogLine Line(int i) => new(DateTimeOffset.UnixEpoch.AddSeconds(i), "stdout", $"line {i}");

    [Fact]
    public void Tail_FewerLinesThanAsked_ReturnsAllOldestFirst()
    {
        var ring = new LogRing(10);
        ring.Add(Line(1));
        ring.Add(Line(2));

        Assert.Equal(["line 1", "line 2"], ring.Tail(5).Select(l => l.Text));
    }

    [Fact]
    public void Add_PastCapacity_KeepsOnlyTheNewestLines()
    {
        var ring = new LogRing();
        for (var i = 0; i < 1500; i++)
        {
            ring.Add(Line(i));
        }

        Assert.Equal(1000, ring.Count);
        Assert.Equal(1500, ring.TotalAdded);
        var all = ring.Tail(2000);
        Assert.Equal("line 500", all[0].Text);
        Assert.Equal("line 1499", all[^1].Text);
        Assert.Equal(["line 1497", "line 1498", "line 1499"], ring.Tail(3).Select(l => l.Text));
    }

    [Fact]
    public async Task Add_FromManyThreads_LosesNoCountAndKeepsCapacity()
    {
        var ring = new LogRing(100);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 5000; i++)
            {
                ring.Add(Line(i));
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(20_000, ring.TotalAdded);
        Assert.Equal(100, ring.Tail(1000).Count);
        Assert.All(ring.Tail(1000), Assert.NotNull);
    }

    [FsCheck.Xunit.Property]
    public bool Tail_AnyAddsAndCount_IsTheSuffixOfWhatWasAdded(FsCheck.PositiveInt capacity, FsCheck.NonNegativeInt adds, FsCheck.NonNegativeInt tail)
    {
        var cap = Math.Min(capacity.Get, 50);
        var n = Math.Min(adds.Get, 200);
        var ring = new LogRing(cap);
        for (var i = 0; i < n; i++)
        {
            ring.Add(Line(i));
        }

        var expected = Enumerable.Range(0, n).TakeLast(Math.Min(cap, tail.Get)).Select(i => $"line {i}");
        return ring.Tail(tail.Get).Select(l => l.Text).SequenceEqual(expected);
    }
}
