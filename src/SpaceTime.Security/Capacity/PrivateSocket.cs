namespace SpaceTime.Security.Capacity;

/// <summary>
/// The Unix socket a manager's game listens on for the manager's connections (<c>SPACETIME_PROXY_SOCKET</c>): a fresh
/// name per manager run, removed by whichever of the two stops last.
/// </summary>
public static class PrivateSocket
{
    /// <summary>Longest path that fits a Unix socket address (108 bytes with the terminator on Linux, 104 on macOS).</summary>
    private const int MaxPathLength = 100;

    /// <summary>A new socket path in <c>&lt;dataDir&gt;/run</c>, or in the temp folder when that would be too long.</summary>
    public static string NewPath(string dataDir)
    {
        var name = $"game-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}.sock";
        var run = Path.Combine(dataDir, "run");
        if (Path.Combine(run, name).Length <= MaxPathLength)
        {
            Directory.CreateDirectory(run);
            return Path.Combine(run, name);
        }

        return Path.Combine(Path.GetTempPath(), $"spacetime-{name}");
    }

    /// <summary>Removes the socket file; one that cannot be removed is left (the next run uses another name).</summary>
    public static void Delete(string? path)
    {
        try
        {
            if (path is not null)
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Harmless: nothing connects to a socket nobody listens on, and its name is never reused.
        }
    }
}
