using System.CommandLine;
using Microsoft.Extensions.Hosting;
using SpaceTime.Manager;
using SpaceTime.Manager.Hosting;
using SpaceTime.Manager.Supervision;
using SpaceTime.Security;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime manage</c>: the management server that supervises the game (port 8090).</summary>
internal static class ManageCommand
{
    public static Command Create()
    {
        var host = new Option<string?>("--host") { Description = "Address the manager binds. Default 127.0.0.1; 0.0.0.0 in a container. Env: GODOT_SERVER_HOST." };
        var port = new Option<int?>("--port") { Description = "Manager port. Default 8090. Env: GODOT_SERVER_PORT." };
        var godotPort = new Option<int?>("--godot-port") { Description = "The game API port. Default 8080. Env: GODOT_API_PORT." };
        var godotPath = new Option<string?>("--godot-path") { Description = "Supervise this executable (e.g. a Godot binary, run with --path PROJECT) instead of the built-in runtime. Env: GODOT_EXECUTABLE_PATH." };
        var projectPath = new Option<string?>("--project-path") { Description = "Godot project folder. Default: the bundled demo. Env: GODOT_PROJECT_PATH." };
        var autoLoad = new Option<bool?>("--auto-load-scene") { Description = "Load the main scene once the API answers (default true)." };
        var scenePath = new Option<string?>("--scene-path") { Description = "Main scene. Default res://vr_main.tscn." };
        var playerTimeout = new Option<string?>("--player-timeout") { Description = "How long to wait for the player to spawn (seconds or 30s/1m). Default 30." };
        var checkInterval = new Option<string?>("--check-interval") { Description = "Health check period (seconds or 30s/1m). Default 30." };
        var maxRestarts = new Option<int?>("--max-restarts") { Description = "Failures allowed inside the restart window before FAILED. Default 3." };
        var restartWindow = new Option<string?>("--restart-window") { Description = "The restart window (e.g. 10m). Default 10m." };
        var noAutostart = new Option<bool>("--no-autostart") { Description = "Do not start the game until POST /start." };
        var telemetryPort = new Option<int?>("--telemetry-port") { Description = "Give the game a telemetry WebSocket on this port (0 picks a free one). Default: none. Env: TELEMETRY_PORT." };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Also serve /metrics (only) on this port, e.g. 9091." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Shared with the game: tokens, keys, logs. Env: SPACETIME_DATA_DIR." };
        var environment = new Option<string?>("--environment") { Description = "production, staging, development or test. Env: GODOT_ENV." };
        var configDir = new Option<string?>("--config-dir") { Description = "Config folder. Default: beside the executable." };
        var command = new Command("manage", "Run the management server: start the game, walk it to READY, restart it on failure, answer /health.")
        {
            host, port, godotPort, godotPath, projectPath, autoLoad, scenePath, playerTimeout, checkInterval, maxRestarts, restartWindow, noAutostart, telemetryPort, metricsPort, dataDir, environment, configDir,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            string? Env(string name) => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
            int? EnvInt(string name) => Env(name) is { } v ? int.TryParse(v, out var n) ? n : throw new ArgumentException($"{name}='{v}' is not a port number", name) : null;
            TimeSpan? Duration(Option<string?> option)
            {
                var text = parse.GetValue(option);
                return text is null ? null
                    : TokenTtl.TryParse(text, out var d) ? d : throw new ArgumentException($"{option.Name} '{text}' must be seconds or look like 30s, 10m", option.Name);
            }

            var options = new ManagerOptions
            {
                Host = parse.GetValue(host) ?? Env("GODOT_SERVER_HOST") ?? "127.0.0.1",
                Port = parse.GetValue(port) ?? EnvInt("GODOT_SERVER_PORT") ?? 8090,
                GodotPort = parse.GetValue(godotPort) ?? EnvInt("GODOT_API_PORT") ?? 8080,
                GodotPath = parse.GetValue(godotPath) ?? Env("GODOT_EXECUTABLE_PATH"),
                ProjectPath = parse.GetValue(projectPath) ?? Env("GODOT_PROJECT_PATH") ?? BundledProject.Path,
                AutoLoadScene = parse.GetValue(autoLoad) ?? true,
                ScenePath = parse.GetValue(scenePath) ?? BundledProject.MainScene,
                NoAutostart = parse.GetValue(noAutostart),
                TelemetryPort = parse.GetValue(telemetryPort) ?? EnvInt("TELEMETRY_PORT"),
                MetricsPort = parse.GetValue(metricsPort),
                DataDir = parse.GetValue(dataDir) ?? Env("SPACETIME_DATA_DIR"),
                ApiToken = Env("API_TOKEN"),
            };
            options.PlayerTimeout = Duration(playerTimeout) ?? options.PlayerTimeout;
            options.CheckInterval = Duration(checkInterval) ?? options.CheckInterval;
            options.RestartWindow = Duration(restartWindow) ?? options.RestartWindow;
            options.MaxRestarts = parse.GetValue(maxRestarts) ?? options.MaxRestarts;
            if (options.GodotPath is { } executable && !File.Exists(executable))
            {
                throw new ArgumentException($"--godot-path '{executable}' does not exist", "godot-path");
            }

            var app = await ManagerServer.StartAsync(
                options,
                parse.GetValue(configDir) ?? Env("SPACETIME_CONFIG_DIR") ?? Path.Combine(AppContext.BaseDirectory, "config"),
                parse.GetValue(environment) ?? Env("GODOT_ENV") ?? "development",
                RuntimeLauncher.CurrentProcess(),
                cancellationToken);
            await using (app)
            {
                await app.WaitForShutdownAsync(cancellationToken);
            }

            return 0;
        }));
        return command;
    }
}
