using System.Globalization;
using System.Runtime.InteropServices;

namespace SpaceTime.Manager.Supervision;

/// <summary>Linux signal numbers (x86-64 and arm64 share them).</summary>
public static class Signals
{
    public const int Kill = 9;
    public const int Term = 15;
    public const int Cont = 18;
    public const int Stop = 19;

    public static string Name(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        Kill => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        Term => "SIGTERM",
        _ => $"signal {signal}",
    };
}

/// <summary>Signals and inspects a process group: kill(2) with a negative pid, and /proc for what is left.</summary>
public static partial class ProcessGroup
{
    private const int NoSuchProcess = 3; // ESRCH

    /// <summary>Sends <paramref name="signal"/> to every process of group <paramref name="pgid"/>.</summary>
    /// <returns>False when the group has no process left.</returns>
    public static bool Signal(int pgid, int signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pgid, 2);
        if (Kill(-pgid, signal) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == NoSuchProcess ? false : throw new IOException($"kill(-{pgid}, {signal}) failed with errno {error}");
    }

    /// <summary>Sends <paramref name="signal"/> to one process.</summary>
    public static bool SignalProcess(int pid, int signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pid, 2);
        return Kill(pid, signal) == 0;
    }

    /// <summary>Pids of the group's processes that still run (zombies, which only wait to be reaped, do not count).</summary>
    public static IReadOnlyList<int> LiveMembers(int pgid)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = System.IO.Path.GetFileName(dir);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (ReadStat(pid) is { } stat && stat.Pgrp == pgid && stat.State is not ('Z' or 'X'))
            {
                members.Add(pid);
            }
        }

        return members;
    }

    /// <summary>The process group of <paramref name="pid"/>, or null when it is gone.</summary>
    public static int? GroupOf(int pid) => ReadStat(pid)?.Pgrp;

    /// <summary>The state letter of <paramref name="pid"/> (R, S, T, Z...), or null when it is gone.</summary>
    public static char? StateOf(int pid) => ReadStat(pid)?.State;

    private static (char State, int Pgrp)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // gone between listing and reading
        }

        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 2 && int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pgrp)
            ? (fields[0][0], pgrp)
            : null;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
