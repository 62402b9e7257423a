using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace SpaceTime.Cli.Tests.Commands;

/// <summary>The real `spacetime manage` process supervising a real `spacetime serve` child.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ManageCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Manage_ColdStart_ReportsHealthyThenStopsTheGameOnRequest()
    {
        using var data = new TempFolder();
        var (port, godotPort, metricsPort) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--metrics-port", $"{metricsPort}", "--data-dir", data.Path, "--check-interval", "1");
        using var http = SpacetimeProcess.CreateClient(port);
        var ct = TestContext.Current.CancellationToken;

        var health = await PollAsync(http, "/health", r => r.StatusCode == HttpStatusCode.OK, manager);
        var body = await health.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("healthy", body.GetProperty("server").GetString());
        Assert.Equal("vr_main", body.GetProperty("scene").GetProperty("name").GetString());
        Assert.Equal("READY", body.GetProperty("state").GetString());
        Assert.True(body.GetProperty("godot_process").GetProperty("running").GetBoolean());
        Assert.True(body.GetProperty("player").GetProperty("spawned").GetBoolean());
        Assert.Empty(body.GetProperty("blocking_issues").EnumerateArray());

        var status = await http.GetFromJsonAsync<JsonElement>("/status", ct);
        Assert.Equal("READY", status.GetProperty("state").GetString());
        using (var anonymous = new HttpClient { BaseAddress = http.BaseAddress })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/status", ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health", ct)).StatusCode);
        }

        // The proxy forwards the caller's token; the game answers.
        var proxied = await http.GetFromJsonAsync<JsonElement>("/godot/scene", ct);
        Assert.Equal("VRMain", proxied.GetProperty("scene_name").GetString());
        using (var wrongToken = new HttpClient { BaseAddress = http.BaseAddress })
        {
            wrongToken.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrongToken.GetAsync("/godot/scene", ct)).StatusCode);
        }

        // Metrics under the documents' names, valid for promtool, also on the exporter port (which serves nothing else).
        var metrics = await http.GetStringAsync("/metrics", ct);
        Assert.Contains("spacetime_health_status 1", metrics);
        Assert.Contains("spacetime_godot_running 1", metrics);
        Assert.Contains("spacetime_api_response_time_seconds_bucket", metrics);
        Assert.Contains("spacetime_restart_total 0", metrics);
        Assert.Equal(0, await PromtoolCheckAsync(metrics));
        using (var exporter = SpacetimeProcess.CreateClient(metricsPort))
        {
            Assert.Contains("spacetime_player_spawned 1", await exporter.GetStringAsync("/metrics", ct));
            Assert.Equal(HttpStatusCode.NotFound, (await exporter.GetAsync("/status", ct)).StatusCode);
        }

        var logs = await http.GetFromJsonAsync<JsonElement>("/logs?tail=5", ct);
        Assert.InRange(logs.GetProperty("count").GetInt32(), 1, 5);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/logs?tail=0", ct)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/stop", null, ct)).StatusCode);
        var stopped = await PollAsync(http, "/health", r => r.StatusCode == HttpStatusCode.ServiceUnavailable, manager);
        // Not ready, but alive: an orchestrator must not kill a manager that was told to stop its game.
        using (var anonymous = new HttpClient { BaseAddress = http.BaseAddress })
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/livez", ct)).StatusCode);
        }

        var issues = (await stopped.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("blocking_issues").EnumerateArray().Select(i => i.GetString()).ToList();
        Assert.Contains("Godot process not running", issues);
        var down = await http.GetAsync("/godot/scene", ct);
        Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
        Assert.Contains("not reachable", await down.Content.ReadAsStringAsync(ct));
        // What the manager's clients were refused, and the 502 it answered itself, are counted.
        var counted = await http.GetStringAsync("/metrics", ct);
        Assert.Contains("spacetime_error_total{type=\"proxy_unreachable\"} 1", counted);
        Assert.Matches(@"(?m)^spacetime_auth_failures_total [2-9]", counted);
        Assert.Matches(@"(?m)^spacetime_http_connections_open [1-9]", counted);
        Assert.Contains("spacetime_http_connections_refused_total 0", counted);
        Assert.Equal(0, await PromtoolCheckAsync(counted));

        manager.Terminate();
        Assert.Equal(0, await manager.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Manage_UnderSystemdNotify_SendsReadyOnceTheGameIsReadyAndWatchdogPings()
    {
        using var data = new TempFolder();
        var socketPath = Path.Combine(data.Path, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "2000000" };
        await using var manager = SpacetimeProcess.Start(environment, "manage", "--port", $"{LoopbackPort.Free()}", "--godot-port", $"{LoopbackPort.Free()}", "--data-dir", data.Path);

        var messages = new List<string>();
        var buffer = new byte[4096];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Deadline);
        while (!(messages.Any(m => m.Contains("READY=1", StringComparison.Ordinal)) && messages.Count(m => m == "WATCHDOG=1") >= 2))
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            messages.Add(System.Text.Encoding.UTF8.GetString(buffer, 0, received));
        }

        var ready = messages.FindIndex(m => m.Contains("READY=1", StringComparison.Ordinal));
        Assert.Contains("STATUS=READY", messages[ready]);
        Assert.Contains(messages.Take(ready), m => m.StartsWith("STATUS=API_WAITING", StringComparison.Ordinal));
        manager.Terminate();
        await manager.WaitForExitAsync(TimeSpan.FromSeconds(30));
        socket.ReceiveTimeout = 5000;
        Assert.Contains("STOPPING=1", DrainRemaining(socket, buffer));
    }

    [Fact]
    public async Task Manage_Restart_IsLimitedToFivePerHour()
    {
        using var data = new TempFolder();
        var (port, godotPort) = (LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--data-dir", data.Path, "--no-autostart");
        using var http = SpacetimeProcess.CreateClient(port);
        await PollAsync(http, "/health", r => r.StatusCode == HttpStatusCode.ServiceUnavailable, manager);
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/restart", null, ct)).StatusCode);
        }

        var refused = await http.PostAsync("/restart", null, ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta?.TotalSeconds > 0);
    }

    [Fact]
    public async Task Manage_WithMissingGodotPath_ExitsNonZeroNamingIt()
    {
        using var data = new TempFolder();
        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "manage", "--port", $"{LoopbackPort.Free()}", "--godot-path", "/nonexistent/godot", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("--godot-path '/nonexistent/godot' does not exist", output);
    }

    [Fact]
    public async Task Manage_MainSceneThatDoesNotParse_ExitsAtStartUpWithFileAndLine()
    {
        using var data = new TempFolder();
        var project = Directory.CreateDirectory(Path.Combine(data.Path, "game")).FullName;
        await File.WriteAllTextAsync(Path.Combine(project, "project.godot"), "config_version=5\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(project, "main.tscn"), "[gd_scene format=3]\n\n[node name=\"Main\" type=\"Node3D\"]\nposition = Vector3(1, 2\n", TestContext.Current.CancellationToken);

        var (code, output) = await SpacetimeProcess.RunAsync(
            Deadline, "manage", "--port", $"{LoopbackPort.Free()}", "--godot-port", $"{LoopbackPort.Free()}", "--project-path", project, "--scene-path", "res://main.tscn", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Matches($@"spacetime: error: the main scene res://main\.tscn cannot be loaded: {System.Text.RegularExpressions.Regex.Escape(Path.Combine(project, "main.tscn"))}:\d+:\d+: error: ", output);
        ServeCommandTests.AssertOneLineError(output);
    }

    [Fact]
    public async Task Manage_ChildCrashingInALoop_EndsFailedWith503AndANamedBlockingIssue()
    {
        using var data = new TempFolder();
        var crasher = await WriteGameScriptAsync(data.Path, "echo 'crashing on purpose' >&2\nexit 3");
        var port = LoopbackPort.Free();
        await using var manager = SpacetimeProcess.Start(
            "manage", "--port", $"{port}", "--godot-port", $"{LoopbackPort.Free()}", "--godot-path", crasher, "--max-restarts", "2", "--data-dir", data.Path, "--stay-on-failure");
        using var http = SpacetimeProcess.CreateClient(port);
        var ct = TestContext.Current.CancellationToken;

        var status = await PollStatusAsync(http, s => s.GetProperty("state").GetString() == "FAILED", manager);

        var failed = await http.GetAsync("/health", ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        var issues = (await failed.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("blocking_issues").EnumerateArray().Select(i => i.GetString()!).ToList();
        Assert.Contains(issues, i => i.StartsWith("Supervisor FAILED: gave up after 3 failures", StringComparison.Ordinal));
        Assert.Contains("Godot process not running", issues);
        Assert.Equal(3, status.GetProperty("last_exit").GetProperty("exit_code").GetInt32());
        using (var anonymous = new HttpClient { BaseAddress = http.BaseAddress })
        {
            var liveness = await anonymous.GetAsync("/livez", ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, liveness.StatusCode);
            Assert.Equal("FAILED", (await liveness.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("state").GetString());
        }

        Assert.Contains("crashing on purpose", await http.GetStringAsync("/logs?tail=50", ct));
        Assert.False(manager.HasExited, "with --stay-on-failure the manager stays up in FAILED");
    }

    [Fact]
    public async Task Manage_GaveUp_StopsTheWatchdogAndExitsWithStatus69AfterTheDelay_SoItsServiceManagerRestartsIt()
    {
        using var data = new TempFolder();
        var crasher = await WriteGameScriptAsync(data.Path, "exit 3");
        var port = LoopbackPort.Free();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(data.Path, "notify.sock")));
        var messages = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stopReading = new CancellationTokenSource();
        var reading = ReadNotificationsAsync(socket, messages, stopReading.Token);
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = Path.Combine(data.Path, "notify.sock"), ["WATCHDOG_USEC"] = "400000" };
        await using var manager = SpacetimeProcess.Start(
            environment, "manage", "--port", $"{port}", "--godot-port", $"{LoopbackPort.Free()}", "--godot-path", crasher, "--max-restarts", "0", "--data-dir", data.Path,
            "--failure-exit-delay", "2s");
        using var http = SpacetimeProcess.CreateClient(port);

        // During the delay it still answers, so /health and the metrics say why.
        await PollStatusAsync(http, s => s.GetProperty("state").GetString() == "FAILED", manager);
        var exitCode = await manager.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await stopReading.CancelAsync();
        await reading;

        Assert.Equal(69, exitCode);
        Assert.Contains("spacetime: error: the manager gave up on the game (exit status 69): gave up after 1 failures", manager.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", manager.Output, StringComparison.Ordinal);
        // systemd's watchdog is fed while the manager supervises, and no longer once it has given up.
        var sent = messages.ToList();
        var failed = sent.FindIndex(m => m.StartsWith("STATUS=FAILED", StringComparison.Ordinal));
        Assert.True(failed > 0, string.Join(" | ", sent));
        Assert.Contains("WATCHDOG=1", sent.Take(failed));
        Assert.DoesNotContain("WATCHDOG=1", sent.Skip(failed));
    }

    private static async Task ReadNotificationsAsync(Socket socket, System.Collections.Concurrent.ConcurrentQueue<string> messages, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                messages.Enqueue(System.Text.Encoding.UTF8.GetString(buffer, 0, received));
            }
        }
        catch (OperationCanceledException)
        {
            // The test has what it needs.
        }
    }

    [Fact]
    public async Task Manage_KilledWithSigkill_TheGameStopsToo()
    {
        using var data = new TempFolder();
        var port = LoopbackPort.Free();
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{LoopbackPort.Free()}", "--data-dir", data.Path);
        using var http = SpacetimeProcess.CreateClient(port);
        var health = await PollAsync(http, "/health", r => r.StatusCode == HttpStatusCode.OK, manager);
        var gamePid = (await health.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("godot_process").GetProperty("pid").GetInt32();

        // No chance to stop its child: the game lives in its own session, so only its own watch can end it.
        System.Diagnostics.Process.GetProcessById(manager.Id).Kill();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (SpacetimeProcess.IsAlive(gamePid))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the game (pid {gamePid}) outlived its manager");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Up_GameThatCannotStart_ExitsNonZeroWithTheReasonAndItsLastOutput()
    {
        using var data = new TempFolder();
        var crasher = await WriteGameScriptAsync(data.Path, "echo 'missing asset pack' >&2\nexit 4");

        var (code, output) = await SpacetimeProcess.RunAsync(
            Deadline, "up", "--port", $"{LoopbackPort.Free()}", "--godot-port", $"{LoopbackPort.Free()}", "--godot-path", crasher, "--max-restarts", "0", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("spacetime: error: the game did not start: gave up after 1 failures", output);
        Assert.Contains("missing asset pack", output);
        Assert.DoesNotContain("SpaceTime is up", output);
    }

    [Fact]
    public async Task Manage_WithUnknownScene_ExitsNonZeroNamingIt()
    {
        using var data = new TempFolder();
        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "manage", "--port", $"{LoopbackPort.Free()}", "--scene-path", "res://missing.tscn", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("ScenePath 'res://missing.tscn' does not exist", output);
    }

    [Fact]
    public async Task Manage_WithMissingExecutableFromTheEnvironment_ExitsNonZeroNamingTheVariable()
    {
        using var data = new TempFolder();
        var (code, output) = await SpacetimeProcess.RunAsync(
            Deadline, new Dictionary<string, string> { ["GODOT_EXECUTABLE_PATH"] = "/nonexistent/godot" }, "manage", "--port", $"{LoopbackPort.Free()}", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains("GODOT_EXECUTABLE_PATH '/nonexistent/godot' does not exist", output);
    }

    [Fact]
    public async Task Manage_WhenPortIsTaken_ExitsNonZeroSayingSo()
    {
        using var data = new TempFolder();
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var taken = ((IPEndPoint)blocker.LocalEndpoint).Port;

        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "manage", "--port", $"{taken}", "--godot-port", $"{LoopbackPort.Free()}", "--data-dir", data.Path, "--no-autostart");

        Assert.Equal(1, code);
        Assert.Contains($"manager port {taken} is in use", output);
        ServeCommandTests.AssertOneLineError(output);
    }

    [Fact]
    public async Task Manage_WhenPortIsTaken_TheGameStartedAlongsideIsStoppedToo()
    {
        // The manager starts its game while it builds its own host; a manager that then cannot listen must not leave
        // that game running.
        using var data = new TempFolder();
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var taken = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var gamePort = LoopbackPort.Free();

        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "manage", "--port", $"{taken}", "--godot-port", $"{gamePort}", "--data-dir", data.Path);

        Assert.Equal(1, code);
        Assert.Contains($"manager port {taken} is in use", output);
        Assert.Empty(GameProcesses(gamePort));
        Assert.False(LoopbackPort.IsListening(gamePort), $"nothing answers on the game's port {gamePort}");
    }

    /// <summary>Live <c>spacetime serve</c> processes started for <paramref name="gamePort"/>.</summary>
    private static List<int> GameProcesses(int gamePort) =>
        [.. Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ReadCommandLine(pid) is { } line && line.Contains("serve", StringComparison.Ordinal)
                && line.Contains($"--http-port\0{gamePort}", StringComparison.Ordinal))];

    private static string? ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<HttpResponseMessage> PollAsync(HttpClient http, string path, Func<HttpResponseMessage, bool> done, SpacetimeProcess process)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
                if (done(response))
                {
                    return response;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            Assert.False(process.HasExited, $"the manager exited:\n{process.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"{path} did not reach the expected state within {Deadline}. Output:\n{process.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>An executable shell script standing in for a game binary (<c>--godot-path</c>).</summary>
    private static async Task<string> WriteGameScriptAsync(string folder, string body)
    {
        var script = Path.Combine(folder, "game.sh");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\n{body}\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private static async Task<JsonElement> PollStatusAsync(HttpClient http, Func<JsonElement, bool> done, SpacetimeProcess process)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var response = await PollAsync(http, "/status", r => r.IsSuccessStatusCode, process);
            var status = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            if (done(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"/status did not reach the expected state within {Deadline}: {status}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static List<string> DrainRemaining(Socket socket, byte[] buffer)
    {
        var rest = new List<string>();
        while (socket.Available > 0)
        {
            rest.Add(System.Text.Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer)));
        }

        return rest;
    }

    internal static async Task<int> PromtoolCheckAsync(string metrics)
    {
        var info = new System.Diagnostics.ProcessStartInfo("promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        using var promtool = System.Diagnostics.Process.Start(info)!;
        await promtool.StandardInput.WriteAsync(metrics);
        promtool.StandardInput.Close();
        var problems = await promtool.StandardError.ReadToEndAsync() + await promtool.StandardOutput.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        Assert.True(promtool.ExitCode == 0, problems);
        return promtool.ExitCode;
    }
}
