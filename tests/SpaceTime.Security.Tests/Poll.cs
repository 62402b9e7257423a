using System.Diagnostics;

namespace SpaceTime.Security.Tests;

/// <summary>Waits for a condition by polling with a deadline, never by sleeping a fixed time.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>Polls until <paramref name="done"/> holds; returns how long it took, or fails the test at <paramref name="timeout"/>.</summary>
    public static Task<TimeSpan> UntilAsync(Func<bool> done, string what, TimeSpan timeout) =>
        UntilAsync(() => Task.FromResult(done()), what, timeout);

    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> done, string what, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await done())
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:F1} s waiting for {what}");
            }

            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }

        return Stopwatch.GetElapsedTime(started);
    }
}
