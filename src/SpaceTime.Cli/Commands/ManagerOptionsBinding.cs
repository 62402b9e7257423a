using System.CommandLine;
using SpaceTime.Manager;
using SpaceTime.Security;

namespace SpaceTime.Cli.Commands;

/// <summary>The command-line options of the manager, shared by <c>manage</c> and <c>up</c>, merged with the documents' environment variables.</summary>
internal sealed class ManagerOptionsBinding
{
    private readonly Option<string?> _host = new("--host") { Description = "Address the manager binds. Default 127.0.0.1; 0.0.0.0 in a container. Env: GODOT_SERVER_HOST." };
    private readonly Option<int?> _port = new("--port") { Description = "Manager port. Default 8090. Env: GODOT_SERVER_PORT." };
    private readonly Option<int?> _godotPort = new("--godot-port") { Description = "The game API port. Default 8080. Env: GODOT_API_PORT." };
    private readonly Option<string?> _godotPath = new("--godot-path") { Description = "Supervise this executable (e.g. a Godot binary, run with --path PROJECT) instead of the built-in runtime. Env: GODOT_EXECUTABLE_PATH." };
    private readonly Option<string?> _projectPath = new("--project-path") { Description = "Godot project folder. Default: the bundled demo. Env: GODOT_PROJECT_PATH." };
    private readonly Option<bool?> _autoLoad = new("--auto-load-scene") { Description = "Load the main scene once the API answers, then wait for the player (default true; --auto-load-scene false: READY as soon as the API answers)." };
    private readonly Option<string?> _scenePath = new("--scene-path") { Description = "Main scene. Default res://vr_main.tscn." };
    private readonly Option<string?> _playerTimeout = new("--player-timeout") { Description = "How long to wait for the player to spawn (seconds or 30s/1m). Default 30." };
    private readonly Option<string?> _checkInterval = new("--check-interval") { Description = "How often the game's /status is read for the scene and the player (seconds or 30s/1m). Default 30." };
    private readonly Option<string?> _hangCheckInterval = new("--hang-check-interval") { Description = "How often the game's /health is probed; 3 missed probes in a row mean a hung game, which is replaced. Default 2s." };
    private readonly Option<bool> _stayOnFailure = new("--stay-on-failure") { Description = "Stay up when FAILED (/livez answers 503) instead of exiting with status 69 so the service manager restarts the manager (Kubernetes)." };
    private readonly Option<string?> _failureExitDelay = new("--failure-exit-delay") { Description = "How long a manager that gave up keeps answering before it exits with status 69. Default 10s." };
    private readonly Option<int?> _maxRestarts = new("--max-restarts") { Description = "Failures allowed inside the restart window before FAILED. Default 3." };
    private readonly Option<string?> _restartWindow = new("--restart-window") { Description = "The restart window (e.g. 10m). Default 10m." };
    private readonly Option<bool> _noAutostart = new("--no-autostart") { Description = "Do not start the game until POST /start." };
    private readonly Option<int?> _telemetryPort = new("--telemetry-port") { Description = "Passed to the game: its telemetry WebSocket port (0 any free port, -1 off). Default: the game's (8081 or TELEMETRY_PORT)." };
    private readonly Option<int?> _discoveryPort = new("--discovery-port") { Description = "Passed to the game: its UDP discovery port (0 off). Default: the game's (8087, off in production, or DISCOVERY_PORT)." };
    private readonly Option<int?> _metricsPort = new("--metrics-port") { Description = "Also serve /metrics (only) on this port, e.g. 9091." };
    private readonly Option<int?> _dapPort = new("--dap-port") { Description = "Passed to the game: its editor debug adapter port (e.g. 6006). Env: DAP_PORT." };
    private readonly Option<int?> _lspPort = new("--lsp-port") { Description = "Passed to the game: its editor language server port (e.g. 6005). Env: LSP_PORT." };
    private readonly Option<string?> _dataDir = new("--data-dir") { Description = "Shared with the game: tokens, keys, scene history. Env: SPACETIME_DATA_DIR." };
    private readonly Option<string?> _logDir = new("--log-dir") { Description = "Where spacetime-manager.log and spacetime-game.log rotate. Default: DATA_DIR/logs." };
    private readonly Option<string?> _environment = new("--environment") { Description = "production, staging, development or test. Env: GODOT_ENV." };
    private readonly Option<string?> _configDir = new("--config-dir") { Description = "Config folder. Default: beside the executable. Env: SPACETIME_CONFIG_DIR." };
    private readonly Option<string[]> _set = new("--set") { Description = "Set a configuration key, over files and variables, for the manager and its game: --set authentication.token_rotation_enabled=true (repeatable; keys: spacetime config show)." };

    public void AddTo(Command command)
    {
        Option[] options =
        [
            _host, _port, _godotPort, _godotPath, _projectPath, _autoLoad, _scenePath, _playerTimeout, _checkInterval, _hangCheckInterval, _maxRestarts,
            _restartWindow, _noAutostart, _stayOnFailure, _failureExitDelay, _telemetryPort, _discoveryPort, _metricsPort, _dapPort, _lspPort, _dataDir, _logDir, _environment, _configDir, _set,
        ];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    public string ConfigDir(ParseResult parse) => CliEnvironment.ConfigDir(parse.GetValue(_configDir));

    public string Environment(ParseResult parse) => CliEnvironment.EnvironmentName(parse.GetValue(_environment));

    /// <summary>Options first, then the documents' environment variables, then the defaults (the bundled project).</summary>
    public ManagerOptions Read(ParseResult parse)
    {
        var options = new ManagerOptions
        {
            Host = parse.GetValue(_host) ?? CliEnvironment.Setting("manager.host") ?? "127.0.0.1",
            Port = parse.GetValue(_port) ?? CliEnvironment.Port("manager.port") ?? 8090,
            GodotPort = parse.GetValue(_godotPort) ?? CliEnvironment.Port("manager.godot_port") ?? 8080,
            GodotPath = parse.GetValue(_godotPath) ?? CliEnvironment.Setting("manager.godot_path"),
            ProjectPath = CliEnvironment.ProjectPath(parse.GetValue(_projectPath)),
            AutoLoadScene = parse.GetValue(_autoLoad) ?? true,
            ScenePath = parse.GetValue(_scenePath) ?? BundledProject.MainScene,
            NoAutostart = parse.GetValue(_noAutostart),
            StayOnFailure = parse.GetValue(_stayOnFailure),
            MetricsPort = parse.GetValue(_metricsPort),
            TelemetryPort = parse.GetValue(_telemetryPort),
            DiscoveryPort = parse.GetValue(_discoveryPort),
            DapPort = parse.GetValue(_dapPort) ?? CliEnvironment.Port("runtime.dap_port"),
            LspPort = parse.GetValue(_lspPort) ?? CliEnvironment.Port("runtime.lsp_port"),
            DataDir = parse.GetValue(_dataDir) ?? CliEnvironment.Setting("runtime.data_dir"),
            LogDir = parse.GetValue(_logDir),
            ApiToken = CliEnvironment.Setting("authentication.api_token"),
            ConfigurationFlags = Security.Configuration.ConfigurationLoader.ParseFlags(parse.GetValue(_set)),
        };
        options.PlayerTimeout = Duration(parse, _playerTimeout) ?? options.PlayerTimeout;
        options.CheckInterval = Duration(parse, _checkInterval) ?? options.CheckInterval;
        options.HangCheckInterval = Duration(parse, _hangCheckInterval) ?? options.HangCheckInterval;
        options.FailureExitDelay = Duration(parse, _failureExitDelay) ?? options.FailureExitDelay;
        options.RestartWindow = Duration(parse, _restartWindow) ?? options.RestartWindow;
        options.MaxRestarts = parse.GetValue(_maxRestarts) ?? options.MaxRestarts;
        if (options.GodotPath is { } executable && !File.Exists(executable))
        {
            var source = parse.GetValue(_godotPath) is null ? "GODOT_EXECUTABLE_PATH" : "--godot-path";
            throw new ArgumentException($"{source} '{executable}' does not exist", "godot-path");
        }

        RefuseBrokenMainScene(options);
        return options;
    }

    /// <summary>
    /// A main scene the built-in runtime cannot build is a configuration error: say so at start-up with file:line, rather than
    /// start a game that can only end DEGRADED.
    /// </summary>
    private static void RefuseBrokenMainScene(ManagerOptions options)
    {
        if (!options.AutoLoadScene || options.GodotPath is not null || options.ProjectPath is not { } project
            || !options.ScenePath.StartsWith("res://", StringComparison.Ordinal))
        {
            return;
        }

        var scene = Path.Combine(project, options.ScenePath["res://".Length..]);
        if (File.Exists(scene) && Engine.Validation.SceneValidator.Validate([scene]).Problems.FirstOrDefault(p => p.Severity == Engine.Validation.ProblemSeverity.Error) is { } error)
        {
            throw new ArgumentException($"the main scene {options.ScenePath} cannot be loaded: {error}", "scene-path");
        }
    }

    private static TimeSpan? Duration(ParseResult parse, Option<string?> option)
    {
        var text = parse.GetValue(option);
        return text is null ? null
            : TokenTtl.TryParse(text, out var d) ? d : throw new ArgumentException($"{option.Name} '{text}' must be seconds or look like 30s, 10m", option.Name);
    }
}
