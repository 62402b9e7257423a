using System.ComponentModel.DataAnnotations;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager;

/// <summary>Settings of the management server (<c>spacetime manage</c>), validated with data annotations at start-up.</summary>
public sealed class ManagerOptions : IValidatableObject
{
    public const string SectionName = "Manager";

    /// <summary>
    /// The address the manager binds: 127.0.0.1 by default; 0.0.0.0 in a container, where the reverse proxy, the
    /// orchestrator's probes and Prometheus reach it from outside. The game itself stays on 127.0.0.1.
    /// </summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The manager's own HTTP port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8090;

    /// <summary>The port the game's HTTP API listens on (127.0.0.1).</summary>
    [Range(1, 65535)]
    public int GodotPort { get; set; } = 8080;

    /// <summary>An executable to supervise instead of the built-in runtime (a Godot binary gets <c>--path PROJECT</c>).</summary>
    public string? GodotPath { get; set; }

    /// <summary>The Godot project folder; unset, the built-in runtime uses its bundled project.</summary>
    public string? ProjectPath { get; set; }

    /// <summary>Load <see cref="ScenePath"/> once the API answers, then wait for the player.</summary>
    public bool AutoLoadScene { get; set; } = true;

    [Required]
    [RegularExpression(@"^res://.+\.t?scn$", ErrorMessage = "ScenePath must be a res:// path to a .tscn or .scn file")]
    public string ScenePath { get; set; } = "res://vr_main.tscn";

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan PlayerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the running game's <c>/status</c> is read (scene, player).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the running game's <c>/health</c> is probed for a hang (each probe limited to this long too).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan HangCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive missed probes, while the process lives, after which the game counts as hung and is replaced (about 12 s with the defaults).</summary>
    [Range(1, 1000)]
    public int HangThreshold { get; set; } = 3;

    /// <summary>
    /// Stay up in FAILED (answering <c>/livez</c> 503) instead of exiting: for Kubernetes, whose liveness probe replaces
    /// the pod. Otherwise the manager exits with <see cref="GaveUpExitCode"/> after <see cref="FailureExitDelay"/>, so
    /// systemd, Compose or supervisord restart it.
    /// </summary>
    public bool StayOnFailure { get; set; }

    /// <summary>How long a manager that gave up keeps answering (so <c>/health</c> and the metrics show why) before it exits.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FailureExitDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The exit status of a manager that gave up on its game (sysexits' EX_UNAVAILABLE).</summary>
    public const int GaveUpExitCode = 69;

    /// <summary>How long the API may take to answer after a start before the start counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ApiStartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time limit of one request to the game's API (a stopped process accepts connections but never answers).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan ApiRequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Range(0, 1000)]
    public int MaxRestarts { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RestartWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Back-off before the first restart; it doubles up to <see cref="MaxRestartDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A run this long resets the back-off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan StablePeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>SIGTERM to SIGKILL.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Do not start the game with the manager; wait for an explicit start.</summary>
    public bool NoAutostart { get; set; }

    /// <summary>Also serve <c>/metrics</c> (only) on this port, as the documents' exporter did (9091).</summary>
    [Range(1, 65535)]
    public int? MetricsPort { get; set; }

    /// <summary>Configuration keys set on the command line (<c>--set key=value</c>): the manager's own, and passed on to the built-in runtime.</summary>
    public IReadOnlyDictionary<string, string> ConfigurationFlags { get; set; } = new Dictionary<string, string>();

    /// <summary>The game's data folder (passed as <c>--data-dir</c> to the built-in runtime).</summary>
    public string? DataDir { get; set; }

    /// <summary>Where <c>spacetime-manager.log</c> and <c>spacetime-game.log</c> rotate; the manager server defaults it to <c>DATA_DIR/logs</c> (a bare supervisor keeps output in memory only).</summary>
    public string? LogDir { get; set; }

    [Range(1, 1024L * 1024 * 1024)]
    public long LogMaxBytes { get; set; } = RotatingLogFile.DefaultMaxBytes;

    [Range(0, 100)]
    public int LogMaxFiles { get; set; } = RotatingLogFile.DefaultMaxBackups;

    /// <summary>The token the game's API accepts (<c>API_TOKEN</c>); unset, a random one is made per manager. Never logged.</summary>
    public string? ApiToken { get; set; }

    /// <summary>Passed to the built-in runtime as <c>--telemetry-port</c> (-1 off, 0 any free port); unset, the game's own default (8081 or <c>TELEMETRY_PORT</c>).</summary>
    [Range(-1, 65535)]
    public int? TelemetryPort { get; set; }

    /// <summary>Passed to the built-in runtime as <c>--discovery-port</c> (0 off); unset, the game's own default (8087 or <c>DISCOVERY_PORT</c>).</summary>
    [Range(0, 65535)]
    public int? DiscoveryPort { get; set; }

    [Range(1, 65535)]
    public int? DapPort { get; set; }

    [Range(1, 65535)]
    public int? LspPort { get; set; }

    /// <summary>Extra environment for the game (a null value removes an inherited variable).</summary>
    public Dictionary<string, string?> GameEnvironment { get; set; } = new(StringComparer.Ordinal);

    public RestartPolicyOptions ToRestartPolicy() => new()
    {
        InitialDelay = RestartDelay,
        MaxDelay = MaxRestartDelay,
        StablePeriod = StablePeriod,
        MaxRestarts = MaxRestarts,
        Window = RestartWindow,
    };

    /// <summary>Every problem with these settings, as "Key: message"; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        return [.. results.Select(r => $"{string.Join(",", r.MemberNames)}: {r.ErrorMessage}")];
    }

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (MaxRestartDelay < RestartDelay)
        {
            yield return new ValidationResult("MaxRestartDelay must not be shorter than RestartDelay", [nameof(MaxRestartDelay)]);
        }

        if (!System.Net.IPAddress.TryParse(Host, out _))
        {
            yield return new ValidationResult($"Host '{Host}' must be an IP address (e.g. 127.0.0.1 or 0.0.0.0)", [nameof(Host)]);
        }

        if (GodotPort == Port)
        {
            yield return new ValidationResult("GodotPort must differ from the manager's Port", [nameof(GodotPort)]);
        }

        // A wrong project or scene is a configuration error: fail at start-up, not after three restarts.
        if (ProjectPath is { Length: > 0 } project)
        {
            if (!File.Exists(Path.Combine(project, "project.godot")))
            {
                yield return new ValidationResult($"ProjectPath '{project}' holds no project.godot", [nameof(ProjectPath)]);
            }
            else if (AutoLoadScene && ScenePath.StartsWith("res://", StringComparison.Ordinal)
                && !File.Exists(Path.Combine(project, ScenePath["res://".Length..])))
            {
                yield return new ValidationResult($"ScenePath '{ScenePath}' does not exist in the project '{project}'", [nameof(ScenePath)]);
            }
        }

        if (ApiToken is { } token && string.IsNullOrWhiteSpace(token))
        {
            yield return new ValidationResult("ApiToken must not be blank", [nameof(ApiToken)]);
        }
    }
}
