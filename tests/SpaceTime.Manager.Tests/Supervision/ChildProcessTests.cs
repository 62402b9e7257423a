using System.Collections.Concurrent;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Tests.Supervision;

public sealed class ChildProcessTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly TempFolder _folder = new();
    private readonly List<ChildProcess> _children = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var child in _children)
        {
            await child.DisposeAsync();
        }

        _folder.Dispose();
    }

    private ChildProcess Start(string script, Action<LogLine>? output = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var child = ChildProcess.Start(
            new ChildStartInfo("/bin/sh", ["-c", script]) { Environment = environment ?? new Dictionary<string, string?>() },
            TimeProvider.System,
            output);
        _children.Add(child);
        return child;
    }

    [Fact]
    public async Task Start_AnyChild_LeadsItsOwnProcessGroup()
    {
        var child = Start("sleep 300");

        var group = await Poll.ReadUntilAsync(() => ProcessGroup.GroupOf(child.Pid), g => g == child.Pid, "the child's process group", Deadline);

        Assert.Equal(child.Pid, group);
        Assert.NotEqual(child.Pid, ProcessGroup.GroupOf(Environment.ProcessId));
    }

    [Fact]
    public async Task Start_ChildWritingBothStreams_CapturesLinesAndEnvironment()
    {
        var lines = new ConcurrentQueue<LogLine>();
        var child = Start("echo \"hello $GREETING\"; echo oops >&2; exit 0", lines.Enqueue, new Dictionary<string, string?> { ["GREETING"] = "world" });

        var exit = await child.Exited.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        await Poll.ReadUntilAsync(() => lines.Count, c => c == 2, "both lines", Deadline);

        Assert.Equal(0, exit.ExitCode);
        Assert.Contains(lines, l => l is { Source: "stdout", Text: "hello world" });
        Assert.Contains(lines, l => l is { Source: "stderr", Text: "oops" });
    }

    [Fact]
    public async Task Exited_ChildExitsWithCode_ReportsTheCodeAndNoSignal()
    {
        var child = Start("exit 3");

        var exit = await child.Exited.WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(3, exit.ExitCode);
        Assert.Null(exit.Signal);
        Assert.Equal("exit code 3", exit.Description);
    }

    [Fact]
    public async Task Exited_ChildKilledBySignal_ReportsTheSignal()
    {
        var child = Start("sleep 300");
        await Poll.ReadUntilAsync(() => ProcessGroup.GroupOf(child.Pid), g => g == child.Pid, "the child to run", Deadline);

        ProcessGroup.SignalProcess(child.Pid, Signals.Kill);
        var exit = await child.Exited.WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(Signals.Kill, exit.Signal);
        Assert.Null(exit.ExitCode);
        Assert.Equal("killed by SIGKILL", exit.Description);
    }

    [Fact]
    public async Task StopAsync_ChildWithAGrandchild_LeavesNoProcessOfTheGroup()
    {
        var child = Start("sleep 300 & sleep 300");
        var members = await Poll.ReadUntilAsync(child.LiveGroupMembers, m => m.Count >= 3, "sh and both sleeps", Deadline);
        var grandchildren = members.Where(p => p != child.Pid).ToList();

        await child.StopAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Empty(ProcessGroup.LiveMembers(child.ProcessGroupId));
        Assert.All(grandchildren, pid => Assert.True(ProcessGroup.StateOf(pid) is null or 'Z', $"grandchild {pid} still runs"));
    }

    [Fact]
    public async Task StopAsync_ChildIgnoringSigterm_IsKilledAfterTheGrace()
    {
        var child = Start("trap '' TERM; echo ready; while :; do sleep 1; done");
        await Poll.ReadUntilAsync(child.LiveGroupMembers, m => m.Count >= 2, "the loop to run", Deadline);

        var exit = await child.StopAsync(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);

        Assert.Equal(Signals.Kill, exit.Signal);
        Assert.Empty(child.LiveGroupMembers());
    }

    [Fact]
    public async Task StopAsync_StoppedGroup_StillEnds()
    {
        var child = Start("sleep 300 & sleep 300");
        await Poll.ReadUntilAsync(child.LiveGroupMembers, m => m.Count >= 3, "the group", Deadline);
        child.SignalGroup(Signals.Stop);
        // A shell caught mid-fork shows 'D' while its stopped child holds it; one member in 'T' proves the group stopped.
        await Poll.ReadUntilAsync(() => child.LiveGroupMembers().Select(ProcessGroup.StateOf).ToList(), s => s.Contains('T'), "a member to stop", Deadline);

        await child.StopAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Empty(child.LiveGroupMembers());
    }

    [Fact]
    public void Start_MissingExecutable_ThrowsFileNotFound()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ChildProcess.Start(new ChildStartInfo(Path.Combine(_folder.Path, "nope"), []), TimeProvider.System));
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }
}
