using System.Diagnostics;

namespace SpaceTime.Dashboard.Tests;

/// <summary>Polls with a deadline instead of sleeping.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Reads until <paramref name="done"/> holds and returns that reading; fails the test at the deadline.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            T value;
            try
            {
                value = await read();
            }
            catch (HttpRequestException) when (Stopwatch.GetElapsedTime(started) <= timeout)
            {
                // The server is restarting: read again.
                await Task.Delay(Interval, TestContext.Current.CancellationToken);
                continue;
            }

            if (done(value))
            {
                return value;
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:F0} s waiting for {what}; last reading: {value}");
            }

            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }
}
