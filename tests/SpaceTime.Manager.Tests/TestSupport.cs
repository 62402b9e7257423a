using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

// The manager supervises Linux process groups (setsid, kill(2), /proc); so do its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace SpaceTime.Manager.Tests;

/// <summary>Waits for a condition by polling with a deadline, never by sleeping a fixed time.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    public static async Task<T> UntilAsync<T>(Func<T> read, Func<T, bool> done, string what, TimeSpan timeout, Func<string>? describe = null)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:F0} s waiting for {what}; last reading: {describe?.Invoke() ?? value?.ToString()}");
            }

            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }
}

internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("spacetime-manager-tests-").FullName;

    public string Path { get; }

    /// <summary>Writes an executable shell script and returns its path.</summary>
    public string Script(string name, string body)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A straggling writer; the OS cleans temp.
        }
    }
}
