namespace SpaceTime.Manager.Supervision;

/// <summary>How a child ended.</summary>
/// <param name="Pid">The child's pid (and process group).</param>
/// <param name="RawExitCode">
/// What .NET reports: the exit status, or 128 + the signal number when a signal killed the process
/// (waitpid's two cases folded into one number, as shells do).
/// </param>
/// <param name="StartedAt">When it was started.</param>
/// <param name="ExitedAt">When its exit was noticed.</param>
public sealed record ChildExit(int Pid, int RawExitCode, DateTimeOffset StartedAt, DateTimeOffset ExitedAt)
{
    /// <summary>The signal that ended the process, read with the shell's convention (status 129..192).</summary>
    public int? Signal => RawExitCode is > 128 and <= 128 + 64 ? RawExitCode - 128 : null;

    /// <summary>The exit code when the process exited by itself; null when a signal ended it.</summary>
    public int? ExitCode => Signal is null ? RawExitCode : null;

    public TimeSpan Runtime => ExitedAt - StartedAt;

    public string Description => Signal is { } s ? $"killed by {Signals.Name(s)}" : $"exit code {RawExitCode}";
}
