using System.CommandLine;
using Microsoft.Extensions.Hosting;
using SpaceTime.Manager.Hosting;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime manage</c>: the management server that supervises the game (port 8090).</summary>
internal static class ManageCommand
{
    public static Command Create()
    {
        var options = new ManagerOptionsBinding();
        var command = new Command("manage", "Run the management server: start the game, walk it to READY, restart it on failure, answer /health.");
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var app = await ManagerServer.StartAsync(
                options.Read(parse), options.ConfigDir(parse), options.Environment(parse), RuntimeLauncher.CurrentProcess(), cancellationToken);
            await using (app)
            {
                await app.WaitForShutdownAsync(cancellationToken);
            }

            return 0;
        }));
        return command;
    }
}
