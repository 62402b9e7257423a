using Microsoft.Extensions.Time.Testing;

namespace SpaceTime.Engine.Tests.Simulation;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts how often a timer is armed with a finite due time.
/// The loop arms its timer only when it is about to wait, after reading the clock; advancing only once a new
/// arm is seen therefore never races that read, and each advance is seen by the loop exactly once.
/// </summary>
internal sealed class SteppingTimeProvider : FakeTimeProvider
{
    private int _arms;
    private int _armsAtLastAdvance;

    public int Arms => Volatile.Read(ref _arms);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new CountingTimer(base.CreateTimer(callback, state, dueTime, period), this);

    /// <summary>Waits until the loop has armed its timer since the last advance, i.e. it has handled that advance and waits.</summary>
    public Task WaitUntilWaitingAsync() =>
        Poll.UntilAsync(() => Arms > _armsAtLastAdvance, "the simulation loop to wait for its next tick");

    /// <summary>Advances the clock once the loop waits for it.</summary>
    public async Task AdvanceWhenWaitingAsync(TimeSpan delta)
    {
        await WaitUntilWaitingAsync();
        _armsAtLastAdvance = Arms;
        Advance(delta);
    }

    private sealed class CountingTimer(ITimer inner, SteppingTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            // Count after the inner change, so an advance that follows the count always fires this timer.
            var changed = inner.Change(dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                Interlocked.Increment(ref owner._arms);
            }

            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
