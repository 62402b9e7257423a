namespace SpaceTime.Security.Configuration;

/// <summary>What SpaceTime does with an environment variable.</summary>
public enum VariableUse
{
    /// <summary>Sets a configuration key (over the files).</summary>
    Setting,

    /// <summary>Sets a secret: read from the environment only, never from files, never printed.</summary>
    Secret,

    /// <summary>Read by the client commands (<c>spacetime token</c>, <c>scenario</c>...), not by the servers.</summary>
    Client,

    /// <summary>Set for SpaceTime by its service manager or by the manager for its game; operators do not set it.</summary>
    System,

    /// <summary>Read by a deployment file or script of the package (Compose, setup_monitoring.sh, backup.sh), not by spacetime.</summary>
    Deployment,

    /// <summary>Read by <c>spacetime ci</c> in a game repository's pipeline (docs/CI.md), not by the servers.</summary>
    Pipeline,

    /// <summary>Named by the documents but not used here; spacetime says why at start-up, in one line.</summary>
    Ignored,
}

/// <summary>One environment variable: its name, the configuration key it sets (or who reads it), and why.</summary>
/// <param name="Name">The variable.</param>
/// <param name="Key">The key it sets (<c>http_api.max_connections</c>), or for other uses who reads it.</param>
/// <param name="Use">What SpaceTime does with it.</param>
/// <param name="Description">One line for the documents; for <see cref="VariableUse.Ignored"/>, why it is ignored.</param>
public sealed record EnvironmentVariable(string Name, string Key, VariableUse Use, string Description)
{
    /// <summary>Turns the text into the key's value (JSON text) when it is not simply the key's own type.</summary>
    internal Func<string, Func<string, string?>, string?>? Convert { get; init; }

    /// <summary>The variable this one is another name for (the documents' spelling); templates list only the main one.</summary>
    public string? AliasOf { get; init; }
}

/// <summary>
/// Every environment variable SpaceTime reads or the documents name, and the key it sets: the one place the
/// configuration, <c>spacetime config show</c>, the deploy templates and the documents take them from. Where two
/// variables set one key, the later one in this table wins.
/// </summary>
public static class EnvironmentVariableTable
{
    public static IReadOnlyList<EnvironmentVariable> All { get; } =
    [
        // Environment and API switch
        new("ENVIRONMENT", "environment", VariableUse.Setting, "The documents' name for GODOT_ENV; GODOT_ENV wins when both are set") { AliasOf = "GODOT_ENV" },
        new("GODOT_ENV", "environment", VariableUse.Setting, "production, staging, development or test: picks config/<env>.json, security_<env>.json, performance_<env>.json and the whitelist entry"),
        new("GODOT_ENABLE_HTTP_API", "http_api.enabled", VariableUse.Setting, "The game HTTP API stays off in production unless true; false turns it off anywhere"),
        new("GODOT_LOG_LEVEL", "logging.level", VariableUse.Setting, "Least severity logged: error, warn, info or debug"),

        // Secrets
        new("JWT_SECRET_KEY", "authentication.jwt_secret_key", VariableUse.Secret, "Signs the bearer tokens (HS256); required in production, at least 32 bytes"),
        new("API_TOKEN", "authentication.api_token", VariableUse.Secret, "Static admin token; in production at least 32 bytes"),
        new("METRICS_TOKEN", "authentication.metrics_token", VariableUse.Secret, "Token that reads /metrics and /health only (Prometheus)"),

        // Security
        new("JWT_TOKEN_EXPIRY", "authentication.token_expiry_seconds", VariableUse.Setting, "Lifetime of issued tokens in seconds (60 .. 2592000)"),
        new("AUTH_REQUIRED", "authentication.enabled", VariableUse.Setting, "Require a token (cannot be false in production)"),
        new("ENABLE_RATE_LIMITING", "rate_limiting.enabled", VariableUse.Setting, "Per-client rate limits and bans"),
        new("RATE_LIMIT_PER_IP", "rate_limiting.global_requests_per_minute", VariableUse.Setting, "Requests per RATE_LIMIT_WINDOW seconds per client")
        {
            Convert = (value, variables) =>
            {
                var requests = Parse.Int("RATE_LIMIT_PER_IP", value, 1, 1_000_000);
                var window = variables("RATE_LIMIT_WINDOW") is { Length: > 0 } w ? Parse.Int("RATE_LIMIT_WINDOW", w, 1, 3600) : 60;
                return Parse.Text((int)Math.Max(1, Math.Round(requests * 60.0 / window)));
            },
        },
        new("RATE_LIMIT_WINDOW", "rate_limiting.global_requests_per_minute", VariableUse.Setting, "The window of RATE_LIMIT_PER_IP in seconds (default 60); without RATE_LIMIT_PER_IP it sets nothing")
        {
            // Read with RATE_LIMIT_PER_IP (null: nothing of its own to set; alone, a warning says it is ignored).
            Convert = (_, _) => null,
        },
        new("HTTP_API_ENABLE_CORS", "cors.enabled", VariableUse.Setting, "Answer cross-origin requests from CORS_ALLOWED_ORIGINS (off in production without origins)"),
        new("CORS_ALLOWED_ORIGINS", "cors.allowed_origins", VariableUse.Setting, "Comma-separated absolute origins; sets cors.enabled when not empty") { Convert = (v, _) => Parse.List(v) },
        new("CORS_ALLOWED_METHODS", "cors.allowed_methods", VariableUse.Setting, "Comma-separated methods allowed cross-origin") { Convert = (v, _) => Parse.List(v.ToUpperInvariant()) },
        new("CORS_ALLOW_CREDENTIALS", "cors.allow_credentials", VariableUse.Setting, "Send Access-Control-Allow-Credentials: true to the allowed origins"),
        new("MAX_REQUEST_SIZE", "http_api.max_request_size_mb", VariableUse.Setting, "Largest request body in bytes (MAX_REQUEST_SIZE_MB wins when both are set)")
        {
            AliasOf = "MAX_REQUEST_SIZE_MB",
            Convert = (v, _) => Parse.Text(Parse.Int("MAX_REQUEST_SIZE", v, 1, 1024 << 20) / 1048576.0),
        },
        new("MAX_REQUEST_SIZE_MB", "http_api.max_request_size_mb", VariableUse.Setting, "Largest request body in MB"),
        new("REQUEST_TIMEOUT_MS", "http_api.request_timeout_ms", VariableUse.Setting, "A request running longer is answered 504"),
        new("MAX_CONNECTIONS", "http_api.max_connections", VariableUse.Setting, "Concurrent connections Kestrel accepts"),
        new("ENABLE_DEBUG_ENDPOINTS", "debug.enable_debug_endpoints", VariableUse.Setting, "/debug/* endpoints; production forces them off"),
        new("SCENE_WHITELIST", "scene_whitelist", VariableUse.Setting, "Comma-separated res:// scenes that replace this environment's entry of scene_whitelist.json"),

        // Audit
        new("AUDIT_LOG_ENABLED", "audit.enabled", VariableUse.Setting, "Write the audit log (JSON lines)"),
        new("AUDIT_LOG_PATH", "audit.path", VariableUse.Setting, "Folder of the audit log; relative paths are inside the data dir"),
        new("AUDIT_LOG_RETENTION_DAYS", "audit.retention_days", VariableUse.Setting, "Days audit files are kept"),

        // Runtime (spacetime serve)
        new("HTTP_API_HOST", "runtime.host", VariableUse.Setting, "Address the game binds (API and telemetry); default 127.0.0.1"),
        new("HTTP_API_PORT", "runtime.http_port", VariableUse.Setting, "The game API port when spacetime serve runs alone (the manager sets it from GODOT_API_PORT)"),
        new("GODOT_PROJECT_PATH", "runtime.project_path", VariableUse.Setting, "The Godot project folder; default: the demo project beside the executable"),
        new("SPACETIME_DATA_DIR", "runtime.data_dir", VariableUse.Setting, "Scene history, signing keys, revocations, audit log"),
        new("SPACETIME_CONFIG_DIR", "runtime.config_dir", VariableUse.Setting, "Folder of the config files; default: config/ beside the executable"),
        new("TELEMETRY_PORT", "runtime.telemetry_port", VariableUse.Setting, "Telemetry WebSocket port; 0 any free port, -1 off"),
        new("DISCOVERY_PORT", "runtime.discovery_port", VariableUse.Setting, "UDP discovery announcements; 0 off (the default in production)"),
        new("DAP_PORT", "runtime.dap_port", VariableUse.Setting, "Godot editor debug adapter to connect to (development)"),
        new("LSP_PORT", "runtime.lsp_port", VariableUse.Setting, "Godot editor language server to connect to (development)"),

        // Manager (spacetime manage / up)
        new("GODOT_SERVER_HOST", "manager.host", VariableUse.Setting, "Address the manager binds; default 127.0.0.1"),
        new("GODOT_SERVER_PORT", "manager.port", VariableUse.Setting, "Manager port; default 8090"),
        new("GODOT_API_PORT", "manager.godot_port", VariableUse.Setting, "The game API port the manager starts its game on; default 8080"),
        new("GODOT_EXECUTABLE_PATH", "manager.godot_path", VariableUse.Setting, "Supervise this Godot binary instead of the built-in runtime"),

        // Shared state of several instances
        new("SPACETIME_INSTANCE_ID", "instance.id", VariableUse.Setting, "This instance's name in /status, history, audit and discovery; default: made once per data dir"),
        new("DATABASE_URL", "records.database", VariableUse.Secret, "postgresql://user:password@host:port/name: scene history and audit trail of every instance"),
        new("DB_HOST", "records.database", VariableUse.Setting, "PostgreSQL host when DATABASE_URL is not set"),
        new("DB_PORT", "records.database", VariableUse.Setting, "PostgreSQL port, default 5432"),
        new("DB_NAME", "records.database", VariableUse.Setting, "PostgreSQL database, default spacetime"),
        new("DB_USER", "records.database", VariableUse.Setting, "PostgreSQL user, default spacetime"),
        new("DB_PASSWORD", "records.database", VariableUse.Secret, "PostgreSQL password"),
        new("REDIS_URL", "security.state", VariableUse.Secret, "redis://[:password@]host[:port][/db] (rediss:// for TLS): security state of every instance"),
        new("REDIS_HOST", "security.state", VariableUse.Setting, "Redis host when REDIS_URL is not set"),
        new("REDIS_PORT", "security.state", VariableUse.Setting, "Redis port, default 6379"),
        new("REDIS_PASSWORD", "security.state", VariableUse.Secret, "Redis password (with REDIS_URL or REDIS_HOST; Compose's Redis reads it too)"),

        // Client commands
        new("SPACETIME_TOKEN", "client tools", VariableUse.Client, "Token of the client commands (telemetry, scenario, mcp, health-check)"),
        new("NO_COLOR", "client tools", VariableUse.Client, "Plain output from health-check"),

        // Set by the system or by the manager for its game
        new("NOTIFY_SOCKET", "systemd", VariableUse.System, "systemd's notification socket (Type=notify)"),
        new("WATCHDOG_USEC", "systemd", VariableUse.System, "systemd's watchdog interval"),
        new("WATCHDOG_PID", "systemd", VariableUse.System, "The process systemd's watchdog expects pings from"),
        new("PATH", "manager", VariableUse.System, "Searched for the Godot binary and passed to the supervised game"),
        new("SPACETIME_MANAGER_PID", "manager", VariableUse.System, "Set by the manager for its game: the game exits when the manager is gone"),
        new("SPACETIME_PROXY_SECRET", "manager", VariableUse.System, "Set by the manager for its game: proves requests the manager forwards"),
        new("SPACETIME_PROXY_SOCKET", "manager", VariableUse.System, "Set by the manager for its game: the private Unix socket the game also listens on for the manager"),

        // Read by the package's deployment files
        new("GRAFANA_ADMIN_PASSWORD", "deploy/compose/docker-compose.yml", VariableUse.Deployment, "Grafana's admin password"),
        new("POSTGRES_PASSWORD", "deploy/compose/docker-compose.yml", VariableUse.Deployment, "Compose's PostgreSQL password"),
        new("SPACETIME_DOMAIN", "deploy/compose/docker-compose.yml", VariableUse.Deployment, "Host name nginx and Grafana answer for"),
        new("BACKUP_RETENTION_DAYS", "deploy/scripts/backup.sh", VariableUse.Deployment, "Days backups are kept (the default of backup.sh --keep-days)"),
        new("ALERT_WEBHOOK_URL", "deploy/scripts/setup_monitoring.sh", VariableUse.Deployment, "Webhook that pages on-call for critical and security alerts"),
        new("ALERT_EMAIL_TO", "deploy/scripts/setup_monitoring.sh", VariableUse.Deployment, "Team address for every alert"),
        new("SMTP_SMARTHOST", "deploy/scripts/setup_monitoring.sh", VariableUse.Deployment, "SMTP server (host:port) of alert mail"),
        new("SMTP_FROM", "deploy/scripts/setup_monitoring.sh", VariableUse.Deployment, "Sender of alert mail"),
        new("SMTP_AUTH_USERNAME", "deploy/scripts/setup_monitoring.sh", VariableUse.Deployment, "SMTP user"),
        new("SMTP_AUTH_PASSWORD", "deploy/scripts/setup_monitoring.sh", VariableUse.Deployment, "SMTP password"),

        // Read by `spacetime ci` in a game repository's pipeline
        new("SPACETIME_REPORTS_DIR", "spacetime ci", VariableUse.Pipeline, "Folder for reports and logs (default reports)"),
        new("SPACETIME_PROJECT_DIR", "spacetime ci", VariableUse.Pipeline, "The game project's folder (default the repository's project/ or root)"),
        new("SPACETIME_SCENE", "spacetime ci", VariableUse.Pipeline, "Main scene the test step waits for (res:// path)"),
        new("SPACETIME_READY_TIMEOUT", "spacetime ci", VariableUse.Pipeline, "How long the test step waits for READY (default 120s)"),
        new("SPACETIME_VERSION", "spacetime ci", VariableUse.Pipeline, "Release version of the build step (default the pipeline's tag)"),
        new("SPACETIME_DIST_DIR", "spacetime ci", VariableUse.Pipeline, "Where the build step writes the release (default dist)"),
        new("SPACETIME_SIGNING_KEY", "spacetime ci", VariableUse.Pipeline, "Release signing key: a file or the armoured key itself (a CI secret)"),
        new("SPACETIME_PASSPHRASE", "spacetime ci", VariableUse.Pipeline, "Passphrase of the signing key (a CI secret)"),
        new("SPACETIME_PASSPHRASE_FILE", "spacetime ci", VariableUse.Pipeline, "File holding the passphrase of the signing key"),
        new("SPACETIME_PUBLIC_KEY", "spacetime ci", VariableUse.Pipeline, "Trusted release key of the deploy step: a file or the armoured key"),
        new("SPACETIME_DEPLOY_ARGS", "spacetime ci", VariableUse.Pipeline, "Arguments the deploy step passes to the release's deploy.sh"),
        new("GITHUB_ACTIONS", "spacetime ci", VariableUse.Pipeline, "Set by GitHub Actions: lint also prints annotations"),
        new("GITHUB_REF_TYPE", "spacetime ci", VariableUse.Pipeline, "Set by GitHub Actions: tag pipelines build releases"),
        new("GITHUB_REF_NAME", "spacetime ci", VariableUse.Pipeline, "Set by GitHub Actions: the tag names the release version"),
        new("CI_COMMIT_TAG", "spacetime ci", VariableUse.Pipeline, "Set by GitLab CI: the tag names the release version"),

        // Named by the documents, not used here
        new("HTTP_API_HTTPS", "-", VariableUse.Ignored, "spacetime serves plain HTTP on 127.0.0.1; TLS terminates at nginx (deploy/nginx)"),
        new("ENABLE_METRICS", "-", VariableUse.Ignored, "/metrics is always served (to METRICS_TOKEN and readonly callers): the alert rules need it"),
        new("ENABLE_PROFILING", "-", VariableUse.Ignored, "request profiling (/performance) is always on; it keeps 5 minutes of timings in memory"),
        new("ENABLE_HEALTH_CHECKS", "-", VariableUse.Ignored, "/health and /livez are always served"),
        new("DOMAIN", "-", VariableUse.Ignored, "spacetime does not need its host name; Compose's nginx reads SPACETIME_DOMAIN"),
        new("AUTH_STRICT_MODE", "-", VariableUse.Ignored, "validation is always strict: every token is checked for signature, expiry, revocation and idle time"),
        new("DEBUG_MODE", "-", VariableUse.Ignored, "use ENABLE_DEBUG_ENDPOINTS (off in production) and GODOT_LOG_LEVEL=debug"),
        new("ENABLE_DEBUG_MODE", "-", VariableUse.Ignored, "use ENABLE_DEBUG_ENDPOINTS (off in production) and GODOT_LOG_LEVEL=debug"),
        new("VERBOSE_LOGGING", "-", VariableUse.Ignored, "use GODOT_LOG_LEVEL=debug"),
        new("LOG_LEVEL", "-", VariableUse.Ignored, "use GODOT_LOG_LEVEL"),
        new("ENABLE_TELEMETRY", "-", VariableUse.Ignored, "telemetry is on unless TELEMETRY_PORT=-1"),
        new("API_KEY_REQUIRED", "-", VariableUse.Ignored, "use AUTH_REQUIRED (which cannot be false in production)"),
        new("API_KEY", "-", VariableUse.Ignored, "use API_TOKEN"),
        new("JWT_SECRET", "-", VariableUse.Ignored, "use JWT_SECRET_KEY"),
        new("TLS_CERT_PATH", "-", VariableUse.Ignored, "TLS terminates at nginx: its certificate goes to deploy/compose/tls/ or the nginx site"),
        new("TLS_KEY_PATH", "-", VariableUse.Ignored, "TLS terminates at nginx: its key goes to deploy/compose/tls/ or the nginx site"),
        new("GODOT_PATH", "-", VariableUse.Ignored, "use GODOT_EXECUTABLE_PATH (a Godot binary) or GODOT_PROJECT_PATH (a project)"),
        new("GODOT_VERSION", "-", VariableUse.Ignored, "the built-in runtime reads Godot 4 scene files of any 4.x version"),
        new("DATABASE_POOL_SIZE", "-", VariableUse.Ignored, "records are written by one outbox per instance; the pool is sized by Npgsql"),
    ];

    private static readonly Dictionary<string, EnvironmentVariable> ByName = All.ToDictionary(v => v.Name, StringComparer.Ordinal);

    public static EnvironmentVariable? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The variable read for <paramref name="key"/> (the last one in the table, which wins).</summary>
    public static EnvironmentVariable ForKey(string key) => All.Last(v => v.Key == key && v.Use is VariableUse.Setting or VariableUse.Secret);

    /// <summary>The value of the variable that sets <paramref name="key"/> (an empty variable counts as unset).</summary>
    public static string? Value(string key, Func<string, string?> variables) =>
        All.Where(v => v.Key == key && v.Use is VariableUse.Setting or VariableUse.Secret).Select(v => variables(v.Name)).LastOrDefault(v => v is { Length: > 0 });

    /// <summary>The table as Markdown, for the documents (docs/DEPLOYMENT.md holds it; a test keeps the two equal).</summary>
    public static string ToMarkdown()
    {
        var text = new System.Text.StringBuilder();
        text.Append("| Variable | Sets | Use | Description |\n|---|---|---|---|\n");
        foreach (var v in All)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"| `{v.Name}` | {(v.Use is VariableUse.Setting or VariableUse.Secret ? $"`{v.Key}`" : v.Key)} | {v.Use.ToString().ToLowerInvariant()} | {v.Description.Replace("|", "\\|", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)} |\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The variables as a host sees them: through its configuration (so hosts and tests can set them per instance),
    /// except <c>ENVIRONMENT</c>, which ASP.NET Core's host configuration uses for its own environment name
    /// ("Development"), so it is read from the process.
    /// </summary>
    public static Func<string, string?> FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        name => name == "ENVIRONMENT" ? System.Environment.GetEnvironmentVariable(name) : configuration[name];

    /// <summary>The one-line warnings for the ignored variables that are set.</summary>
    public static IEnumerable<string> IgnoredWarnings(Func<string, string?> variables) =>
        All.Where(v => v.Use == VariableUse.Ignored && variables(v.Name) is { Length: > 0 })
            .Select(v => $"{v.Name} is ignored: {v.Description}");
}
