using System.Runtime.InteropServices;

namespace SpaceTime.Engine.Simulation;

/// <summary>How the loop thread is scheduled: <c>realtime</c> (SCHED_FIFO at <see cref="Value"/>), <c>nice</c> (at <see cref="Value"/>) or <c>default</c>.</summary>
public readonly record struct LoopScheduling(string Policy, int Value)
{
    public static LoopScheduling Default { get; } = new("default", 0);

    public static LoopScheduling Realtime(int priority) => new("realtime", priority);

    public static LoopScheduling Nice(int value) => new("nice", value);

    public bool IsRealtime => Policy == "realtime";

    public override string ToString() => Policy == "default" ? Policy : $"{Policy} {Value}";
}

/// <summary>
/// Raises the calling thread's scheduling priority where the platform honours it, so a tick starts on time while
/// request threads keep both cores busy. On Linux, first a low real-time priority (SCHED_FIFO 10: the thread runs as
/// soon as it wakes, ahead of every ordinary thread, and sleeps between ticks, so it cannot starve them), which needs
/// <c>CAP_SYS_NICE</c> or an <c>RLIMIT_RTPRIO</c> allowance (systemd: <c>LimitRTPRIO=</c>); else a lower nice value
/// (per thread on Linux), which needs <c>CAP_SYS_NICE</c> or <c>RLIMIT_NICE</c> (systemd: <c>LimitNICE=</c>); without
/// either the thread keeps the default priority. <see cref="ThreadPriority"/> changes nothing for ordinary threads there.
/// </summary>
internal static partial class LoopThreadPriority
{
    private const int PrioProcess = 0;
    private const int SchedFifo = 1;

    /// <summary>The SCHED_FIFO priority asked for: low among real-time threads (1–99), above every ordinary one.</summary>
    private const int RealtimePriority = 10;

    /// <summary>Nice values tried, strongest first.</summary>
    private static readonly int[] NiceValues = [-10, -5, -1];

    /// <summary>Raises the calling thread; returns how it is scheduled now.</summary>
    public static LoopScheduling RaiseCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return LoopScheduling.Default;
        }

        // pid 0 is the calling thread: Linux schedules (and keeps a nice value) per thread.
        var priority = RealtimePriority;
        if (SetScheduler(0, SchedFifo, ref priority) == 0)
        {
            return LoopScheduling.Realtime(RealtimePriority);
        }

        foreach (var nice in NiceValues)
        {
            if (SetPriority(PrioProcess, 0, nice) == 0)
            {
                return LoopScheduling.Nice(nice);
            }
        }

        return LoopScheduling.Default;
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, uint who, int priority);

    /// <param name="pid">0: the calling thread.</param>
    /// <param name="policy">SCHED_FIFO.</param>
    /// <param name="priority">A <c>struct sched_param</c>, whose only field is the priority.</param>
    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int priority);
}
