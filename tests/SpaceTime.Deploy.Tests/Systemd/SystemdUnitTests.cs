using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Systemd;

/// <summary>deploy/systemd/spacetime.service with `systemd-analyze verify`, which exits 0 even on bad keys: any output fails.</summary>
public sealed class SystemdUnitTests
{
    private static readonly string Unit = RepositoryPaths.Deploy("systemd", "spacetime.service");

    [Fact]
    public async Task Unit_SystemdAnalyzeVerify_SaysNothing()
    {
        using var temp = new TempFolder();
        var text = await File.ReadAllTextAsync(Unit, TestContext.Current.CancellationToken);
        // The only change: ExecStart's binary must exist for verify, so it points at a stand-in.
        const string binary = "/opt/spacetime/current/spacetime";
        Assert.Contains($"ExecStart={binary} manage", text, StringComparison.Ordinal);
        var standIn = Path.Combine(temp.Path, "spacetime");
        await File.WriteAllTextAsync(standIn, "#!/bin/sh\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var unit = Path.Combine(temp.Path, "spacetime.service");
        await File.WriteAllTextAsync(unit, text.Replace(binary, standIn, StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var result = await VerifyAsync(unit);

        Assert.True(result.ExitCode == 0 && result.Output.Length == 0, result.ToString());
    }

    [Fact]
    public async Task SystemdAnalyzeVerify_UnitWithAMisspeltKey_SaysSo()
    {
        using var temp = new TempFolder();
        var unit = Path.Combine(temp.Path, "bad.service");
        await File.WriteAllTextAsync(unit, "[Service]\nType=notify\nWatchdogSecs=30s\nExecStart=/bin/true\n", TestContext.Current.CancellationToken);

        var result = await VerifyAsync(unit);

        Assert.Contains("Unknown key 'WatchdogSecs'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unit_IsNotifyWithWatchdogAndHardened()
    {
        var settings = File.ReadAllLines(Unit).Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);

        // The manager implements sd_notify: READY=1 at READY, WATCHDOG=1 pings from the main process.
        Assert.Equal("notify", settings["Type"]);
        Assert.Equal("main", settings["NotifyAccess"]);
        Assert.Equal("30s", settings["WatchdogSec"]);
        Assert.Equal("mixed", settings["KillMode"]);
        foreach (var (key, value) in new[]
                 {
                     ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ReadWritePaths", "/var/lib/spacetime"), ("PrivateTmp", "yes"),
                     ("CapabilityBoundingSet", ""), ("AmbientCapabilities", ""), ("ProtectHome", "yes"), ("User", "spacetime"),
                 })
        {
            Assert.Equal(value, settings[key]);
        }

        Assert.Equal("/etc/spacetime/spacetime.env", settings["EnvironmentFile"]);
        Assert.Contains("--data-dir /var/lib/spacetime", settings["ExecStart"], StringComparison.Ordinal);
    }

    private static async Task<ToolResult> VerifyAsync(string unit) =>
        await Tool.RunAsync(Tool.Require("systemd-analyze", "apt-get install systemd"), ["verify", "--man=no", unit], Path.GetDirectoryName(unit));
}
