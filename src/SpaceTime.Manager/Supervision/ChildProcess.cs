using System.ComponentModel;
using System.Diagnostics;

namespace SpaceTime.Manager.Supervision;

/// <summary>
/// A child process in its own process group (started through <c>setsid</c>, so its pid is the group id and a
/// signal to the group reaches every descendant). Output is read line by line; the exit is noticed the moment
/// the kernel reports it; <see cref="StopAsync"/> ends the whole group: SIGTERM, a grace period, then SIGKILL.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>util-linux's setsid: when the caller is not a group leader it calls setsid(2) and execs in place, keeping the pid.</summary>
    public const string SetsidPath = "/usr/bin/setsid";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly TimeProvider _time;
    private readonly Action<LogLine>? _output;
    private readonly TaskCompletionSource<ChildExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process, TimeProvider time, Action<LogLine>? output, DateTimeOffset startedAt)
    {
        _process = process;
        _time = time;
        _output = output;
        StartedAt = startedAt;
    }

    public int Pid { get; private set; }

    /// <summary>The process group: the child leads it, so it is the child's pid.</summary>
    public int ProcessGroupId => Pid;

    public DateTimeOffset StartedAt { get; }

    public ChildStartInfo StartInfo { get; private init; } = null!;

    /// <summary>Completes when the child has exited (its descendants may still run: see <see cref="StopAsync"/>).</summary>
    public Task<ChildExit> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <exception cref="FileNotFoundException">The executable does not exist.</exception>
    /// <exception cref="Win32Exception">The process could not be started.</exception>
    public static ChildProcess Start(ChildStartInfo info, TimeProvider time, Action<LogLine>? output = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(time);
        if (!File.Exists(SetsidPath))
        {
            throw new FileNotFoundException($"{SetsidPath} (util-linux) is needed to start the game in its own process group", SetsidPath);
        }

        var executable = Resolve(info.FileName)
            ?? throw new FileNotFoundException($"Executable not found: {info.FileName}", info.FileName);
        var startInfo = new ProcessStartInfo(SetsidPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = info.WorkingDirectory ?? "",
        };
        startInfo.ArgumentList.Add(executable);
        foreach (var argument in info.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in info.Environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process, time, output, time.GetUtcNow()) { StartInfo = info };
        process.OutputDataReceived += (_, e) => child.OnLine("stdout", e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine("stderr", e.Data);
        process.Exited += (_, _) => child.OnExited();
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        child.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Sends <paramref name="signal"/> to the child's whole group; false when no process of it is left.</summary>
    public bool SignalGroup(int signal) => ProcessGroup.Signal(ProcessGroupId, signal);

    /// <summary>Processes of the child's group that still run.</summary>
    public IReadOnlyList<int> LiveGroupMembers() => ProcessGroup.LiveMembers(ProcessGroupId);

    /// <summary>
    /// Ends the whole group: SIGTERM (with SIGCONT, so stopped members can act on it), up to <paramref name="grace"/>
    /// for every member to leave, then SIGKILL. Returns once the child has exited and no member of its group runs.
    /// </summary>
    public async Task<ChildExit> StopAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        if (SignalGroup(Signals.Term))
        {
            SignalGroup(Signals.Cont);
        }

        if (!await WaitForGroupAsync(grace, cancellationToken))
        {
            SignalGroup(Signals.Kill);
            if (!await WaitForGroupAsync(KillWait, cancellationToken))
            {
                throw new IOException($"process group {ProcessGroupId} still has members {string.Join(',', LiveGroupMembers())} after SIGKILL");
            }
        }

        return await Exited.WaitAsync(cancellationToken);
    }

    /// <summary>SIGKILL to whatever is left of the group (descendants of a child that exited by itself).</summary>
    public Task KillRemainingAsync(CancellationToken cancellationToken = default) =>
        SignalGroup(Signals.Kill) ? WaitForGroupAsync(KillWait, cancellationToken) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (!HasExited || LiveGroupMembers().Count > 0)
        {
            await StopAsync(TimeSpan.Zero);
        }

        _process.Dispose();
    }

    private async Task<bool> WaitForGroupAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (!HasExited || LiveGroupMembers().Count > 0)
        {
            if (_time.GetElapsedTime(started) >= limit)
            {
                return false;
            }

            await Task.Delay(PollInterval, _time, cancellationToken);
        }

        return true;
    }

    private void OnLine(string source, string? text)
    {
        if (text is not null)
        {
            _output?.Invoke(new LogLine(_time.GetUtcNow(), source, text));
        }
    }

    private void OnExited()
    {
        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        // Exited may run before Start has stored the pid when the child dies at once.
        _exited.TrySetResult(new ChildExit(Pid != 0 ? Pid : SafeId(), code, StartedAt, _time.GetUtcNow()));
    }

    private int SafeId()
    {
        try
        {
            return _process.Id;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }

    private static string? Resolve(string fileName)
    {
        if (fileName.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(fileName) ? Path.GetFullPath(fileName) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, fileName))
            .FirstOrDefault(File.Exists);
    }
}
