using System.Net;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Kubernetes;

/// <summary>
/// The game StatefulSet's liveness probe, run as the kubelet would (an HTTP GET; 200-399 is alive) against real managers: alive
/// while the manager supervises (READY or not), dead when it does not answer or has given up (FAILED) — so a pod that is
/// merely restarting its game is never killed.
/// </summary>
public sealed class ProbeTests(SharedSpacetime shared)
{
    [Fact]
    public async Task Liveness_ReadyManager_IsAlive()
    {
        Assert.True(await IsAliveAsync(shared.Spacetime.ManagerPort));
    }

    [Fact]
    public async Task Liveness_ManagerWhoseGameIsDown_IsAliveWhileReadinessFails()
    {
        using var data = new TempFolder();
        var port = LoopbackPort.Free();
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{LoopbackPort.Free()}", "--data-dir", data.Path, "--no-autostart");
        await WaitForHealthAsync(port, manager, body => body.Contains("Supervisor STOPPED", StringComparison.Ordinal));

        Assert.True(await IsAliveAsync(port));
    }

    [Fact]
    public async Task Liveness_ManagerThatGaveUp_IsDead()
    {
        using var data = new TempFolder();
        var port = LoopbackPort.Free();
        await using var manager = SpacetimeProcess.Start("manage", "--port", $"{port}", "--godot-port", $"{LoopbackPort.Free()}", "--data-dir", data.Path,
            "--godot-path", "/bin/false", "--max-restarts", "0", "--stay-on-failure");
        await WaitForHealthAsync(port, manager, body => body.Contains("Supervisor FAILED", StringComparison.Ordinal));

        Assert.False(await IsAliveAsync(port));
    }

    [Fact]
    public async Task Liveness_NothingAnswering_IsDead()
    {
        Assert.False(await IsAliveAsync(LoopbackPort.Free()));
    }

    private static async Task<bool> IsAliveAsync(int port)
    {
        var game = KustomizeTests.Game(KustomizeTests.Documents(await KustomizeTests.BuildAsync("overlays/production")));
        var container = game["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var probe = container["livenessProbe"]!["httpGet"]!;
        var portName = probe["port"]!.GetValue<string>();
        Assert.Equal("8090", container["ports"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == portName)!["containerPort"]!.GetValue<string>());

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{port}{probe["path"]!.GetValue<string>()}", TestContext.Current.CancellationToken);
            return (int)response.StatusCode is >= 200 and < 400;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Polls /health until it answers 503 with a body <paramref name="matches"/> accepts (readiness would fail).</summary>
    private static async Task WaitForHealthAsync(int port, SpacetimeProcess manager, Func<string, bool> matches)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Poll.UntilAsync(
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
