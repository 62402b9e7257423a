using System.Net;
using SpaceTime.Cli.Tests;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Kubernetes;

/// <summary>
/// The Deployment's liveness command, run with `sh -c` against real managers: alive while the manager answers (READY or
/// not), dead when it does not answer or has given up (FAILED) — so a pod that is merely restarting its game is never killed.
/// </summary>
public sealed class ProbeTests(SharedSpacetime shared)
{
    [Fact]
    public async Task Liveness_ReadyManager_IsAlive()
    {
        Assert.Equal(0, (await LivenessAsync(shared.Spacetime.ManagerPort)).ExitCode);
    }

    [Fact]
    public async Task Liveness_ManagerWhoseGameIsDown_IsAliveWhileReadinessFails()
    {
        using var data = new TempFolder();
        var port = Ports.Free();
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{Ports.Free()}", "--data-dir", data.Path, "--no-autostart");
        await WaitForHealthAsync(port, manager, body => body.Contains("Supervisor STOPPED", StringComparison.Ordinal));

        Assert.Equal(0, (await LivenessAsync(port)).ExitCode);
    }

    [Fact]
    public async Task Liveness_ManagerThatGaveUp_IsDead()
    {
        using var data = new TempFolder();
        var port = Ports.Free();
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{Ports.Free()}", "--data-dir", data.Path,
            "--godot-path", "/bin/false", "--max-restarts", "0");
        await WaitForHealthAsync(port, manager, body => body.Contains("Supervisor FAILED", StringComparison.Ordinal));

        Assert.NotEqual(0, (await LivenessAsync(port)).ExitCode);
    }

    [Fact]
    public async Task Liveness_NothingAnswering_IsDead()
    {
        Assert.NotEqual(0, (await LivenessAsync(Ports.Free())).ExitCode);
    }

    private static async Task<ToolResult> LivenessAsync(int port)
    {
        var deployment = (await KustomizeTests.BuildAsync("overlays/production")).Split("\n---\n").Select(Yaml.Parse).Single(o => o["kind"]!.GetValue<string>() == "Deployment");
        var command = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["livenessProbe"]!["exec"]!["command"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(["sh", "-c"], command[..2]);
        Assert.Contains("http://127.0.0.1:8090/health", command[2], StringComparison.Ordinal);

        return await Tool.RunAsync("sh", ["-c", command[2].Replace("127.0.0.1:8090", $"127.0.0.1:{port}", StringComparison.Ordinal)], null, timeout: TimeSpan.FromSeconds(30));
    }

    /// <summary>Polls /health until it answers 503 with a body <paramref name="matches"/> accepts (readiness would fail).</summary>
    private static async Task WaitForHealthAsync(int port, SpacetimeProcess manager, Func<string, bool> matches)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await SpaceTime.Runtime.Tests.Poll.UntilAsync(
            async () =>
            {
                Assert.False(manager.HasExited, manager.Output);
                try
                {
                    using var response = await http.GetAsync("/health", TestContext.Current.CancellationToken);
                    return (StatusCode: response.StatusCode, Body: await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                }
                catch (HttpRequestException e)
                {
                    return (StatusCode: HttpStatusCode.ServiceUnavailable, Body: e.Message);
                }
            },
            r => r.StatusCode == HttpStatusCode.ServiceUnavailable && matches(r.Body),
            "the manager's /health",
            TimeSpan.FromSeconds(60));
    }
}
