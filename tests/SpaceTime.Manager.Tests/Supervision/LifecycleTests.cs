using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Tests.Supervision;

public class LifecycleTests
{
    [Fact]
    public void MoveTo_TheWayUp_RecordsEachTransitionWithTimeAndCounts()
    {
        var time = new FakeTimeProvider();
        var lifecycle = new Lifecycle(time, NullLogger.Instance);
        LifecycleState[] path = [LifecycleState.Starting, LifecycleState.ApiWaiting, LifecycleState.SceneLoading, LifecycleState.PlayerWaiting, LifecycleState.Ready];
        foreach (var state in path)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(lifecycle.MoveTo(state, "test"));
        }

        Assert.Equal(LifecycleState.Ready, lifecycle.Current);
        Assert.Equal(time.GetUtcNow(), lifecycle.Since);
        Assert.Equal(5, lifecycle.TransitionCount);
        Assert.Equal(path, lifecycle.History().Select(t => t.To));
        Assert.Equal(LifecycleState.Stopped, lifecycle.History()[0].From);
        Assert.All(lifecycle.EnteredCounts().Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public void MoveTo_SameState_IsNotATransition()
    {
        var lifecycle = new Lifecycle(TimeProvider.System, NullLogger.Instance);
        lifecycle.MoveTo(LifecycleState.Degraded, "a");

        Assert.False(lifecycle.MoveTo(LifecycleState.Degraded, "b"));
        Assert.Equal(1, lifecycle.TransitionCount);
    }

    [Fact]
    public void History_ManyTransitions_KeepsTheLastHundred()
    {
        var lifecycle = new Lifecycle(TimeProvider.System, NullLogger.Instance);
        for (var i = 0; i < 150; i++)
        {
            lifecycle.MoveTo(i % 2 == 0 ? LifecycleState.Ready : LifecycleState.Degraded, $"#{i}");
        }

        Assert.Equal(Lifecycle.HistorySize, lifecycle.History().Count);
        Assert.Equal("#149", lifecycle.History()[^1].Reason);
        Assert.Equal(75, lifecycle.EnteredCounts()[LifecycleState.Ready]);
    }

    [Theory]
    [InlineData(LifecycleState.ApiWaiting, "API_WAITING")]
    [InlineData(LifecycleState.PlayerWaiting, "PLAYER_WAITING")]
    [InlineData(LifecycleState.Failed, "FAILED")]
    public void ToWireName_State_IsScreamingSnakeCase(LifecycleState state, string expected) => Assert.Equal(expected, state.ToWireName());
}
