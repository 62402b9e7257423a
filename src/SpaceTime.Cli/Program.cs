using System.CommandLine;
using SpaceTime.Cli.Commands;

namespace SpaceTime.Cli;

/// <summary>The <c>spacetime</c> command: one executable for the runtime, the manager and the operations tools.</summary>
internal static class CliProgram
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("SpaceTime: a headless server runtime and operations kit for VR games built with Godot 4 scenes.")
        {
            ServeCommand.Create(),
            UpCommand.Create(),
            ManageCommand.Create(),
            TokenCommand.Create(),
            TelemetryCommand.Create(),
            DiscoverCommand.Create(),
            ScenesCommand.Create(),
            HealthCheckCommand.Create(),
            PackageCommand.Create(),
            McpCommand.Create(),
            ScenarioCommand.Create(),
            ConfigCommand.Create(),
        };
        // The CI steps invoke the commands above in-process, so they take the root.
        root.Subcommands.Add(CiCommand.Create(root));
        return root.Parse(args).InvokeAsync();
    }
}
