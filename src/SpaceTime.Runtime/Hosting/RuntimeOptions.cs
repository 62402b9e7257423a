using System.ComponentModel.DataAnnotations;

namespace SpaceTime.Runtime.Hosting;

/// <summary>Settings of <c>spacetime serve</c>, bound from the "SpaceTime" configuration section.</summary>
public sealed class RuntimeOptions
{
    public const string SectionName = "SpaceTime";

    public const int DefaultHttpPort = 8080;

    /// <summary>Ports tried, in order, when the default port is taken (as the original API did).</summary>
    public static readonly IReadOnlyList<int> FallbackHttpPorts = [8083, 8084, 8085];

    /// <summary>The Godot project folder (holding project.godot).</summary>
    [Required]
    public string ProjectPath { get; set; } = "project";

    /// <summary>Scene to load at start-up; empty means the project's main scene, "none" loads nothing.</summary>
    public string? Scene { get; set; }

    public string Host { get; set; } = "127.0.0.1";

    [Range(0, 65535)]
    public int HttpPort { get; set; } = DefaultHttpPort;

    /// <summary>Telemetry WebSocket port (default 8081); 0 picks a free port, -1 turns telemetry off.</summary>
    [Range(-1, 65535)]
    public int TelemetryPort { get; set; } = 8081;

    /// <summary>UDP discovery port (default 8087); 0 turns announcements off (the default in production).</summary>
    [Range(0, 65535)]
    public int? DiscoveryPort { get; set; }

    /// <summary>Where announcements are sent: an address (default loopback) or a broadcast address.</summary>
    public string DiscoveryTarget { get; set; } = "127.0.0.1";

    [Range(0.1, 3600)]
    public double DiscoveryIntervalSeconds { get; set; } = 5;

    /// <summary>Godot editor debug adapter (DAP) port to keep a connection to; unset = bridge off.</summary>
    [Range(1, 65535)]
    public int? DapPort { get; set; }

    /// <summary>Godot editor language server (LSP) port to keep a connection to; unset = bridge off.</summary>
    [Range(1, 65535)]
    public int? LspPort { get; set; }

    /// <summary>Host of the editor's debug adapter and language server.</summary>
    public string EditorHost { get; set; } = "127.0.0.1";

    /// <summary>Where state that must survive a restart lives (scene history).</summary>
    [Required]
    public string DataDir { get; set; } = DefaultDataDir;

    /// <summary>The per-user data folder: <c>$XDG_DATA_HOME/spacetime</c> (usually <c>~/.local/share/spacetime</c>).</summary>
    public static string DefaultDataDir => Security.DataDirectory.Default;

    /// <summary>Folder of &lt;env&gt;.json, security_&lt;env&gt;.json and scene_whitelist.json; default: beside the binary.</summary>
    public string? ConfigDir { get; set; }

    [RegularExpression("^(production|staging|development|test)$", ErrorMessage = "Environment must be one of production, staging, development, test.")]
    public string Environment { get; set; } = "development";

    /// <summary>How many entries <c>GET /scene/history</c> returns by default.</summary>
    [Range(1, 1000)]
    public int SceneHistorySize { get; set; } = 10;

    /// <summary>World snapshots kept in the data dir; saving one more drops the oldest.</summary>
    [Range(1, 10_000)]
    public int MaxWorldSnapshots { get; set; } = 100;

    /// <summary>Largest world snapshot stored (compressed bytes); a larger one is refused.</summary>
    [Range(1024, 1L << 30)]
    public long MaxWorldSnapshotBytes { get; set; } = 64L << 20;
}
