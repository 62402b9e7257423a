using System.Globalization;
using System.Text;

namespace SpaceTime.Security;

/// <summary>Invalid configuration: names the file (or environment variable) and the key.</summary>
public sealed class SecurityConfigurationException(string source, string key, string problem)
    : Exception($"{source}: {key}: {problem}")
{
    public string ConfigSource { get; } = source;

    public string Key { get; } = key;
}

/// <summary>
/// Loads <see cref="SecuritySettings"/> through <see cref="Configuration.ConfigurationLoader"/> (files, environment
/// variables, flags) and holds the production gates and secret rules. Unknown keys, wrong types and unsafe values
/// stop start-up with the file or variable and the key named.
/// </summary>
public static class SecurityConfiguration
{
    public const int MinimumSecretBytes = 32;

    public static readonly IReadOnlyList<string> Environments = ["production", "staging", "development", "test"];

    /// <param name="configDir">The config folder.</param>
    /// <param name="environment">production, staging, development or test.</param>
    /// <param name="variables">Environment variables (or any key lookup standing in for them).</param>
    /// <param name="enforceSecrets">
    /// False only for checks that report secret problems separately (<see cref="SecretProblems"/>); servers always enforce them.
    /// </param>
    public static SecuritySettings Load(string configDir, string environment, Func<string, string?> variables, bool enforceSecrets = true) =>
        Configuration.ConfigurationLoader.Load(configDir, environment, variables, enforceSecrets: enforceSecrets).Settings;

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

    /// <summary><c>REDIS_URL</c> (<c>redis://[user:password@]host[:port][/db]</c>, <c>rediss://</c> for TLS), else <c>REDIS_HOST</c> [+ <c>REDIS_PORT</c>, <c>REDIS_PASSWORD</c>].</summary>
    internal static RedisSettings? ParseRedis(Func<string, string?> get)
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

    internal static void ApplyProductionGates(SecuritySettings s, Func<string, string?> variables, bool enforceSecrets)
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

    private static bool ParseBool(string name, string value) => Configuration.Parse.Bool(name, value);

    private static int ParseInt(string name, string value, int min, int max) => Configuration.Parse.Int(name, value, min, max);
}
