using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpaceTime.Security;

/// <summary>Invalid configuration: names the file (or environment variable) and the key.</summary>
public sealed class SecurityConfigurationException(string source, string key, string problem)
    : Exception($"{source}: {key}: {problem}")
{
    public string ConfigSource { get; } = source;

    public string Key { get; } = key;
}

/// <summary>
/// Loads <see cref="SecuritySettings"/>: <c>config/&lt;env&gt;.json</c>, <c>config/security_&lt;env&gt;.json</c>, then
/// environment variables, then explicit overrides — and applies the production gates. Unknown keys, wrong types
/// and unsafe values stop start-up with the file and key named.
/// </summary>
public static class SecurityConfiguration
{
    public const int MinimumSecretBytes = 32;

    public static readonly IReadOnlyList<string> Environments = ["production", "staging", "development", "test"];

    private static readonly JsonSerializerOptions FileJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <param name="configDir">The config folder.</param>
    /// <param name="environment">production, staging, development or test.</param>
    /// <param name="variables">Environment variables (or any key lookup standing in for them).</param>
    /// <param name="enforceSecrets">
    /// False only for checks that report secret problems separately (<see cref="SecretProblems"/>); servers always enforce them.
    /// </param>
    public static SecuritySettings Load(string configDir, string environment, Func<string, string?> variables, bool enforceSecrets = true)
    {
        if (!Environments.Contains(environment))
        {
            throw new SecurityConfigurationException("GODOT_ENV / --environment", "environment", $"'{environment}' is not one of {string.Join(", ", Environments)}");
        }

        var settings = new SecuritySettings { Environment = environment };
        var environmentFile = Path.Combine(configDir, $"{environment}.json");
        if (Read<EnvironmentFile>(environmentFile) is { } env)
        {
            settings.HttpApi = env.HttpApi ?? settings.HttpApi;
            settings.Cors = env.Cors ?? settings.Cors;
            settings.Audit = env.Audit ?? settings.Audit;
            settings.Debug = env.Debug ?? settings.Debug;
            settings.TrustedProxies = env.TrustedProxies ?? settings.TrustedProxies;
        }

        var securityFile = Path.Combine(configDir, $"security_{environment}.json");
        RefuseSecretsInFile(securityFile);
        if (Read<SecurityFile>(securityFile) is { } security)
        {
            settings.Authentication = security.Authentication ?? settings.Authentication;
            settings.RateLimiting = security.RateLimiting ?? settings.RateLimiting;
        }

        ApplyVariables(settings, variables);
        Validate(settings, environmentFile, securityFile);
        ApplyProductionGates(settings, variables, enforceSecrets);
        return settings;
    }

    /// <summary>True for values the documents use as placeholders, which must never reach production.</summary>
    public static bool IsPlaceholder(string value)
    {
        var v = value.Trim();
        return v.Length == 0
               || v.Contains("REPLACE_WITH", StringComparison.OrdinalIgnoreCase)
               || v.StartsWith("<GENERATE", StringComparison.OrdinalIgnoreCase)
               || (v.StartsWith('<') && v.EndsWith('>'))
               || v.StartsWith("your_", StringComparison.OrdinalIgnoreCase)
               || v.StartsWith("your-", StringComparison.OrdinalIgnoreCase)
               || PlaceholderWords.Any(w => v.StartsWith(w, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>What copied example secrets start with ("changeme123...", "secret-key-...", "password..."); no random secret does.</summary>
    private static readonly string[] PlaceholderWords = ["changeme", "change_me", "change-me", "secret", "password", "example"];

    /// <summary>Secrets belong in the environment, never in a file that may be committed or packaged.</summary>
    private static void RefuseSecretsInFile(string file)
    {
        if (!File.Exists(file))
        {
            return;
        }

        System.Text.Json.Nodes.JsonNode? root;
        try
        {
            root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            return; // Read reports the syntax error with its position.
        }

        if (root?["authentication"] is System.Text.Json.Nodes.JsonObject authentication)
        {
            foreach (var (key, variable) in new[] { ("api_token", "API_TOKEN"), ("jwt_secret_key", "JWT_SECRET_KEY"), ("metrics_token", "METRICS_TOKEN") })
            {
                if (authentication.ContainsKey(key))
                {
                    throw new SecurityConfigurationException(file, $"authentication.{key}", $"secrets are not read from files; set the {variable} environment variable");
                }
            }
        }
    }

    private static T? Read<T>(string file)
        where T : class
    {
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(file), FileJson)
                   ?? throw new SecurityConfigurationException(file, "$", "the file is empty (null)");
        }
        catch (JsonException e)
        {
            var key = string.IsNullOrEmpty(e.Path) ? "$" : e.Path.TrimStart('$', '.');
            var problem = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? "unknown key"
                : $"invalid value ({FirstSentence(e.Message)})";
            throw new SecurityConfigurationException(file, UnknownKeyPath(e) ?? key, problem);
        }
    }

    /// <summary>For an unmapped member the exception names the member in its message, not in the path.</summary>
    private static string? UnknownKeyPath(JsonException e)
    {
        const string marker = "The JSON property '";
        var start = e.Message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += marker.Length;
        var end = e.Message.IndexOf('\'', start);
        var name = e.Message[start..end];
        var parent = string.IsNullOrEmpty(e.Path) ? "" : e.Path.TrimStart('$', '.');
        // Depending on where the reader stopped, the path may already end with the member's name.
        return parent.Length == 0 || parent == name ? name : parent.EndsWith("." + name, StringComparison.Ordinal) ? parent : $"{parent}.{name}";
    }

    private static string FirstSentence(string message)
    {
        var dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message;
    }

    private static void ApplyVariables(SecuritySettings s, Func<string, string?> variables)
    {
        string? Get(string name) => variables(name) is { Length: > 0 } v ? v : null;

        s.Authentication.ApiToken = Get("API_TOKEN");
        s.Authentication.JwtSecretKey = Get("JWT_SECRET_KEY");
        s.Authentication.MetricsToken = Get("METRICS_TOKEN");
        s.ProxySecret = Get("SPACETIME_PROXY_SECRET");
        s.ProxySocket = Get("SPACETIME_PROXY_SOCKET");
        s.Redis = ParseRedis(Get);
        if (Get("JWT_TOKEN_EXPIRY") is { } expiry)
        {
            s.Authentication.TokenExpirySeconds = ParseInt("JWT_TOKEN_EXPIRY", expiry, 60, 30 * 24 * 3600);
        }

        if (Get("AUTH_REQUIRED") is { } authRequired)
        {
            s.Authentication.Enabled = ParseBool("AUTH_REQUIRED", authRequired);
        }

        if (Get("ENABLE_RATE_LIMITING") is { } rateLimiting)
        {
            s.RateLimiting.Enabled = ParseBool("ENABLE_RATE_LIMITING", rateLimiting);
        }

        if (Get("RATE_LIMIT_PER_IP") is { } perIp)
        {
            var window = Get("RATE_LIMIT_WINDOW") is { } w ? ParseInt("RATE_LIMIT_WINDOW", w, 1, 3600) : 60;
            var requests = ParseInt("RATE_LIMIT_PER_IP", perIp, 1, 1_000_000);
            s.RateLimiting.GlobalRequestsPerMinute = (int)Math.Max(1, Math.Round(requests * 60.0 / window));
        }

        if (Get("CORS_ALLOWED_ORIGINS") is { } origins)
        {
            s.Cors.AllowedOrigins = [.. origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            s.Cors.Enabled = s.Cors.AllowedOrigins.Count > 0;
        }

        if (Get("MAX_REQUEST_SIZE_MB") is { } maxSize)
        {
            s.HttpApi.MaxRequestSizeMb = double.TryParse(maxSize, NumberStyles.Float, CultureInfo.InvariantCulture, out var mb) && mb > 0 && mb <= 1024
                ? mb
                : throw new SecurityConfigurationException("MAX_REQUEST_SIZE_MB", "MAX_REQUEST_SIZE_MB", $"'{maxSize}' is not a size in MB between 0 and 1024");
        }

        if (Get("AUDIT_LOG_ENABLED") is { } audit)
        {
            s.Audit.Enabled = ParseBool("AUDIT_LOG_ENABLED", audit);
        }

        if (Get("AUDIT_LOG_PATH") is { } auditPath)
        {
            s.Audit.Path = auditPath;
        }

        if (Get("AUDIT_LOG_RETENTION_DAYS") is { } retention)
        {
            s.Audit.RetentionDays = ParseInt("AUDIT_LOG_RETENTION_DAYS", retention, 1, 3650);
        }

        if (Get("ENABLE_DEBUG_ENDPOINTS") is { } debug)
        {
            s.Debug.EnableDebugEndpoints = ParseBool("ENABLE_DEBUG_ENDPOINTS", debug);
        }
    }

    /// <summary><c>REDIS_URL</c> (<c>redis://[user:password@]host[:port][/db]</c>, <c>rediss://</c> for TLS), else <c>REDIS_HOST</c> [+ <c>REDIS_PORT</c>, <c>REDIS_PASSWORD</c>].</summary>
    private static RedisSettings? ParseRedis(Func<string, string?> get)
    {
        if (get("REDIS_URL") is { } url)
        {
            // The message names the variable, never its value: it may hold a password.
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
            {
                throw new SecurityConfigurationException("REDIS_URL", "REDIS_URL", "must look like redis://[:password@]host[:port][/db] (or rediss:// for TLS)");
            }

            string? user = null, password = null;
            if (uri.UserInfo.Length > 0)
            {
                var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
                user = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[..colon]) is { Length: > 0 } u ? u : null;
                password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
            }

            var path = uri.AbsolutePath.Trim('/');
            var database = path.Length == 0 ? 0 : int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db) && db < 16
                ? db
                : throw new SecurityConfigurationException("REDIS_URL", "REDIS_URL", "the path must be a database number 0-15");
            return new RedisSettings(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port, user, get("REDIS_PASSWORD") ?? password, uri.Scheme == "rediss", database);
        }

        if (get("REDIS_HOST") is { } host)
        {
            var port = get("REDIS_PORT") is { } p ? ParseInt("REDIS_PORT", p, 1, 65535) : 6379;
            return new RedisSettings(host, port, null, get("REDIS_PASSWORD"), false, 0);
        }

        return null;
    }

    private static void Validate(SecuritySettings s, string environmentFile, string securityFile)
    {
        void Require(bool ok, string file, string key, string problem)
        {
            if (!ok)
            {
                throw new SecurityConfigurationException(file, key, problem);
            }
        }

        Require(s.HttpApi.MaxRequestSizeMb is > 0 and <= 1024, environmentFile, "http_api.max_request_size_mb", "must be between 0 and 1024");
        Require(s.HttpApi.RequestTimeoutMs is >= 100 and <= 600_000, environmentFile, "http_api.request_timeout_ms", "must be between 100 and 600000");
        Require(s.HttpApi.MaxConnections is >= 1 and <= 100_000, environmentFile, "http_api.max_connections", "must be between 1 and 100000");
        Require(s.HttpApi.MaxConnectionsPerClient is >= 1 and <= 100_000, environmentFile, "http_api.max_connections_per_client", "must be between 1 and 100000");
        Require(s.HttpApi.RequestHeadersTimeoutMs is >= 100 and <= 600_000, environmentFile, "http_api.request_headers_timeout_ms", "must be between 100 and 600000");
        Require(s.HttpApi.KeepAliveTimeoutMs is >= 1_000 and <= 3_600_000, environmentFile, "http_api.keep_alive_timeout_ms", "must be between 1000 and 3600000");
        Require(s.HttpApi.MinRequestBodyBytesPerSecond is >= 0 and <= 1_000_000_000, environmentFile, "http_api.min_request_body_bytes_per_second", "must be between 0 and 1000000000");
        Require(s.HttpApi.MaxConcurrentRequests is >= 1 and <= 100_000, environmentFile, "http_api.max_concurrent_requests", "must be between 1 and 100000");
        Require(s.HttpApi.RequestQueueLimit is >= 0 and <= 1_000_000, environmentFile, "http_api.request_queue_limit", "must be between 0 and 1000000");
        Require(s.HttpApi.RequestQueueTimeoutMs is >= 0 and <= 60_000, environmentFile, "http_api.request_queue_timeout_ms", "must be between 0 and 60000");
        Require(s.Audit.RetentionDays is >= 1 and <= 3650, environmentFile, "audit.retention_days", "must be between 1 and 3650");
        Require(s.Audit.MaxFileSizeMb is > 0 and <= 10_240, environmentFile, "audit.max_file_size_mb", "must be between 0 and 10240");
        Require(s.Cors.AllowedOrigins.All(o => Uri.TryCreate(o, UriKind.Absolute, out _)), environmentFile, "cors.allowed_origins", "every origin must be an absolute URL");
        Require(s.TrustedProxies.All(p => RateLimiting.ClientAddress.TryParseProxy(p, out _)), environmentFile, "trusted_proxies", "every entry must be an IP address or a CIDR range (10.0.0.0/8)");

        var auth = s.Authentication;
        Require(auth.TokenExpirySeconds is >= 60, securityFile, "authentication.token_expiry_seconds", "must be at least 60");
        Require(auth.MaxTokenExpirySeconds >= auth.TokenExpirySeconds, securityFile, "authentication.max_token_expiry_seconds", "must be at least token_expiry_seconds");
        Require(auth.KeyRotationGraceMinutes is >= 0 and <= 10_080, securityFile, "authentication.key_rotation_grace_minutes", "must be between 0 and 10080");
        Require(auth.SessionTimeoutMinutes is >= 0, securityFile, "authentication.session_timeout_minutes", "must not be negative");
        Require(auth.MaxConcurrentSessions is >= 0, securityFile, "authentication.max_concurrent_sessions", "must not be negative");

        var rate = s.RateLimiting;
        Require(rate.GlobalRequestsPerMinute >= 1, securityFile, "rate_limiting.global_requests_per_minute", "must be at least 1");
        Require(rate.DefaultRequestsPerMinute >= 1, securityFile, "rate_limiting.default_requests_per_minute", "must be at least 1");
        Require(rate.BurstMultiplier is >= 1 and <= 100, securityFile, "rate_limiting.burst_multiplier", "must be between 1 and 100");
        Require(rate.BanDurationMinutes >= 0, securityFile, "rate_limiting.ban_duration_minutes", "must not be negative");
        Require(rate.BanAfterViolations >= 1, securityFile, "rate_limiting.ban_after_violations", "must be at least 1");
        Require(rate.ViolationWindowMinutes >= 1, securityFile, "rate_limiting.violation_window_minutes", "must be at least 1");
        foreach (var (path, limit) in rate.PerEndpointLimits)
        {
            Require(path.StartsWith('/') && limit >= 0, securityFile, $"rate_limiting.per_endpoint_limits.{path}", "keys are paths starting with '/' and limits are 0 (off) or more");
        }
    }

    private static void ApplyProductionGates(SecuritySettings s, Func<string, string?> variables, bool enforceSecrets)
    {
        var enableApi = variables("GODOT_ENABLE_HTTP_API");
        if (enableApi is { Length: > 0 })
        {
            s.HttpApi.Enabled = ParseBool("GODOT_ENABLE_HTTP_API", enableApi);
        }
        else if (s.IsProduction)
        {
            // The documents' release-build rule: the API stays off unless asked for explicitly.
            s.HttpApi.Enabled = false;
        }

        if (!s.IsProduction)
        {
            return;
        }

        s.Debug.EnableDebugEndpoints = false;
        s.Cors.Enabled = s.Cors.Enabled && s.Cors.AllowedOrigins.Count > 0;
        if (!s.Authentication.Enabled)
        {
            throw new SecurityConfigurationException("AUTH_REQUIRED", "AUTH_REQUIRED", "authentication cannot be turned off in production");
        }

        if (enforceSecrets && SecretProblems(s) is [var first, ..])
        {
            throw first;
        }
    }

    /// <summary>
    /// What is wrong with the secrets: placeholders or values shorter than <see cref="MinimumSecretBytes"/> anywhere;
    /// in production also a missing <c>JWT_SECRET_KEY</c>. Empty when they are fine.
    /// </summary>
    public static IReadOnlyList<SecurityConfigurationException> SecretProblems(SecuritySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new List<SecurityConfigurationException>();
        void Check(string name, string? value, bool required)
        {
            if (value is null)
            {
                if (required)
                {
                    problems.Add(new SecurityConfigurationException(name, name, "is required in production (generate one with: openssl rand -hex 32)"));
                }
            }
            else if (IsPlaceholder(value))
            {
                problems.Add(new SecurityConfigurationException(name, name, "is a placeholder; set a real secret (openssl rand -hex 32)"));
            }
            else if (Encoding.UTF8.GetByteCount(value) < MinimumSecretBytes)
            {
                problems.Add(new SecurityConfigurationException(name, name, $"is shorter than {MinimumSecretBytes} bytes"));
            }
        }

        var auth = settings.Authentication;
        Check("JWT_SECRET_KEY", auth.JwtSecretKey, required: settings.IsProduction);
        Check("API_TOKEN", auth.ApiToken, required: false);
        Check("METRICS_TOKEN", auth.MetricsToken, required: false);
        return problems;
    }

    private static bool ParseBool(string name, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw new SecurityConfigurationException(name, name, $"'{value}' is not true/false"),
    };

    private static int ParseInt(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new SecurityConfigurationException(name, name, $"'{value}' is not a whole number between {min} and {max}");

    private sealed class EnvironmentFile
    {
        public string? Description { get; set; }

        public HttpApiSettings? HttpApi { get; set; }

        public CorsSettings? Cors { get; set; }

        public AuditSettings? Audit { get; set; }

        public DebugSettings? Debug { get; set; }

        public List<string>? TrustedProxies { get; set; }
    }

    private sealed class SecurityFile
    {
        public string? Description { get; set; }

        public AuthenticationSettings? Authentication { get; set; }

        public RateLimitSettings? RateLimiting { get; set; }
    }
}
