using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SpaceTime.Deploy.Tests.Support;

/// <summary>
/// A real supervisord (own socket, pid and logs in a temp dir) running deploy/supervisor/spacetime.conf, with only the
/// host paths, the ports and the service user swapped for the test's: the command, the env-file sourcing, the
/// environment, the stop settings and the logging are the shipped ones.
/// </summary>
internal sealed partial class Supervisord : IAsyncDisposable
{
    private readonly TempFolder _dir = new();
    private Process? _process;

    private Supervisord(string executable, string dataDir)
    {
        Executable = executable;
        DataDir = dataDir;
        EnvFile = Path.Combine(_dir.Path, "spacetime.env");
        ConfigFile = Path.Combine(_dir.Path, "supervisord.conf");
        LogFile = Path.Combine(_dir.Path, "spacetime.log");
    }

    public string Executable { get; }

    public string DataDir { get; }

    public string EnvFile { get; }

    public string ConfigFile { get; }

    public string LogFile { get; }

    /// <summary>supervisord's own log (program starts and exits).</summary>
    public string SupervisordLog => Path.Combine(_dir.Path, "supervisord.log");

    public int ManagerPort { get; } = LoopbackPort.Free();

    public int GamePort { get; } = LoopbackPort.Free();

    public int TelemetryPort { get; } = LoopbackPort.Free();

    public string ManagerUrl => $"http://127.0.0.1:{ManagerPort}";

    /// <summary>Writes the configuration and starts supervisord (in the foreground, as a child of the test).</summary>
    /// <param name="executable">Stands for /opt/spacetime/current/spacetime.</param>
    /// <param name="dataDir">Stands for /var/lib/spacetime.</param>
    /// <param name="extraEnvironment">More lines for the env file (NAME=value), as an operator would add.</param>
    public static async Task<Supervisord> StartAsync(string executable, string dataDir, string extraEnvironment = "")
    {
        var s = new Supervisord(executable, dataDir);
        // The production env file an operator writes from deploy/config/production/.env.template.
        await File.WriteAllTextAsync(s.EnvFile, $"""
            JWT_SECRET_KEY={Secrets.Hex(32)}
            API_TOKEN={RunningSpacetime.AdminToken}
            METRICS_TOKEN={Secrets.Hex(32)}
            GODOT_SERVER_PORT={s.ManagerPort}
            GODOT_API_PORT={s.GamePort}
            TELEMETRY_PORT={s.TelemetryPort}
            {extraEnvironment}
            """);
        var program = await File.ReadAllTextAsync(RepositoryPaths.Deploy("supervisor", "spacetime.conf"));
        foreach (var (shipped, test) in new[]
                 {
                     ("/etc/spacetime/spacetime.env", s.EnvFile), ("/opt/spacetime/current/spacetime", executable),
                     ("/var/lib/spacetime", dataDir), ("/var/log/spacetime/spacetime.log", s.LogFile), ("user=spacetime\n", ""),
                 })
        {
            Assert.Contains(shipped, program, StringComparison.Ordinal);
            program = program.Replace(shipped, test, StringComparison.Ordinal);
        }

        Directory.CreateDirectory(Path.Combine(s._dir.Path, "conf.d"));
        await File.WriteAllTextAsync(Path.Combine(s._dir.Path, "conf.d", "spacetime.conf"), program);
        await File.WriteAllTextAsync(s.ConfigFile, $"""
            [unix_http_server]
            file={s._dir.Path}/supervisor.sock
            chmod=0700

            [supervisord]
            logfile={s._dir.Path}/supervisord.log
            pidfile={s._dir.Path}/supervisord.pid
            childlogdir={s._dir.Path}
            nodaemon=true

            [rpcinterface:supervisor]
            supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

            [supervisorctl]
            serverurl=unix://{s._dir.Path}/supervisor.sock

            [include]
            files = {s._dir.Path}/conf.d/*.conf

            """);

        var info = new ProcessStartInfo(Tool.Require("supervisord", "apt-get install supervisor"))
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(s.ConfigFile);
        // What the program sees must come from its configuration, not from the machine running the tests.
        foreach (var name in new[] { "HTTP_API_HOST", "HTTP_API_PORT", "GODOT_ENV", "SPACETIME_DATA_DIR", "SPACETIME_CONFIG_DIR", "JWT_SECRET_KEY", "API_TOKEN", "METRICS_TOKEN" })
        {
            info.Environment.Remove(name);
        }

        s._process = Process.Start(info)!;
        // Drained as it comes: supervisord in the foreground also logs to its standard streams.
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        s._process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        s._process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        s._process.BeginOutputReadLine();
        s._process.BeginErrorReadLine();
        var socket = Path.Combine(s._dir.Path, "supervisor.sock");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!File.Exists(socket))
        {
            if (s._process.HasExited)
            {
                Assert.Fail($"supervisord exited: {string.Join('\n', output)}");
            }

            Assert.True(DateTime.UtcNow < deadline, "supervisord did not create its socket");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return s;
    }

    /// <summary>The restart command deploy.sh and rollback.sh are given for this supervisord.</summary>
    public string RestartCommand => $"supervisorctl -c {ConfigFile} stop spacetime; supervisorctl -c {ConfigFile} start spacetime";

    public Task<ToolResult> CtlAsync(params string[] args) =>
        Tool.RunAsync(Tool.Require("supervisorctl", "apt-get install supervisor"), ["-c", ConfigFile, .. args], null);

    /// <summary>Polls `supervisorctl status spacetime` until it shows <paramref name="state"/>.</summary>
    public async Task<string> WaitForStateAsync(string state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = (await CtlAsync("status", "spacetime")).StdOut;
            if (last.Contains($" {state} ", StringComparison.Ordinal) || last.TrimEnd().EndsWith($" {state}", StringComparison.Ordinal))
            {
                return last;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"spacetime did not reach {state} within {timeout.TotalSeconds:F0} s; last status: {last}\nlog:\n{ReadLog()}");
        return last;
    }

    public string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            // supervisord stops its programs on SIGTERM (the manager then stops the game's process group).
            _ = Kill(_process.Id, 15);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
        _dir.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
