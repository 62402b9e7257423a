using System.Globalization;

namespace SpaceTime.Manager.Supervision;

/// <summary>The command line and environment of the supervised game.</summary>
public static class GameCommand
{
    /// <summary>
    /// The built-in runtime: <c>spacetime serve --http-port P --scene none ...</c> (the manager loads the scene itself,
    /// to watch each step), with <c>--telemetry-port</c>/<c>--discovery-port</c> when set; a custom executable (<see cref="ManagerOptions.GodotPath"/>):
    /// <c>--path PROJECT</c> and, when given, <c>--dap-port</c>/<c>--lsp-port</c>. Both get the token as <c>API_TOKEN</c>.
    /// </summary>
    public static ChildStartInfo Build(ManagerOptions options, RuntimeLauncher launcher, string token)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentException.ThrowIfNullOrEmpty(token);
        var port = options.GodotPort.ToString(CultureInfo.InvariantCulture);
        string fileName;
        List<string> arguments;
        if (options.GodotPath is { Length: > 0 } godot)
        {
            fileName = godot;
            arguments = [];
            if (options.ProjectPath is { Length: > 0 } project)
            {
                arguments.AddRange(["--path", Path.GetFullPath(project)]);
            }
        }
        else
        {
            fileName = launcher.FileName;
            arguments = [.. launcher.LeadingArguments, "serve", "--http-port", port, "--scene", "none"];
            if (options.TelemetryPort is { } telemetry)
            {
                arguments.AddRange(["--telemetry-port", telemetry.ToString(CultureInfo.InvariantCulture)]);
            }

            if (options.DiscoveryPort is { } discovery)
            {
                arguments.AddRange(["--discovery-port", discovery.ToString(CultureInfo.InvariantCulture)]);
            }

            if (options.ProjectPath is { Length: > 0 } project)
            {
                arguments.AddRange(["--project", Path.GetFullPath(project)]);
            }

            if (options.DataDir is { Length: > 0 } data)
            {
                arguments.AddRange(["--data-dir", Path.GetFullPath(data)]);
            }

            foreach (var (key, value) in options.ConfigurationFlags)
            {
                arguments.AddRange(["--set", $"{key}={value}"]);
            }
        }

        if (options.DapPort is { } dap)
        {
            arguments.AddRange(["--dap-port", dap.ToString(CultureInfo.InvariantCulture)]);
        }

        if (options.LspPort is { } lsp)
        {
            arguments.AddRange(["--lsp-port", lsp.ToString(CultureInfo.InvariantCulture)]);
        }

        var environment = new Dictionary<string, string?>(options.GameEnvironment, StringComparer.Ordinal)
        {
            ["API_TOKEN"] = token,
            // The built-in runtime stops when its parent is no longer this manager (see Runtime's ManagerWatch).
            ["SPACETIME_MANAGER_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            // The names the documents use for the game's API port, for a Godot build that reads them.
            ["HTTP_API_PORT"] = port,
            ["GODOT_API_PORT"] = port,
        };
        return new ChildStartInfo(fileName, arguments) { Environment = environment };
    }
}
