using System.Diagnostics;

namespace SpaceTime.Testing;

/// <summary>Waits for a condition by polling with a deadline, never by sleeping a fixed time.</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(15);

    /// <summary>Reads until <paramref name="done"/> holds and returns that reading; fails the test at the deadline.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<string>? describe = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds:F0} s waiting for {what}; last reading: {describe?.Invoke() ?? value?.ToString()}");
            }

            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The same for a reading that needs no I/O (an in-process object's state).</summary>
    public static Task<T> ReadUntilAsync<T>(Func<T> read, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<string>? describe = null) =>
        UntilAsync(() => Task.FromResult(read()), done, what, timeout, describe);
}
