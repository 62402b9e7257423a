using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SpaceTime.Engine.Validation;
using SpaceTime.Runtime.Telemetry;
using SpaceTime.Runtime.Whitelist;
using SpaceTime.Security;

namespace SpaceTime.Operations.HealthChecks;

/// <summary>
/// The deployment health check (<c>spacetime health-check</c>): local checks of the installation — configuration,
/// scene whitelist, project scenes, data dir, disk space, secrets — then checks of the running servers — the game
/// API's /health and /status, that it refuses requests without a token, the telemetry WebSocket handshake, the
/// manager's /health and the metrics endpoint. Each check is independent: one failing never hides the others.
/// </summary>
public sealed class HealthCheckRunner(HealthCheckOptions options, HttpMessageHandler? handler = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Called after each check, for progress output.</summary>
    public event Action<HealthCheckResult>? Checked;

    public async Task<HealthCheckReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var results = new List<HealthCheckResult>();
        SecuritySettings? settings = null;

        void Add(HealthCheckResult result)
        {
            results.Add(result);
            Checked?.Invoke(result);
        }

        Add(Run("Configuration Files Valid", () =>
        {
            settings = SecurityConfiguration.Load(options.ConfigDir, options.Environment, options.Variables, enforceSecrets: false);
            return Pass($"{options.Environment}.json and security_{options.Environment}.json are valid", ("config_dir", options.ConfigDir), ("environment", options.Environment));
        }));
        Add(Run("Scene Whitelist Valid", () =>
        {
            var whitelist = new SceneWhitelist(Path.Combine(options.ConfigDir, "scene_whitelist.json"), options.Environment);
            return Pass(whitelist.Summary, ("file", whitelist.File));
        }));
        Add(Run("Project Scenes Parse", () => CheckProject()));
        Add(Run("Data Directory Writable", () => CheckDataDir()));
        Add(Run("Disk Space", () => CheckDiskSpace()));
        Add(Run("Production Secrets", () => CheckSecrets(settings)));

        using var http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null) { Timeout = options.Timeout };
        (string Name, Func<Task<HealthCheckResult>> Check)[] remote =
        [
            ("Game API Health", () => CheckHealthAsync(http, options.ApiUrl, cancellationToken)),
            ("Game API Status", () => CheckStatusAsync(http, cancellationToken)),
            ("Authentication Enforced", () => CheckAuthEnforcedAsync(http, cancellationToken)),
            ("Telemetry Handshake", () => CheckTelemetryAsync(cancellationToken)),
            ("Manager Health", () => CheckHealthAsync(http, options.ManagerUrl, cancellationToken)),
            ("Metrics Endpoint", () => CheckMetricsAsync(http, cancellationToken)),
        ];
        foreach (var (name, check) in remote)
        {
            Add(options.SkipHttp ? Result(name, CheckStatus.Skip, "skipped (--skip-http)") : await RunAsync(name, check, cancellationToken));
        }

        return new HealthCheckReport(started, Math.Round(clock.Elapsed.TotalSeconds, 3), results);
    }

    private HealthCheckResult CheckProject()
    {
        var report = SceneValidator.Validate([options.ProjectPath]);
        var details = Details(("project", options.ProjectPath), ("scenes", report.Scenes), ("projects", report.Projects), ("errors", report.Errors), ("warnings", report.Warnings));
        if (report.Projects == 0)
        {
            return Fail($"no project.godot under {options.ProjectPath}", details);
        }

        if (report.Errors > 0)
        {
            details["problems"] = report.Problems.Where(p => p.Severity == ProblemSeverity.Error).Take(20).Select(p => p.ToString()).ToList();
            return Fail($"{report.Errors} of {report.FilesChecked} files have errors; first: {report.Problems.First(p => p.Severity == ProblemSeverity.Error)}", details);
        }

        return report.Warnings > 0
            ? Warn($"{report.Scenes} scenes parse, with {report.Warnings} warnings", details)
            : Pass($"{report.Scenes} scenes and {report.Projects} project file parse", details);
    }

    private HealthCheckResult CheckDataDir()
    {
        // Checked, never created: a folder made here (perhaps as root) could hide that the service user cannot write it.
        if (!Directory.Exists(options.DataDir))
        {
            return Fail($"{options.DataDir} does not exist (create it owned by the service user, or start the server once)", ("data_dir", options.DataDir));
        }

        var probe = Path.Combine(options.DataDir, $".health-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(probe, "ok");
            return File.ReadAllText(probe) == "ok"
                ? Pass($"{options.DataDir} is writable", ("data_dir", options.DataDir))
                : Fail($"{options.DataDir} did not read back what was written", ("data_dir", options.DataDir));
        }
        finally
        {
            File.Delete(probe);
        }
    }

    private HealthCheckResult CheckDiskSpace()
    {
        var folder = Path.GetFullPath(options.DataDir);
        while (!Directory.Exists(folder) && Path.GetDirectoryName(folder) is { } parent)
        {
            folder = parent;
        }

        var drive = new DriveInfo(folder);
        var free = drive.AvailableFreeSpace;
        var details = Details(("path", folder), ("mount", drive.RootDirectory.FullName), ("free_bytes", free), ("total_bytes", drive.TotalSize), ("minimum_free_bytes", options.MinimumFreeBytes));
        var text = $"{free / (1024.0 * 1024 * 1024):0.0} GiB free of {drive.TotalSize / (1024.0 * 1024 * 1024):0.0} GiB on {drive.RootDirectory.FullName}";
        return free < options.MinimumFreeBytes ? Fail(text, details)
            : free < 2 * options.MinimumFreeBytes ? Warn(text, details)
            : Pass(text, details);
    }

    private HealthCheckResult CheckSecrets(SecuritySettings? settings)
    {
        if (settings is null)
        {
            return Result("Production Secrets", CheckStatus.Skip, "configuration did not load");
        }

        var problems = SecurityConfiguration.SecretProblems(settings);
        var details = Details(("environment", settings.Environment), ("problems", problems.Select(p => p.Message).ToList()));
        if (problems.Count == 0)
        {
            return Pass(settings.IsProduction ? "JWT_SECRET_KEY is set and no secret is a placeholder or short" : "no secret is a placeholder or short", details);
        }

        var text = string.Join("; ", problems.Select(p => p.Message));
        return settings.IsProduction ? Fail(text, details) : Warn($"{text} (refused in production)", details);
    }

    private async Task<HealthCheckResult> CheckHealthAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken)
    {
        var url = new Uri(baseUrl, "health");
        var (response, details) = await GetAsync(http, url, authorized: false, cancellationToken);
        using var _ = response;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (TryParse(body) is { } json)
        {
            details["body"] = json;
            if (json.TryGetProperty("blocking_issues", out var issues) && issues.ValueKind == JsonValueKind.Array && issues.GetArrayLength() > 0)
            {
                return Fail($"HTTP {(int)response.StatusCode}: {string.Join("; ", issues.EnumerateArray().Select(i => i.GetString()))}", details);
            }
        }

        return response.IsSuccessStatusCode
            ? Pass($"HTTP {(int)response.StatusCode} from {url}", details)
            : Fail($"HTTP {(int)response.StatusCode} from {url}", details);
    }

    private async Task<HealthCheckResult> CheckStatusAsync(HttpClient http, CancellationToken cancellationToken)
    {
        if (options.Token is null)
        {
            return Skip("no token (give --token or set API_TOKEN)");
        }

        var url = new Uri(options.ApiUrl, "status");
        var (response, details) = await GetAsync(http, url, authorized: true, cancellationToken);
        using var _ = response;
        if (!response.IsSuccessStatusCode)
        {
            return Fail($"HTTP {(int)response.StatusCode} from {url}{(response.StatusCode == HttpStatusCode.Unauthorized ? " (the token was refused)" : "")}", details);
        }

        var json = TryParse(await response.Content.ReadAsStringAsync(cancellationToken));
        details["body"] = json;
        var scene = json is { } s && s.TryGetProperty("scene", out var sceneElement) && sceneElement.ValueKind == JsonValueKind.Object
            && sceneElement.TryGetProperty("name", out var name) ? name.GetString() : null;
        return Pass($"HTTP 200 from {url}{(scene is null ? "" : $"; scene {scene}")}", details);
    }

    private async Task<HealthCheckResult> CheckAuthEnforcedAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var url = new Uri(options.ApiUrl, "status");
        var (response, details) = await GetAsync(http, url, authorized: false, cancellationToken);
        using var _ = response;
        return response.StatusCode == HttpStatusCode.Unauthorized
            ? Pass($"{url} without a token answers 401", details)
            : Fail($"{url} without a token answered HTTP {(int)response.StatusCode}, not 401: authentication is off", details);
    }

    private async Task<HealthCheckResult> CheckTelemetryAsync(CancellationToken cancellationToken)
    {
        if (options.Token is null)
        {
            return Skip("no token (give --token or set API_TOKEN)");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        await using var client = await TelemetryClient.ConnectAsync(options.TelemetryUrl, options.Token, timeout.Token);
        var first = await client.ReceiveAsync(timeout.Token);
        var details = Details(("url", options.TelemetryUrl.ToString()));
        if (first is null)
        {
            details["close_status"] = client.CloseStatus?.ToString();
            return Fail($"the server closed the connection: {client.CloseReason ?? "no reason given"}", details);
        }

        details["first_message_type"] = first.Type;
        return Pass($"connected to {options.TelemetryUrl}; first message '{first.Type}'", details);
    }

    private async Task<HealthCheckResult> CheckMetricsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        if (options.Token is null)
        {
            return Skip("no token (give --token or set API_TOKEN / METRICS_TOKEN)");
        }

        var url = new Uri(options.ApiUrl, "metrics");
        var (response, details) = await GetAsync(http, url, authorized: true, cancellationToken);
        using var _ = response;
        if (!response.IsSuccessStatusCode)
        {
            return Fail($"HTTP {(int)response.StatusCode} from {url}", details);
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var families = text.Split('\n').Count(l => l.StartsWith("# TYPE spacetime_", StringComparison.Ordinal));
        details["metric_families"] = families;
        return families > 0
            ? Pass($"{families} spacetime_* metric families at {url}", details)
            : Fail($"{url} serves no spacetime_* metrics", details);
    }

    /// <summary>A GET, with the bearer token when <paramref name="authorized"/>; the caller disposes the response.</summary>
    private async Task<(HttpResponseMessage Response, Dictionary<string, object?> Details)> GetAsync(
        HttpClient http, Uri url, bool authorized, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (authorized)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        }

        var response = await http.SendAsync(request, cancellationToken);
        return (response, Details(("url", url.ToString()), ("status_code", (int)response.StatusCode)));
    }

    private HealthCheckResult Run(string name, Func<HealthCheckResult> check)
    {
        try
        {
            return check() with { Name = name };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Result(name, CheckStatus.Fail, e.Message);
        }
    }

    private async Task<HealthCheckResult> RunAsync(string name, Func<Task<HealthCheckResult>> check, CancellationToken cancellationToken)
    {
        try
        {
            return (await check()) with { Name = name };
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(name, CheckStatus.Fail, $"no answer within {options.Timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is HttpRequestException or System.Net.WebSockets.WebSocketException or IOException)
        {
            return Result(name, CheckStatus.Fail, $"not reachable: {e.Message}");
        }
    }

    private HealthCheckResult Result(string name, CheckStatus status, string message, Dictionary<string, object?>? details = null) =>
        new(name, status, message, details ?? [], _time.GetUtcNow());

    private HealthCheckResult Pass(string message, params (string Key, object? Value)[] details) => Pass(message, Details(details));

    private HealthCheckResult Pass(string message, Dictionary<string, object?> details) => Result("", CheckStatus.Pass, message, details);

    private HealthCheckResult Warn(string message, Dictionary<string, object?> details) => Result("", CheckStatus.Warn, message, details);

    private HealthCheckResult Fail(string message, params (string Key, object? Value)[] details) => Fail(message, Details(details));

    private HealthCheckResult Fail(string message, Dictionary<string, object?> details) => Result("", CheckStatus.Fail, message, details);

    private HealthCheckResult Skip(string message) => Result("", CheckStatus.Skip, message);

    private static Dictionary<string, object?> Details(params (string Key, object? Value)[] details) =>
        details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);

    private static JsonElement? TryParse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
