using System.Runtime.InteropServices;

namespace SpaceTime.Engine.Simulation;

/// <summary>
/// Raises the calling thread's scheduling priority where the platform honours it. On Linux
/// <see cref="ThreadPriority"/> changes nothing for ordinary threads, so the thread's nice value is lowered instead
/// (per thread on Linux), which needs <c>CAP_SYS_NICE</c> or an <c>RLIMIT_NICE</c> allowance (systemd: <c>LimitNICE=</c>);
/// without either the thread keeps the default priority.
/// </summary>
internal static partial class LoopThreadPriority
{
    private const int PrioProcess = 0;

    /// <summary>Nice values tried, strongest first.</summary>
    private static readonly int[] NiceValues = [-10, -5, -1];

    /// <summary>Raises the calling thread; returns the nice value it got on Linux (null when unchanged or elsewhere).</summary>
    public static int? RaiseCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (var nice in NiceValues)
        {
            // who = 0 is the calling thread: Linux keeps a nice value per thread.
            if (SetPriority(PrioProcess, 0, nice) == 0)
            {
                return nice;
            }
        }

        return null;
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, uint who, int priority);
}
