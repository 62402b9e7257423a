using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Tests.Supervision;

public class RestartPolicyTests
{
    private static readonly RestartPolicyOptions Defaults = new();

    [Fact]
    public void OnFailure_QuickFailures_DoublesTheDelayFromAQuarterSecond()
    {
        var time = new FakeTimeProvider();
        var policy = new RestartPolicy(Defaults with { MaxRestarts = 10 }, time);

        var delays = Enumerable.Range(0, 4).Select(_ => policy.OnFailure(time.GetUtcNow()).Delay.TotalSeconds).ToList();

        Assert.Equal([0.25, 0.5, 1, 2], delays);
    }

    [Fact]
    public void OnFailure_ManyFailures_CapsTheDelay()
    {
        var time = new FakeTimeProvider();
        var policy = new RestartPolicy(new RestartPolicyOptions { MaxRestarts = 100, MaxDelay = TimeSpan.FromSeconds(5), Window = TimeSpan.FromSeconds(1) }, time);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 80; i++)
        {
            time.Advance(TimeSpan.FromSeconds(2)); // outside the window: never gives up
            delays.Add(policy.OnFailure(time.GetUtcNow() - TimeSpan.FromSeconds(1)).Delay);
        }

        Assert.Equal(TimeSpan.FromSeconds(5), delays.Max());
        Assert.Equal(TimeSpan.FromSeconds(5), delays[^1]);
    }

    [Fact]
    public void OnFailure_MoreThanMaxRestartsInsideTheWindow_GivesUpAndStaysGivenUp()
    {
        var time = new FakeTimeProvider();
        var policy = new RestartPolicy(Defaults, time);

        var decisions = Enumerable.Range(0, 4).Select(_ =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return policy.OnFailure(time.GetUtcNow() - TimeSpan.FromSeconds(1));
        }).ToList();

        Assert.Equal([false, false, false, true], decisions.Select(d => d.GiveUp));
        Assert.True(policy.GaveUp);
        time.Advance(TimeSpan.FromHours(1));
        Assert.True(policy.OnFailure(time.GetUtcNow()).GiveUp);
    }

    [Fact]
    public void OnFailure_FailuresSpreadWiderThanTheWindow_NeverGivesUp()
    {
        var time = new FakeTimeProvider();
        var policy = new RestartPolicy(Defaults, time);

        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromMinutes(4)); // at most 3 failures in any 10 minutes
            Assert.False(policy.OnFailure(time.GetUtcNow() - TimeSpan.FromSeconds(1)).GiveUp);
        }
    }

    [Fact]
    public void OnFailure_AfterAStableRun_ResetsTheBackOff()
    {
        var time = new FakeTimeProvider();
        var policy = new RestartPolicy(Defaults with { MaxRestarts = 10 }, time);
        policy.OnFailure(time.GetUtcNow());
        policy.OnFailure(time.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(1), policy.OnFailure(time.GetUtcNow()).Delay);

        var started = time.GetUtcNow();
        time.Advance(Defaults.StablePeriod);

        Assert.Equal(TimeSpan.FromMilliseconds(250), policy.OnFailure(started).Delay);
    }

    [Fact]
    public void Reset_AfterGivingUp_AllowsRestartsAgain()
    {
        var time = new FakeTimeProvider();
        var policy = new RestartPolicy(Defaults with { MaxRestarts = 0 }, time);
        Assert.True(policy.OnFailure(time.GetUtcNow()).GiveUp);

        policy.Reset();

        Assert.False(policy.GaveUp);
        Assert.True(policy.OnFailure(time.GetUtcNow()).GiveUp); // zero restarts allowed: the first failure gives up again
    }

    /// <summary>Gaps between failures (ms) and how long each run lasted (ms).</summary>
    private static Arbitrary<(int Gap, int Run)[]> Histories() =>
        Gen.Zip(Gen.Choose(0, 400_000), Gen.Choose(0, 120_000)).ArrayOf().ToArbitrary();

    [FsCheck.Xunit.Property]
    public Property OnFailure_AnyHistory_DelayStaysBetweenInitialAndCap() =>
        Prop.ForAll(Histories(), history =>
        {
            var time = new FakeTimeProvider();
            var policy = new RestartPolicy(Defaults with { MaxRestarts = 1000 }, time);
            return Run(time, policy, history).Where(d => !d.GiveUp)
                .All(d => d.Delay >= Defaults.InitialDelay && d.Delay <= Defaults.MaxDelay);
        });

    [FsCheck.Xunit.Property]
    public Property OnFailure_AnyHistory_NeverAllowsMoreThanMaxRestartsInAnyWindow() =>
        Prop.ForAll(Histories(), Gen.Choose(0, 5).ToArbitrary(), (history, maxRestarts) =>
        {
            var time = new FakeTimeProvider();
            var policy = new RestartPolicy(Defaults with { MaxRestarts = maxRestarts }, time);
            var restarts = new List<DateTimeOffset>();
            foreach (var (gap, run) in history)
            {
                time.Advance(TimeSpan.FromMilliseconds(gap));
                if (!policy.OnFailure(time.GetUtcNow() - TimeSpan.FromMilliseconds(run)).GiveUp)
                {
                    restarts.Add(time.GetUtcNow());
                }
            }

            return restarts.All(t => restarts.Count(o => o > t - Defaults.Window && o <= t) <= maxRestarts);
        });

    [FsCheck.Xunit.Property]
    public Property OnFailure_OnceGivenUp_NeverRestartsUntilReset() =>
        Prop.ForAll(Histories(), history =>
        {
            var time = new FakeTimeProvider();
            var policy = new RestartPolicy(Defaults, time);
            var decisions = Run(time, policy, history);
            var firstGiveUp = decisions.FindIndex(d => d.GiveUp);
            return firstGiveUp < 0 || decisions.Skip(firstGiveUp).All(d => d.GiveUp);
        });

    [FsCheck.Xunit.Property]
    public Property OnFailure_QuickSuccessiveFailures_DelaysNeverShrink() =>
        Prop.ForAll(Gen.Choose(1, 40).ToArbitrary(), count =>
        {
            var time = new FakeTimeProvider();
            var policy = new RestartPolicy(Defaults with { MaxRestarts = 1000 }, time);
            var delays = Enumerable.Range(0, count).Select(_ => policy.OnFailure(time.GetUtcNow()).Delay).ToList();
            return delays.Zip(delays.Skip(1)).All(p => p.Second >= p.First);
        });

    private static List<RestartDecision> Run(FakeTimeProvider time, RestartPolicy policy, (int Gap, int Run)[] history)
    {
        var decisions = new List<RestartDecision>();
        foreach (var (gap, run) in history)
        {
            time.Advance(TimeSpan.FromMilliseconds(gap));
            decisions.Add(policy.OnFailure(time.GetUtcNow() - TimeSpan.FromMilliseconds(run)));
        }

        return decisions;
    }
}
