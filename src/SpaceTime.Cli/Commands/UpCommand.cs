using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Runtime.Status;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime up</c>: the main job with embedded defaults — the bundled game, vr_main loaded, player spawned.</summary>
internal static class UpCommand
{
    private static readonly TimeSpan PlayerTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var options = new RuntimeOptionsBinding();
        var command = new Command("up", "Start SpaceTime with embedded defaults: the bundled VR project with vr_main.tscn loaded, then print the URLs to use.");
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var settings = options.Read(parse);
            settings.TryAdd(nameof(RuntimeOptions.ProjectPath), BundledProject.Path);
            settings.TryAdd(nameof(RuntimeOptions.Scene), BundledProject.MainScene);
            var host = await RuntimeServer.StartAsync(settings, cancellationToken);
            await using (host.AsAsyncDisposable())
            {
                var game = host.Services.GetRequiredService<HeadlessGame>();
                if (!await WaitForPlayerAsync(game, cancellationToken))
                {
                    await Console.Error.WriteLineAsync($"spacetime: warning: the player did not spawn within {PlayerTimeout.TotalSeconds:F0} s");
                }

                PrintUrls(host, settings);
                await host.WaitForShutdownAsync(cancellationToken);
            }

            return 0;
        }));
        return command;
    }

    private static async Task<bool> WaitForPlayerAsync(HeadlessGame game, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PlayerTimeout);
        var spawned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        game.PlayerSpawned += _ => spawned.TrySetResult();
        if (await game.ReadAsync(w => w.GetPlayerState().Spawned, cancellationToken))
        {
            return true;
        }

        try
        {
            await spawned.Task.WaitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static void PrintUrls(IHost app, IReadOnlyDictionary<string, string?> settings)
    {
        Console.WriteLine();
        Console.WriteLine("SpaceTime is up: vr_main loaded, player spawned.");
        if (app is not WebApplication)
        {
            Console.WriteLine("The HTTP API is off in this environment (set GODOT_ENABLE_HTTP_API=true to serve it).");
            return;
        }

        var options = app.Services.GetRequiredService<IOptions<RuntimeOptions>>().Value;
        var port = StatusApi.ListeningPort(app.Services.GetRequiredService<IServer>());
        var baseUrl = $"http://{options.Host}:{port}";
        Console.WriteLine($"  Game API   {baseUrl}");
        Console.WriteLine($"  Health     {baseUrl}/health");
        Console.WriteLine($"  Status     {baseUrl}/status");
        Console.WriteLine($"  Scene      {baseUrl}/scene");
        Console.WriteLine($"  Player     {baseUrl}/state/player");
        Console.WriteLine($"  OpenAPI    {baseUrl}/openapi/v1.json");
        Console.WriteLine("Every endpoint but /health needs a bearer token. Get one with:");
        var dataDir = settings.GetValueOrDefault(nameof(RuntimeOptions.DataDir));
        Console.WriteLine($"  spacetime token issue --role developer{(dataDir is null ? "" : $" --data-dir {dataDir}")}");
        Console.WriteLine("Press Ctrl+C to stop.");
    }
}
