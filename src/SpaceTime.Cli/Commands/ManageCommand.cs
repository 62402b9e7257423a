using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpaceTime.Manager;
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
                return await RunUntilShutdownAsync(app, cancellationToken);
            }
        }));
        return command;
    }

    /// <summary>Serves until shutdown; a manager that gave up on its game exits with <see cref="ManagerOptions.GaveUpExitCode"/> and says why.</summary>
    internal static async Task<int> RunUntilShutdownAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.WaitForShutdownAsync(cancellationToken);
        if (app.Services.GetRequiredService<FailureExit>().GaveUpReason is not { } reason)
        {
            return 0;
        }

        await Console.Error.WriteLineAsync($"spacetime: error: the manager gave up on the game (exit status {ManagerOptions.GaveUpExitCode}): {reason}");
        return ManagerOptions.GaveUpExitCode;
    }
}
