using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SpaceTime.Manager;
using SpaceTime.Manager.Hosting;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Cli.Commands;

/// <summary>
/// <c>spacetime up</c>: the main job with embedded defaults — the manager (8090) supervising <c>spacetime serve</c>
/// (8080) on the bundled project, walked to READY (vr_main loaded, player spawned); then it prints the URLs to use.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var options = new ManagerOptionsBinding();
        var command = new Command("up", "Start SpaceTime with embedded defaults: the manager supervising the game on the bundled VR project, vr_main.tscn loaded; then print the URLs to use.");
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var managerOptions = options.Read(parse);
            var app = await ManagerServer.StartAsync(
                managerOptions, options.ConfigDir(parse), options.Environment(parse), RuntimeLauncher.CurrentProcess(), cancellationToken);
            await using (app)
            {
                var supervisor = app.Services.GetRequiredService<GameSupervisor>();
                if (!managerOptions.NoAutostart)
                {
                    var state = await WaitForReadyOrFailedAsync(supervisor.Lifecycle, cancellationToken);
                    if (state == LifecycleState.Failed)
                    {
                        await Console.Error.WriteLineAsync($"spacetime: error: the game did not start: {supervisor.GetStatus().FailureReason}");
                        foreach (var line in supervisor.Output.Tail(10))
                        {
                            await Console.Error.WriteLineAsync($"  {line}");
                        }

                        return CliErrors.Failure;
                    }
                }

                PrintUrls(app, managerOptions);
                return await ManageCommand.RunUntilShutdownAsync(app, cancellationToken);
            }
        }));
        return command;
    }

    /// <summary>READY, or FAILED when the supervisor gives up; DEGRADED on the way is only reported (it restarts).</summary>
    private static async Task<LifecycleState> WaitForReadyOrFailedAsync(Lifecycle lifecycle, CancellationToken cancellationToken)
    {
        void ReportDegraded(LifecycleTransition t)
        {
            if (t.To == LifecycleState.Degraded)
            {
                Console.Error.WriteLine($"spacetime: warning: {t.Reason}");
            }
        }

        lifecycle.Changed += ReportDegraded;
        try
        {
            return await lifecycle.WaitForAsync(s => s is LifecycleState.Ready or LifecycleState.Failed, cancellationToken);
        }
        finally
        {
            lifecycle.Changed -= ReportDegraded;
        }
    }

    private static void PrintUrls(WebApplication app, ManagerOptions options)
    {
        // A wildcard bind is reachable on loopback; any other address is printed as given (IPv6 in brackets).
        var host = options.Host switch
        {
            "0.0.0.0" or "::" => "127.0.0.1",
            var h when h.Contains(':', StringComparison.Ordinal) => $"[{h}]",
            var h => h,
        };
        var manager = $"http://{host}:{ManagerServer.ListeningPort(app)}";
        Console.WriteLine();
        Console.WriteLine(options.NoAutostart
            ? "SpaceTime manager is up; the game starts on POST /start."
            : options.AutoLoadScene
                ? $"SpaceTime is up: {Path.GetFileNameWithoutExtension(options.ScenePath)} loaded, player spawned."
                : "SpaceTime is up: the game API answers (scene auto-load off).");
        Console.WriteLine($"  Dashboard  {manager}/ (open it in a browser; scene manager: {manager}/godot/web/scene_manager.html)");
        Console.WriteLine($"  Health     {manager}/health");
        Console.WriteLine($"  Status     {manager}/status");
        Console.WriteLine($"  Logs       {manager}/logs?tail=100");
        Console.WriteLine($"  Metrics    {manager}/metrics");
        Console.WriteLine($"  Game API   {manager}/godot/status (proxied; direct: http://127.0.0.1:{options.GodotPort})");
        Console.WriteLine("Every endpoint but /health, /livez and the dashboard's pages needs a bearer token. Get one with:");
        Console.WriteLine($"  spacetime token issue --role developer --data-dir {options.DataDir}");
        Console.WriteLine("Press Ctrl+C to stop.");
    }
}
