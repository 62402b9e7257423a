namespace SpaceTime.Security;

// The configuration model, as read by Configuration.ConfigurationLoader from config/<env>.json,
// config/security_<env>.json, config/performance_<env>.json, then environment variables (one table:
// Configuration.EnvironmentVariableTable), then command-line options. Property names map to snake_case keys.

/// <summary>All settings in force for this process, read from files, environment variables and flags.</summary>
public sealed class SecuritySettings
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string Environment { get; set; } = "development";

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsProduction => Environment == "production";

    public HttpApiSettings HttpApi { get; set; } = new();

    public AuthenticationSettings Authentication { get; set; } = new();

    public RateLimitSettings RateLimiting { get; set; } = new();

    public CorsSettings Cors { get; set; } = new();

    public AuditSettings Audit { get; set; } = new();

    public DebugSettings Debug { get; set; } = new();

    /// <summary>security_&lt;env&gt;.json "authorization".</summary>
    public AuthorizationSettings Authorization { get; set; } = new();

    /// <summary>config/&lt;env&gt;.json "logging".</summary>
    public LoggingSettings Logging { get; set; } = new();

    /// <summary>config/&lt;env&gt;.json "performance".</summary>
    public PerformanceSettings Performance { get; set; } = new();

    /// <summary>performance_&lt;env&gt;.json "godot".</summary>
    public GodotSettings Godot { get; set; } = new();

    /// <summary>performance_&lt;env&gt;.json "optimization" (rendering quality: nothing to adjust in a headless runtime).</summary>
    public OptimizationSettings Optimization { get; set; } = new();

    /// <summary>Addresses of reverse proxies whose <c>X-Forwarded-For</c> is believed.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// The secret the manager presents (<c>X-SpaceTime-Proxy</c>) when it forwards a client's request to its own game
    /// (<c>SPACETIME_PROXY_SECRET</c>, set by the manager for its child; never read from files).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ProxySecret { get; set; }

    /// <summary>
    /// A Unix socket the game also listens on for its manager's connections (<c>SPACETIME_PROXY_SOCKET</c>, set by the
    /// manager for its child): they carry many clients, so the outside connection limits do not count them.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ProxySocket { get; set; }

    /// <summary>Where the shared security state lives when it is not the data dir (<c>REDIS_URL</c> or <c>REDIS_HOST</c>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public RedisSettings? Redis { get; set; }

    /// <summary>
    /// Scenes that replace this environment's entry of <c>scene_whitelist.json</c> (<c>SCENE_WHITELIST</c>, comma-separated);
    /// null when the file decides.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string>? SceneWhitelist { get; set; }

    /// <summary>What the configuration asks for that this process does not do, one line each (logged at start-up).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Warnings { get; set; } = [];
}

/// <summary>A Redis server for the shared security state. <see cref="ToString"/> never shows the password.</summary>
public sealed record RedisSettings(string Host, int Port, string? User, string? Password, bool Tls, int Database)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>config/&lt;env&gt;.json "http_api".</summary>
public sealed class HttpApiSettings
{
    /// <summary>Whether the HTTP API listens at all. Production requires <c>GODOT_ENABLE_HTTP_API=true</c>.</summary>
    public bool Enabled { get; set; } = true;

    public double MaxRequestSizeMb { get; set; } = 1;

    public int RequestTimeoutMs { get; set; } = 30_000;

    /// <summary>Connections from outside clients held open at once (the manager's own connections are not counted).</summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>
    /// Connections one client address may hold open at once; more are answered 503 and closed. Trusted proxies
    /// (<c>trusted_proxies</c>) carry many clients and count only against <see cref="MaxConnections"/>.
    /// </summary>
    public int MaxConnectionsPerClient { get; set; } = 64;

    /// <summary>Time a client has to send a request's headers; a slower one is disconnected (slowloris).</summary>
    public int RequestHeadersTimeoutMs { get; set; } = 5_000;

    /// <summary>How long an idle keep-alive connection is kept open between requests.</summary>
    public int KeepAliveTimeoutMs { get; set; } = 15_000;

    /// <summary>Slowest request body accepted (after a 5 s grace period); a slower upload is cut off. 0 = no minimum.</summary>
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Requests processed at once; beyond it requests queue (<see cref="RequestQueueLimit"/>) or get 503.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>
    /// Requests that may wait for a free slot; beyond it they are answered 503 with Retry-After at once. Room for the
    /// documents' 1,000 concurrent users arriving together (the wait itself is bounded by <see cref="RequestQueueTimeoutMs"/>):
    /// with 256, a 1,000-connection burst had a third of its first requests refused (bench/http-load.sh).
    /// </summary>
    public int RequestQueueLimit { get; set; } = 2048;

    /// <summary>Longest wait for a free slot before the request is answered 503 with Retry-After.</summary>
    public int RequestQueueTimeoutMs { get; set; } = 500;
}

/// <summary>security_&lt;env&gt;.json "authentication".</summary>
public sealed class AuthenticationSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Default lifetime of issued tokens, in seconds (<c>JWT_TOKEN_EXPIRY</c>).</summary>
    public int TokenExpirySeconds { get; set; } = 3600;

    /// <summary>Longest lifetime a token may be issued with.</summary>
    public int MaxTokenExpirySeconds { get; set; } = 30 * 24 * 3600;

    public bool TokenRefreshEnabled { get; set; } = true;

    /// <summary>How long a rotated-out signing key keeps validating tokens.</summary>
    public int KeyRotationGraceMinutes { get; set; } = 60;

    /// <summary>A session (token) unused for this long is no longer accepted; 0 = no idle timeout.</summary>
    public int SessionTimeoutMinutes { get; set; } = 120;

    /// <summary>Live tokens per subject; issuing one more revokes the oldest. 0 = unlimited.</summary>
    public int MaxConcurrentSessions { get; set; } = 3;

    /// <summary>Rotate the signing key every <see cref="TokenRotationIntervalHours"/> (once per installation, not per process).</summary>
    public bool TokenRotationEnabled { get; set; }

    /// <summary>Age of the current signing key at which it is rotated; the old one keeps verifying for the grace period.</summary>
    public double TokenRotationIntervalHours { get; set; } = 72;

    /// <summary>Tokens are taken from the <c>Authorization</c> header only (never from URLs, which end up in logs). Always true here.</summary>
    public bool RequireTokenHeader { get; set; } = true;

    /// <summary>Tokens of the original API's formats. SpaceTime accepts none: always false here.</summary>
    public bool AllowLegacyTokens { get; set; }

    /// <summary>The static admin token (<c>API_TOKEN</c>); never read from files.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ApiToken { get; set; }

    /// <summary>A token that may only read <c>/metrics</c> (<c>METRICS_TOKEN</c>), for Prometheus; never read from files.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? MetricsToken { get; set; }

    /// <summary>The HS256 signing secret (<c>JWT_SECRET_KEY</c>); never read from files.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? JwtSecretKey { get; set; }
}

/// <summary>security_&lt;env&gt;.json "rate_limiting".</summary>
public sealed class RateLimitSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Requests per minute per client over all endpoints (except <c>/health</c>).</summary>
    public int GlobalRequestsPerMinute { get; set; } = 300;

    /// <summary>Requests per minute per client for each endpoint not listed in <see cref="PerEndpointLimits"/>.</summary>
    public int DefaultRequestsPerMinute { get; set; } = 100;

    /// <summary>Per-endpoint requests per minute, by path prefix; 0 turns the endpoint off.</summary>
    public Dictionary<string, int> PerEndpointLimits { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Bucket size as a multiple of the per-minute rate (short bursts allowed).</summary>
    public double BurstMultiplier { get; set; } = 1.2;

    /// <summary>Rejections within <see cref="ViolationWindowMinutes"/> that ban a client.</summary>
    public int BanAfterViolations { get; set; } = 20;

    public int ViolationWindowMinutes { get; set; } = 5;

    public int BanDurationMinutes { get; set; } = 60;
}

/// <summary>config/&lt;env&gt;.json "cors". Off unless enabled with an allow-list.</summary>
public sealed class CorsSettings
{
    public bool Enabled { get; set; }

    public List<string> AllowedOrigins { get; set; } = [];

    public List<string> AllowedMethods { get; set; } = ["GET", "POST", "PUT", "DELETE"];

    /// <summary>Whether browsers may send credentials (cookies, Authorization) cross-origin (<c>Access-Control-Allow-Credentials</c>).</summary>
    public bool AllowCredentials { get; set; }
}

/// <summary>config/&lt;env&gt;.json "audit".</summary>
public sealed class AuditSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Folder of the audit log; relative paths are under the data dir.</summary>
    public string Path { get; set; } = "audit";

    public int RetentionDays { get; set; } = 30;

    public double MaxFileSizeMb { get; set; } = 10;
}

/// <summary>config/&lt;env&gt;.json "debug".</summary>
public sealed class DebugSettings
{
    /// <summary>Whether <c>/debug/*</c> endpoints exist; always off in production.</summary>
    public bool EnableDebugEndpoints { get; set; } = true;
}

/// <summary>security_&lt;env&gt;.json "authorization": role-based access control.</summary>
public sealed class AuthorizationSettings
{
    /// <summary>Whether roles limit what a caller may do; false (never in production) lets every authenticated caller do everything.</summary>
    public bool RbacEnabled { get; set; } = true;

    /// <summary>The role of a token issued without one (<c>POST /auth/token</c>, <c>spacetime token issue</c>).</summary>
    public string DefaultRole { get; set; } = "readonly";

    /// <summary>Whether a missing permission refuses the request (403); false (never in production) only audits it.</summary>
    public bool EnforcePermissions { get; set; } = true;

    /// <summary>Roles include the ones below them (admin ⊃ developer ⊃ readonly ⊃ guest). Always true here.</summary>
    public bool RoleInheritanceEnabled { get; set; } = true;
}

/// <summary>config/&lt;env&gt;.json "logging".</summary>
public sealed class LoggingSettings
{
    /// <summary>Least severity logged: error, warn, info or debug (<c>GODOT_LOG_LEVEL</c>).</summary>
    public string Level { get; set; } = "info";
}

/// <summary>config/&lt;env&gt;.json "performance".</summary>
public sealed class PerformanceSettings
{
    public PerformanceTimeouts Timeouts { get; set; } = new();
}

/// <summary>config/&lt;env&gt;.json "performance.timeouts".</summary>
public sealed class PerformanceTimeouts
{
    /// <summary>Longest a scene load may take before <c>POST /scene</c> answers 504 (the load itself completes on the loop).</summary>
    public int SceneLoadTimeoutSeconds { get; set; } = 30;
}

/// <summary>performance_&lt;env&gt;.json "godot".</summary>
public sealed class GodotSettings
{
    /// <summary>Render frames per second: nothing is rendered here, so this is not used (a warning says so when set).</summary>
    public int TargetFps { get; set; } = 90;

    /// <summary>Simulation ticks per second; 0 = the project's <c>physics/common/physics_ticks_per_second</c>.</summary>
    public int PhysicsFps { get; set; }

    public bool VsyncEnabled { get; set; } = true;

    public string Msaa { get; set; } = "disabled";

    public bool FxaaEnabled { get; set; }

    public bool TaaEnabled { get; set; }
}

/// <summary>performance_&lt;env&gt;.json "optimization": rendering quality controls, which a headless runtime has none of.</summary>
public sealed class OptimizationSettings
{
    public bool DynamicQualityEnabled { get; set; }

    public int MinFpsThreshold { get; set; } = 85;

    public int QualityAdjustmentIntervalSeconds { get; set; } = 10;

    public bool LodEnabled { get; set; }

    public bool OcclusionCullingEnabled { get; set; }
}
