using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SpaceTime.Security.Configuration;

/// <summary>
/// The one configuration model: <see cref="SecuritySettings"/> built from its defaults, then <c>config/&lt;env&gt;.json</c>,
/// <c>security_&lt;env&gt;.json</c>, <c>performance_&lt;env&gt;.json</c>, then the environment variables of
/// <see cref="EnvironmentVariableTable"/>, then flags (later wins), each value remembering its source. Unknown keys
/// (with a "did you mean" when close to a known one), wrong types and unsafe values stop start-up naming the file or
/// variable and the key. (<c>scene_whitelist.json</c> is read by the runtime's <c>SceneWhitelist</c>, after these.)
/// </summary>
public static class ConfigurationLoader
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The files read for <paramref name="environment"/>, in order, and the top-level sections each may hold.</summary>
    public static IReadOnlyList<(string File, IReadOnlyList<string> Sections)> Files(string environment) =>
    [
        ($"{environment}.json", ["http_api", "cors", "audit", "debug", "trusted_proxies", "logging", "performance"]),
        ($"security_{environment}.json", ["authentication", "rate_limiting", "authorization"]),
        ($"performance_{environment}.json", ["godot", "optimization"]),
    ];

    /// <param name="configDir">The config folder.</param>
    /// <param name="environment">production, staging, development or test.</param>
    /// <param name="variables">Environment variables (or any lookup standing in for them).</param>
    /// <param name="flags">Command-line values by key (<c>--set http_api.max_connections=50</c>); they win over everything.</param>
    /// <param name="enforceSecrets">False only for checks that report secret problems separately; servers always enforce them.</param>
    public static EffectiveConfiguration Load(
        string configDir, string environment, Func<string, string?> variables,
        IReadOnlyDictionary<string, string>? flags = null, bool enforceSecrets = true)
    {
        if (!SecurityConfiguration.Environments.Contains(environment))
        {
            throw new SecurityConfigurationException("GODOT_ENV / --environment", "environment", $"'{environment}' is not one of {string.Join(", ", SecurityConfiguration.Environments)}");
        }

        string? Get(string name) => variables(name) is { Length: > 0 } v ? v : null;
        var warnings = new List<string>();
        var values = Defaults();
        var filesRead = new List<string>();
        var files = Files(environment);
        foreach (var (name, sections) in files)
        {
            var path = Path.Combine(configDir, name);
            if (ReadFile(path, sections, files) is { } root)
            {
                filesRead.Add(path);
                Overlay(values, root, ConfigurationSource.File(path));
            }
        }

        var environmentFile = Path.Combine(configDir, files[0].File);
        if (!File.Exists(environmentFile))
        {
            // Production must not run on defaults by accident; elsewhere the defaults are safe, and said so.
            if (environment == "production")
            {
                throw new SecurityConfigurationException(environmentFile, "$", "the file is missing; production does not start on built-in defaults (copy config/production.json from the package)");
            }

            warnings.Add($"{environmentFile} is missing: the built-in defaults apply (1 MB requests, 30 s timeout, 100 connections, CORS off, audit on, debug endpoints on; spacetime config show lists them)");
        }

        ApplyVariables(values, variables, warnings);
        foreach (var (key, value) in flags ?? new Dictionary<string, string>())
        {
            values[key] = new Entry(ToJson(key, value, $"--set {key}"), ConfigurationSource.Flag("--set"));
        }

        var settings = Bind(values);
        settings.Environment = environment;
        settings.Authentication.ApiToken = Get("API_TOKEN");
        settings.Authentication.JwtSecretKey = Get("JWT_SECRET_KEY");
        settings.Authentication.MetricsToken = Get("METRICS_TOKEN");
        settings.ProxySecret = Get("SPACETIME_PROXY_SECRET");
        settings.ProxySocket = Get("SPACETIME_PROXY_SOCKET");
        settings.Redis = SecurityConfiguration.ParseRedis(Get);
        settings.SceneWhitelist = Get("SCENE_WHITELIST") is { } scenes ? scenes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
        if (values["cors.allowed_origins"].Source.Kind == "env" && values["cors.enabled"].Source.Kind != "env")
        {
            // CORS_ALLOWED_ORIGINS alone turns CORS on (off when empty), as before HTTP_API_ENABLE_CORS was read.
            settings.Cors.Enabled = settings.Cors.AllowedOrigins.Count > 0;
        }

        Validate(settings, values, environmentFile);
        SecurityConfiguration.ApplyProductionGates(settings, variables, enforceSecrets);
        warnings.AddRange(EnvironmentVariableTable.IgnoredWarnings(variables));
        warnings.AddRange(Unused(settings, values));
        settings.Warnings = warnings;
        if (Get("ENVIRONMENT") is { } alias && Get("GODOT_ENV") is { } godotEnv && alias != godotEnv)
        {
            warnings.Add($"ENVIRONMENT={alias} is ignored: GODOT_ENV={godotEnv} is set and wins");
        }

        var described = Describe(values, variables);
        described.Add(new ConfigurationValue("environment", Parse.Text(environment),
            new[] { "GODOT_ENV", "ENVIRONMENT" }.FirstOrDefault(v => Get(v) == environment) is { } chosenBy ? ConfigurationSource.Variable(chosenBy)
            : environment == "development" ? ConfigurationSource.Default : ConfigurationSource.Flag("--environment")));
        return new EffectiveConfiguration(settings, described, filesRead);
    }

    /// <summary>Parses <c>--set key=value</c> flags; a malformed one is an error naming the flag.</summary>
    public static IReadOnlyDictionary<string, string> ParseFlags(IEnumerable<string>? sets)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var set in sets ?? [])
        {
            var equals = set.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new SecurityConfigurationException("--set", set, "must look like key=value (e.g. --set http_api.max_connections=50)");
            }

            flags[set[..equals].Trim()] = set[(equals + 1)..].Trim();
        }

        return flags;
    }

    /// <summary>Edit distance (Levenshtein) of two keys, for "did you mean".</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="key"/> when it is close enough to be a typo.</summary>
    public static string? Suggest(string key, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (Key: c, Distance: Distance(key, c))).OrderBy(c => c.Distance).ThenBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault();
        return best.Key is not null && best.Distance <= Math.Max(2, key.Length / 3) ? best.Key : null;
    }

    private sealed record Entry(JsonNode? Value, ConfigurationSource Source);

    private static Dictionary<string, Entry> Defaults()
    {
        var root = JsonSerializer.SerializeToNode(new SecuritySettings(), Json)!.AsObject();
        return Schema.Leaves.Keys.ToDictionary(k => k, k => new Entry(Find(root, k)?.DeepClone(), ConfigurationSource.Default), StringComparer.Ordinal);
    }

    private static JsonNode? Find(JsonObject root, string key)
    {
        JsonNode? node = root;
        foreach (var part in key.Split('.'))
        {
            node = node?[part];
        }

        return node;
    }

    private static JsonObject? ReadFile(string path, IReadOnlyList<string> sections, IReadOnlyList<(string File, IReadOnlyList<string> Sections)> files)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new SecurityConfigurationException(path, string.IsNullOrEmpty(e.Path) ? "$" : e.Path.TrimStart('$', '.'),
                $"not valid JSON at line {(e.LineNumber ?? 0) + 1} ({FirstSentence(e.Message)})");
        }

        if (root is not JsonObject obj)
        {
            throw new SecurityConfigurationException(path, "$", "the file must hold one JSON object");
        }

        foreach (var (name, node) in obj)
        {
            if (name == "description")
            {
                continue;
            }

            if (!sections.Contains(name))
            {
                var home = files.FirstOrDefault(f => f.Sections.Contains(name)).File;
                throw new SecurityConfigurationException(path, name, home is not null
                    ? $"unknown key here: '{name}' belongs in {home}"
                    : UnknownKey(name, sections));
            }

            Check(path, name, node);
        }

        return obj;
    }

    /// <summary>Checks one key of a file against the model: a section (recursed), a leaf of the right type, or an error.</summary>
    private static void Check(string file, string key, JsonNode? node)
    {
        if (Schema.Leaves.TryGetValue(key, out var type))
        {
            CheckType(file, key, node, type);
            return;
        }

        if (Schema.Sections.Contains(key))
        {
            if (node is not JsonObject section)
            {
                throw new SecurityConfigurationException(file, key, "invalid value (expected an object of settings)");
            }

            foreach (var (name, child) in section)
            {
                Check(file, $"{key}.{name}", child);
            }

            return;
        }

        if (EnvironmentVariableTable.All.FirstOrDefault(v => v.Key == key && v.Use == VariableUse.Secret) is { } secret)
        {
            throw new SecurityConfigurationException(file, key, $"secrets are not read from files; set the {secret.Name} environment variable");
        }

        var parent = key.Contains('.', StringComparison.Ordinal) ? key[..key.LastIndexOf('.')] : "";
        var siblings = Schema.Leaves.Keys.Concat(Schema.Sections).Where(k => k.StartsWith(parent + ".", StringComparison.Ordinal) && !k[(parent.Length + 1)..].Contains('.', StringComparison.Ordinal));
        throw new SecurityConfigurationException(file, key, UnknownKey(key, siblings));
    }

    private static string UnknownKey(string key, IEnumerable<string> candidates)
    {
        var name = key[(key.LastIndexOf('.') + 1)..];
        var suggestion = Suggest(name, candidates.Select(c => c[(c.LastIndexOf('.') + 1)..]));
        return suggestion is null ? "unknown key" : $"unknown key (did you mean '{suggestion}'?)";
    }

    private static void CheckType(string origin, string key, JsonNode? node, Type type)
    {
        if (node is null)
        {
            throw new SecurityConfigurationException(origin, key, "invalid value (null)");
        }

        try
        {
            _ = node.Deserialize(type, Json);
        }
        catch (JsonException e)
        {
            throw new SecurityConfigurationException(origin, key, $"invalid value {node.ToJsonString()} (expected {Describe(type)}; {FirstSentence(e.Message)})");
        }
    }

    private static string Describe(Type type) =>
        type == typeof(bool) ? "true or false"
        : type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(double) ? "a number"
        : type == typeof(string) ? "a string"
        : typeof(IDictionary).IsAssignableFrom(type) ? "an object"
        : typeof(IEnumerable).IsAssignableFrom(type) ? "a list"
        : type.Name;

    private static void Overlay(Dictionary<string, Entry> values, JsonObject root, ConfigurationSource source)
    {
        foreach (var key in Schema.Leaves.Keys)
        {
            if (Find(root, key) is { } node)
            {
                values[key] = new Entry(node.DeepClone(), source);
            }
        }
    }

    private static void ApplyVariables(Dictionary<string, Entry> values, Func<string, string?> variables, List<string> warnings)
    {
        foreach (var variable in EnvironmentVariableTable.All.Where(v => v.Use == VariableUse.Setting && Schema.Leaves.ContainsKey(v.Key)))
        {
            if (variables(variable.Name) is not { Length: > 0 } text)
            {
                continue;
            }

            var value = variable.Convert is { } convert ? convert(text, variables) is { } json ? JsonNode.Parse(json) : null : ToJson(variable.Key, text, variable.Name);
            if (value is null)
            {
                warnings.Add($"{variable.Name} is ignored: {variable.Description}");
                continue;
            }

            values[variable.Key] = new Entry(value, ConfigurationSource.Variable(variable.Name));
        }
    }

    /// <summary>Text of a variable or flag as the key's JSON value; a value of the wrong type names the variable.</summary>
    private static JsonNode ToJson(string key, string text, string origin)
    {
        var type = Schema.Leaves.TryGetValue(key, out var t) ? t : throw new SecurityConfigurationException(origin, key, UnknownKey(key, Schema.Leaves.Keys));
        var json = type == typeof(bool) ? Parse.Text(Parse.Bool(origin, text))
            : type == typeof(int) ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? Parse.Text(n)
                : throw new SecurityConfigurationException(origin, key, $"'{text}' is not a whole number")
            : type == typeof(double) ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? Parse.Text(d)
                : throw new SecurityConfigurationException(origin, key, $"'{text}' is not a number")
            : type == typeof(string) ? Parse.Text(text)
            : typeof(IList).IsAssignableFrom(type) ? Parse.List(text)
            : throw new SecurityConfigurationException(origin, key, "cannot be set from the environment or a flag; set it in the file");
        return JsonNode.Parse(json)!;
    }

    private static SecuritySettings Bind(Dictionary<string, Entry> values)
    {
        var root = new JsonObject();
        foreach (var (key, entry) in values)
        {
            var parts = key.Split('.');
            var parent = root;
            foreach (var part in parts[..^1])
            {
                parent = parent[part] as JsonObject ?? (JsonObject)(parent[part] = new JsonObject());
            }

            parent[parts[^1]] = entry.Value?.DeepClone();
        }

        return root.Deserialize<SecuritySettings>(Json)!;
    }

    /// <summary>Range and consistency checks, each naming where the offending value came from.</summary>
    private static void Validate(SecuritySettings s, Dictionary<string, Entry> values, string environmentFile)
    {
        void Require(bool ok, string key, string problem)
        {
            if (!ok)
            {
                var entry = values[key];
                var origin = entry.Source.Kind == "default" ? environmentFile : entry.Source.Origin;
                throw new SecurityConfigurationException(origin, key, $"{problem} (got {entry.Value?.ToJsonString()})");
            }
        }

        Require(s.HttpApi.MaxRequestSizeMb is > 0 and <= 1024, "http_api.max_request_size_mb", "must be between 0 and 1024");
        Require(s.HttpApi.RequestTimeoutMs is >= 100 and <= 600_000, "http_api.request_timeout_ms", "must be between 100 and 600000");
        Require(s.HttpApi.MaxConnections is >= 1 and <= 100_000, "http_api.max_connections", "must be between 1 and 100000");
        Require(s.HttpApi.MaxConnectionsPerClient is >= 1 and <= 100_000, "http_api.max_connections_per_client", "must be between 1 and 100000");
        Require(s.HttpApi.RequestHeadersTimeoutMs is >= 100 and <= 600_000, "http_api.request_headers_timeout_ms", "must be between 100 and 600000");
        Require(s.HttpApi.KeepAliveTimeoutMs is >= 1_000 and <= 3_600_000, "http_api.keep_alive_timeout_ms", "must be between 1000 and 3600000");
        Require(s.HttpApi.MinRequestBodyBytesPerSecond is >= 0 and <= 1_000_000_000, "http_api.min_request_body_bytes_per_second", "must be between 0 and 1000000000");
        Require(s.HttpApi.MaxConcurrentRequests is >= 1 and <= 100_000, "http_api.max_concurrent_requests", "must be between 1 and 100000");
        Require(s.HttpApi.RequestQueueLimit is >= 0 and <= 1_000_000, "http_api.request_queue_limit", "must be between 0 and 1000000");
        Require(s.HttpApi.RequestQueueTimeoutMs is >= 0 and <= 60_000, "http_api.request_queue_timeout_ms", "must be between 0 and 60000");
        Require(s.Audit.RetentionDays is >= 1 and <= 3650, "audit.retention_days", "must be between 1 and 3650");
        Require(s.Audit.MaxFileSizeMb is > 0 and <= 10_240, "audit.max_file_size_mb", "must be between 0 and 10240");
        Require(s.Cors.AllowedOrigins.All(o => Uri.TryCreate(o, UriKind.Absolute, out _)), "cors.allowed_origins", "every origin must be an absolute URL");
        Require(s.Cors.AllowedMethods.All(m => m.Length > 0 && m.All(char.IsAsciiLetterUpper)), "cors.allowed_methods", "every method must be an HTTP method in capitals (GET, POST...)");
        Require(!(s.Cors.AllowCredentials && s.Cors.AllowedOrigins.Contains("*")), "cors.allow_credentials", "cannot be true with the origin '*'");
        Require(s.TrustedProxies.All(p => RateLimiting.ClientAddress.TryParseProxy(p, out _)), "trusted_proxies", "every entry must be an IP address or a CIDR range (10.0.0.0/8)");
        Require(LogLevels.TryParse(s.Logging.Level, out _), "logging.level", "must be one of error, warn, info, debug (or trace, critical, none)");
        Require(s.Performance.Timeouts.SceneLoadTimeoutSeconds is >= 1 and <= 3600, "performance.timeouts.scene_load_timeout_seconds", "must be between 1 and 3600");
        Require(s.Godot.PhysicsFps is 0 or (>= 1 and <= 1000), "godot.physics_fps", "must be between 1 and 1000 (0: the project's rate)");

        var auth = s.Authentication;
        Require(auth.TokenExpirySeconds is >= 60 and <= 30 * 24 * 3600, "authentication.token_expiry_seconds", "must be between 60 and 2592000");
        Require(auth.MaxTokenExpirySeconds >= auth.TokenExpirySeconds, "authentication.max_token_expiry_seconds", "must be at least token_expiry_seconds");
        Require(auth.KeyRotationGraceMinutes is >= 0 and <= 10_080, "authentication.key_rotation_grace_minutes", "must be between 0 and 10080");
        Require(auth.SessionTimeoutMinutes is >= 0, "authentication.session_timeout_minutes", "must not be negative");
        Require(auth.MaxConcurrentSessions is >= 0, "authentication.max_concurrent_sessions", "must not be negative");
        Require(auth.TokenRotationIntervalHours is > 0 and <= 8760, "authentication.token_rotation_interval_hours", "must be more than 0 and at most 8760 (a year)");
        Require(!s.IsProduction || !auth.TokenRotationEnabled || auth.TokenRotationIntervalHours >= 1, "authentication.token_rotation_interval_hours", "must be at least 1 in production");
        Require(Authentication.Roles.IsValid(s.Authorization.DefaultRole), "authorization.default_role", $"must be one of {string.Join(", ", Authentication.Roles.All)}");
        Require(!s.IsProduction || s.Authorization.RbacEnabled, "authorization.rbac_enabled", "cannot be false in production");
        Require(!s.IsProduction || s.Authorization.EnforcePermissions, "authorization.enforce_permissions", "cannot be false in production");

        var rate = s.RateLimiting;
        Require(rate.GlobalRequestsPerMinute >= 1, "rate_limiting.global_requests_per_minute", "must be at least 1");
        Require(rate.DefaultRequestsPerMinute >= 1, "rate_limiting.default_requests_per_minute", "must be at least 1");
        Require(rate.BurstMultiplier is >= 1 and <= 100, "rate_limiting.burst_multiplier", "must be between 1 and 100");
        Require(rate.BanDurationMinutes >= 0, "rate_limiting.ban_duration_minutes", "must not be negative");
        Require(rate.BanAfterViolations >= 1, "rate_limiting.ban_after_violations", "must be at least 1");
        Require(rate.ViolationWindowMinutes >= 1, "rate_limiting.violation_window_minutes", "must be at least 1");
        foreach (var (path, limit) in rate.PerEndpointLimits)
        {
            if (!path.StartsWith('/') || limit < 0)
            {
                throw new SecurityConfigurationException(values["rate_limiting.per_endpoint_limits"].Source.Origin, $"rate_limiting.per_endpoint_limits.{path}", "keys are paths starting with '/' and limits are 0 (off) or more");
            }
        }
    }

    /// <summary>What the files ask for that a headless runtime has no use for: one line per file naming the keys.</summary>
    private static IEnumerable<string> Unused(SecuritySettings s, Dictionary<string, Entry> values)
    {
        if (!s.Authentication.RequireTokenHeader)
        {
            yield return $"{Origin(values, "authentication.require_token_header")}: authentication.require_token_header=false is ignored: tokens are only taken from the Authorization header (URLs end up in logs)";
        }

        if (s.Authentication.AllowLegacyTokens)
        {
            yield return $"{Origin(values, "authentication.allow_legacy_tokens")}: authentication.allow_legacy_tokens=true is ignored: SpaceTime accepts only its own JWTs and API_TOKEN";
        }

        if (!s.Authorization.RoleInheritanceEnabled)
        {
            yield return $"{Origin(values, "authorization.role_inheritance_enabled")}: authorization.role_inheritance_enabled=false is ignored: roles always include the ones below them";
        }

        var rendering = values.Where(v => v.Value.Source.Kind != "default" && (v.Key.StartsWith("optimization.", StringComparison.Ordinal) || (v.Key.StartsWith("godot.", StringComparison.Ordinal) && v.Key != "godot.physics_fps")))
            .GroupBy(v => v.Value.Source.Origin);
        foreach (var group in rendering)
        {
            yield return $"{group.Key}: {string.Join(", ", group.Select(v => v.Key))} ignored: a headless runtime renders nothing (godot.physics_fps sets the simulation rate)";
        }
    }

    private static string Origin(Dictionary<string, Entry> values, string key) => values[key].Source.Origin;

    /// <summary>Every key with its value and source; secrets and connection strings only as set/unset.</summary>
    private static List<ConfigurationValue> Describe(Dictionary<string, Entry> values, Func<string, string?> variables)
    {
        var result = values.Select(p => new ConfigurationValue(p.Key, p.Value.Value?.ToJsonString() ?? "null", p.Value.Source)).ToList();
        foreach (var group in EnvironmentVariableTable.All.Where(v => v.Use is VariableUse.Setting or VariableUse.Secret && !Schema.Leaves.ContainsKey(v.Key) && v.Key != "environment").GroupBy(v => v.Key))
        {
            var set = group.LastOrDefault(v => variables(v.Name) is { Length: > 0 });
            var secret = group.Any(v => v.Use == VariableUse.Secret);
            result.Add(set is null
                ? new ConfigurationValue(group.Key, "null", ConfigurationSource.Default)
                : new ConfigurationValue(group.Key, secret ? "\"***\"" : Parse.Text(variables(set.Name)!), ConfigurationSource.Variable(set.Name), secret));
        }

        return result;
    }

    private static string FirstSentence(string message)
    {
        var dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message;
    }

    /// <summary>The keys of <see cref="SecuritySettings"/>, by reflection over its properties (snake_case, secrets excluded).</summary>
    private static class Schema
    {
        public static readonly Dictionary<string, Type> Leaves = new(StringComparer.Ordinal);

        public static readonly HashSet<string> Sections = new(StringComparer.Ordinal);

        static Schema() => Walk(typeof(SecuritySettings), "");

        private static void Walk(Type type, string prefix)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!property.CanWrite || property.GetCustomAttribute<JsonIgnoreAttribute>() is not null)
                {
                    continue;
                }

                var key = prefix + JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
                var t = property.PropertyType;
                if (t.IsClass && t != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(t))
                {
                    Sections.Add(key);
                    Walk(t, key + ".");
                }
                else
                {
                    Leaves[key] = t;
                }
            }
        }
    }
}
