using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Scripts;

/// <summary>
/// deploy.sh and rollback.sh on a temporary prefix, with the shipped supervisord program as the service: each release
/// is a folder whose spacetime executable records its name and runs the real SpaceTime.
/// </summary>
public sealed class DeployRollbackTests
{
    [Fact]
    public async Task DeployThenBadReleaseThenQuickRollback_AlwaysEndsOnAHealthyRelease()
    {
        using var root = new TempFolder();
        var prefix = Path.Combine(root.Path, "opt");
        var started = Path.Combine(root.Path, "started");
        var data = Directory.CreateDirectory(Path.Combine(root.Path, "data")).FullName;
        await using var supervisor = await Supervisord.StartAsync(Path.Combine(prefix, "current", "spacetime"), data);
        // A fresh host: nothing installed yet, so supervisord gives the program up.
        await supervisor.WaitForStateAsync("FATAL", TimeSpan.FromSeconds(60));
        string[] service = ["--prefix", prefix, "--restart-cmd", supervisor.RestartCommand, "--health-url", $"{supervisor.ManagerUrl}/health"];

        var v1 = await DeployAsync([.. service, "--timeout", "90", await ReleaseAsync(root.Path, "1.0.0", started)]);
        Assert.True(v1.ExitCode == 0, v1 + supervisor.ReadLog());
        Assert.Equal("1.0.0", Current(prefix));
        Assert.Equal("1.0.0", LastStarted(started));

        // The second release comes as a tarball.
        var tarball = Path.Combine(root.Path, "1.1.0.tar.gz");
        Assert.Equal(0, (await Tool.RunAsync("tar", ["-czf", tarball, "-C", await ReleaseAsync(root.Path, "1.1.0", started), "."], null)).ExitCode);
        var v2 = await DeployAsync([.. service, "--timeout", "90", tarball]);
        Assert.True(v2.ExitCode == 0, v2 + supervisor.ReadLog());
        Assert.Equal(("1.1.0", "1.0.0"), (Current(prefix), Previous(prefix)));
        Assert.Equal("1.1.0", LastStarted(started));

        // A release that never becomes healthy is switched away from again.
        var bad = Directory.CreateDirectory(Path.Combine(root.Path, "releases-src", "1.2.0")).FullName;
        await WriteExecutableAsync(Path.Combine(bad, "spacetime"), "#!/bin/sh\necho 'missing runtime' >&2\nexit 3\n");
        var v3 = await DeployAsync([.. service, "--timeout", "20", bad]);
        Assert.Equal(1, v3.ExitCode);
        Assert.Contains("rolled back to 1.1.0, which is healthy", v3.StdErr, StringComparison.Ordinal);
        Assert.Equal(("1.1.0", "1.0.0"), (Current(prefix), Previous(prefix)));
        Assert.False(Directory.Exists(Path.Combine(prefix, "releases", "1.2.0")), "the failed release must be removed so it can be deployed again");
        await RunningSpacetime.WaitForHealthAsync(supervisor.ManagerUrl, () => null);

        var quick = await Tool.ScriptAsync("rollback.sh", ["--quick", .. service, "--timeout", "90"]);
        Assert.True(quick.ExitCode == 0, quick + supervisor.ReadLog());
        Assert.Equal(("1.0.0", "1.1.0"), (Current(prefix), Previous(prefix)));
        Assert.Equal("1.0.0", LastStarted(started));

        var list = await Tool.ScriptAsync("rollback.sh", ["--list", "--prefix", prefix]);
        Assert.Equal(["1.0.0 (current)", "1.1.0 (previous)"], list.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var same = await Tool.ScriptAsync("rollback.sh", ["--to", "1.0.0", .. service]);
        Assert.Equal(1, same.ExitCode);
        Assert.Contains("already current", same.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_FolderWithoutSpacetime_IsRefusedBeforeAnythingChanges()
    {
        using var root = new TempFolder();
        var empty = Directory.CreateDirectory(Path.Combine(root.Path, "2.0.0")).FullName;
        var prefix = Path.Combine(root.Path, "opt");

        var result = await DeployAsync(["--prefix", prefix, "--restart-cmd", "false", empty]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("holds no spacetime executable", result.StdErr, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(prefix, "current")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(prefix, "releases")));
    }

    private static Task<ToolResult> DeployAsync(string[] args) => Tool.ScriptAsync("deploy.sh", args, timeout: TimeSpan.FromMinutes(4));

    /// <summary>A release folder whose spacetime records the release's name, then runs the real executable.</summary>
    private static async Task<string> ReleaseAsync(string root, string version, string started)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, "releases-src", version)).FullName;
        var real = Path.Combine(AppContext.BaseDirectory, "spacetime");
        await WriteExecutableAsync(Path.Combine(folder, "spacetime"),
            $"#!/bin/sh\nbasename \"$(dirname \"$(readlink -f \"$0\")\")\" >> '{started}'\nexec '{real}' \"$@\"\n");
        return folder;
    }

    private static async Task WriteExecutableAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    private static string Current(string prefix) => Path.GetFileName(new FileInfo(Path.Combine(prefix, "current")).LinkTarget!);

    private static string Previous(string prefix) => Path.GetFileName(new FileInfo(Path.Combine(prefix, "previous")).LinkTarget!);

    private static string LastStarted(string file) => File.ReadAllLines(file)[^1];
}
