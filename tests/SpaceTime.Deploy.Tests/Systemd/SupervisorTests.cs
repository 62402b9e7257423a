using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Systemd;

/// <summary>deploy/supervisor/spacetime.conf run by a real supervisord, supervising a real SpaceTime in production mode.</summary>
public sealed class SupervisorTests
{
    [Fact]
    public async Task Supervisord_RunsTheShippedProgram_UntilSpacetimeIsReady_AndStopsTheGameWithIt()
    {
        using var data = new TempFolder();
        await using var supervisor = await Supervisord.StartAsync(Path.Combine(AppContext.BaseDirectory, "spacetime"), data.Path);

        // RUNNING once the manager has lived startsecs (10 s); READY once the game's scene and player are up.
        var status = await supervisor.WaitForStateAsync("RUNNING", TimeSpan.FromSeconds(60));
        Assert.StartsWith("spacetime", status, StringComparison.Ordinal);
        await RunningSpacetime.WaitForHealthAsync(supervisor.ManagerUrl, () => null);
        Assert.True(LoopbackPort.IsListening(supervisor.TelemetryPort), "the game's telemetry port (from the env file) is not listening");
        using (var http = new HttpClient { BaseAddress = new Uri(supervisor.ManagerUrl) })
        {
            // The game inherited the program's environment: production, with the env file's secrets.
            http.DefaultRequestHeaders.Authorization = new("Bearer", RunningSpacetime.AdminToken);
            var game = await http.GetStringAsync("/godot/status", TestContext.Current.CancellationToken);
            Assert.Equal("production", System.Text.Json.JsonDocument.Parse(game).RootElement.GetProperty("environment").GetString());
        }

        var stop = await supervisor.CtlAsync("stop", "spacetime");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("STOPPED", (await supervisor.CtlAsync("status", "spacetime")).StdOut, StringComparison.Ordinal);
        Assert.False(LoopbackPort.IsListening(supervisor.ManagerPort), "the manager still listens after supervisorctl stop");
        Assert.False(LoopbackPort.IsListening(supervisor.GamePort), "the game outlived its manager");
    }

    [Fact]
    public async Task Supervisord_RestartsAManagerThatGaveUpOnItsGame()
    {
        using var data = new TempFolder();
        // A game that cannot run: the manager gives up (FAILED), then exits with status 69 for its service manager.
        await using var supervisor = await Supervisord.StartAsync(Path.Combine(AppContext.BaseDirectory, "spacetime"), data.Path, "GODOT_EXECUTABLE_PATH=/bin/false");

        var first = Pid(await supervisor.WaitForStateAsync("RUNNING", TimeSpan.FromSeconds(60)));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var second = first;
        while (second == first || second is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"supervisord did not start a new manager; log:\n{supervisor.ReadLog()}");
            second = Pid((await supervisor.CtlAsync("status", "spacetime")).StdOut);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Contains("the manager gave up on the game (exit status 69)", supervisor.ReadLog(), StringComparison.Ordinal);
        Assert.Contains("exited: spacetime (exit status 69; not expected)", File.ReadAllText(supervisor.SupervisordLog), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Supervisord_ProgramWithAnInvalidValue_IsRefused()
    {
        using var temp = new TempFolder();
        var conf = Path.Combine(temp.Path, "supervisord.conf");
        await File.WriteAllTextAsync(conf, $"[supervisord]\nlogfile={temp.Path}/s.log\npidfile={temp.Path}/s.pid\n[program:x]\ncommand=/bin/true\nautorestart=sometimes\n", TestContext.Current.CancellationToken);

        var result = await Tool.RunAsync(Tool.Require("supervisord", "apt-get install supervisor"), ["-c", conf, "-n"], null, timeout: TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("sometimes", result.Output, StringComparison.Ordinal);
    }

    /// <summary>supervisord ignores keys it does not know, so a misspelt setting would silently do nothing: check them here.</summary>
    [Fact]
    public void Program_UsesOnlyKeysSupervisordKnows()
    {
        string[] known =
        [
            "command", "process_name", "numprocs", "numprocs_start", "priority", "autostart", "startsecs", "startretries", "autorestart", "exitcodes",
            "stopsignal", "stopwaitsecs", "stopasgroup", "killasgroup", "user", "redirect_stderr", "stdout_logfile", "stdout_logfile_maxbytes",
            "stdout_logfile_backups", "stdout_capture_maxbytes", "stdout_events_enabled", "stdout_syslog", "stderr_logfile", "stderr_logfile_maxbytes",
            "stderr_logfile_backups", "stderr_capture_maxbytes", "stderr_events_enabled", "stderr_syslog", "environment", "directory", "umask", "serverurl",
        ];
        var lines = File.ReadAllLines(RepositoryPaths.Deploy("supervisor", "spacetime.conf")).Where(l => l.Length > 0 && !l.StartsWith(';')).ToList();

        Assert.Equal("[program:spacetime]", lines[0]);
        var keys = lines.Skip(1).Select(l => l.Split('=', 2)[0].Trim()).ToList();
        Assert.All(keys, k => Assert.Contains(k, known));
        Assert.Contains("stopwaitsecs", keys);
    }

    /// <summary>The pid in `supervisorctl status` ("spacetime RUNNING pid 123, uptime 0:00:12"), or null when it is not running.</summary>
    private static string? Pid(string status)
    {
        var match = System.Text.RegularExpressions.Regex.Match(status, @"RUNNING\s+pid (\d+)");
        return match.Success ? match.Groups[1].Value : null;
    }
}
