using System.CommandLine;
using Microsoft.Extensions.Hosting;
using SpaceTime.Runtime.Hosting;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime serve</c>: the headless game runtime and its HTTP API.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var options = new RuntimeOptionsBinding();
        var command = new Command("serve", "Run the headless game runtime: load a Godot project, tick it at its physics rate and serve the game HTTP API.");
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var settings = options.Read(parse);
            settings.TryAdd(nameof(RuntimeOptions.ProjectPath), CliEnvironment.ProjectPath(null));
            var host = await RuntimeServer.StartAsync(settings, cancellationToken, options.Flags(parse));
            await using (host.AsAsyncDisposable())
            {
                await host.WaitForShutdownAsync(cancellationToken);
            }

            return 0;
        }));
        return command;
    }
}
