using System.CommandLine;
using SpaceTime.Runtime.Hosting;

namespace SpaceTime.Cli.Commands;

/// <summary>The command-line options of the runtime, shared by <c>serve</c> and <c>up</c>.</summary>
internal sealed class RuntimeOptionsBinding
{
    public Option<string?> Project { get; } = new("--project") { Description = "Godot project folder (holding project.godot). Env: GODOT_PROJECT_PATH." };

    public Option<string?> Scene { get; } = new("--scene") { Description = "Scene to load at start (res://...). Default: the project's main scene; 'none' loads nothing." };

    public Option<string?> Host { get; } = new("--host") { Description = "Address to bind. Default 127.0.0.1. Env: HTTP_API_HOST." };

    public Option<int?> HttpPort { get; } = new("--http-port") { Description = "HTTP API port. Default 8080 (falls back to 8083-8085 when taken). Env: HTTP_API_PORT." };

    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Folder for state that survives restarts. Env: SPACETIME_DATA_DIR." };

    public Option<string?> Environment { get; } = new("--environment") { Description = "production, staging, development or test. Env: GODOT_ENV." };

    public Option<string?> ConfigDir { get; } = new("--config-dir") { Description = "Folder of <env>.json, security_<env>.json and scene_whitelist.json. Default: beside the executable. Env: SPACETIME_CONFIG_DIR." };

    public Option<int?> TelemetryPort { get; } = new("--telemetry-port") { Description = "Telemetry WebSocket port. Default 8081; 0 picks a free port, -1 turns it off. Env: TELEMETRY_PORT." };

    public Option<int?> DiscoveryPort { get; } = new("--discovery-port") { Description = "UDP discovery port. Default 8087 (off in production); 0 turns announcements off. Env: DISCOVERY_PORT." };

    public Option<int?> DapPort { get; } = new("--dap-port") { Description = "Keep a connection to the Godot editor's debug adapter on this port (e.g. 6006). Env: DAP_PORT." };

    public Option<int?> LspPort { get; } = new("--lsp-port") { Description = "Keep a connection to the Godot editor's language server on this port (e.g. 6005). Env: LSP_PORT." };

    public Option<string[]> Set { get; } = new("--set") { Description = "Set a configuration key, over files and variables: --set http_api.max_connections=50 (repeatable; keys: spacetime config show)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Set);
        command.Options.Add(ConfigDir);
        command.Options.Add(TelemetryPort);
        command.Options.Add(DiscoveryPort);
        command.Options.Add(DapPort);
        command.Options.Add(LspPort);
        command.Options.Add(Project);
        command.Options.Add(Scene);
        command.Options.Add(Host);
        command.Options.Add(HttpPort);
        command.Options.Add(DataDir);
        command.Options.Add(Environment);
    }

    /// <summary>The settings given on the command line, as <see cref="RuntimeOptions"/> keys.</summary>
    public Dictionary<string, string?> Read(ParseResult parse)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Set(string key, string? value)
        {
            if (value is not null)
            {
                settings[key] = value;
            }
        }

        Set(nameof(RuntimeOptions.ProjectPath), parse.GetValue(Project));
        Set(nameof(RuntimeOptions.Scene), parse.GetValue(Scene));
        Set(nameof(RuntimeOptions.Host), parse.GetValue(Host));
        Set(nameof(RuntimeOptions.HttpPort), Text(parse.GetValue(HttpPort)));
        Set(nameof(RuntimeOptions.DataDir), parse.GetValue(DataDir));
        Set(nameof(RuntimeOptions.Environment), parse.GetValue(Environment));
        Set(nameof(RuntimeOptions.ConfigDir), parse.GetValue(ConfigDir));
        Set(nameof(RuntimeOptions.TelemetryPort), Text(parse.GetValue(TelemetryPort)));
        Set(nameof(RuntimeOptions.DiscoveryPort), Text(parse.GetValue(DiscoveryPort)));
        Set(nameof(RuntimeOptions.DapPort), Text(parse.GetValue(DapPort)));
        Set(nameof(RuntimeOptions.LspPort), Text(parse.GetValue(LspPort)));
        return settings;
    }

    /// <summary>The <c>--set key=value</c> flags.</summary>
    public IReadOnlyDictionary<string, string> Flags(ParseResult parse) => Security.Configuration.ConfigurationLoader.ParseFlags(parse.GetValue(Set));

    private static string? Text(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
