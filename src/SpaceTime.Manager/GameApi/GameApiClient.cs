using System.Net.Http.Headers;
using System.Text.Json;

namespace SpaceTime.Manager.GameApi;

/// <summary>
/// Calls the game runtime's HTTP API with a bearer token. Failures to reach the game are results, not exceptions:
/// a supervisor asks these questions of processes that may be dead or hung.
/// </summary>
public sealed class GameApiClient : IGameApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Loading a big scene on a busy machine takes longer than a health probe.</summary>
    private static readonly TimeSpan MinSceneLoadTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly string _token;

    /// <param name="http">The client to send with; its own timeout should be infinite (each call sets its limit).</param>
    /// <param name="baseAddress">The game API, e.g. <c>http://127.0.0.1:8080/</c>.</param>
    /// <param name="token">Sent as <c>Authorization: Bearer</c>.</param>
    /// <param name="requestTimeout">Limit of one request.</param>
    public GameApiClient(HttpClient http, Uri baseAddress, string token, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrEmpty(token);
        _http = http;
        BaseAddress = baseAddress;
        _token = token;
        RequestTimeout = requestTimeout;
    }

    public Uri BaseAddress { get; }

    public TimeSpan RequestTimeout { get; }

    /// <summary>Raised after each health check with its duration and whether the game answered (for metrics).</summary>
    public event Action<TimeSpan, bool>? HealthChecked;

    /// <summary><c>GET /health</c>, limited to <paramref name="timeout"/> (default <see cref="RequestTimeout"/>).</summary>
    public async Task<GameHealth> GetHealthAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var health = await CheckHealthAsync(timeout ?? RequestTimeout, cancellationToken);
        HealthChecked?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started), health.Reachable);
        return health;
    }

    private async Task<GameHealth> CheckHealthAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = Limit(limit, cancellationToken);
            using var response = await _http.SendAsync(Request(HttpMethod.Get, "health"), timeout.Token);
            string? status = null;
            try
            {
                using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken: timeout.Token);
                status = body.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            }
            catch (JsonException)
            {
                // Answered, but not with JSON: still reachable.
            }

            return new GameHealth(true, (int)response.StatusCode, status, null);
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            return GameHealth.Unreachable(Describe(e));
        }
    }

    /// <summary><c>GET /status</c>; null when the game cannot be reached or does not answer 200.</summary>
    public Task<GameStatus?> GetStatusAsync(CancellationToken cancellationToken) => GetJsonAsync<GameStatus>("status", cancellationToken);

    /// <summary><c>GET /state/player</c>; null when the game cannot be reached or does not answer 200.</summary>
    public Task<GamePlayer?> GetPlayerAsync(CancellationToken cancellationToken) => GetJsonAsync<GamePlayer>("state/player", cancellationToken);

    /// <summary><c>POST /scene {"scene_path": ...}</c>: 200 with <c>"status":"loaded"</c> when the scene is active.</summary>
    public async Task<SceneLoadResult> LoadSceneAsync(string scenePath, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = Limit(RequestTimeout > MinSceneLoadTimeout ? RequestTimeout : MinSceneLoadTimeout, cancellationToken);
            using var request = Request(HttpMethod.Post, "scene");
            request.Content = JsonContent.Create(new { scene_path = scenePath });
            using var response = await _http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            JsonElement body = default;
            try
            {
                body = JsonDocument.Parse(text).RootElement;
            }
            catch (JsonException)
            {
                // Reported below with the raw text.
            }

            string? Field(string name) =>
                body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode && Field("status") is "loaded" or "reloaded"
                ? new SceneLoadResult(true, code, Field("scene"), Field("scene_name"), null)
                : new SceneLoadResult(false, code, null, null, Field("detail") ?? Field("title") ?? Field("message") ?? Shorten(text));
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            return new SceneLoadResult(false, null, null, null, Describe(e));
        }
    }

    private async Task<T?> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var timeout = Limit(RequestTimeout, cancellationToken);
            using var response = await _http.SendAsync(Request(HttpMethod.Get, path), timeout.Token);
            return response.IsSuccessStatusCode
                ? await response.Content.ReadFromJsonAsync<T>(Json, timeout.Token)
                : null;
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken) || e is JsonException)
        {
            return null;
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseAddress, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return request;
    }

    private static CancellationTokenSource Limit(TimeSpan limit, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(limit);
        return source;
    }

    /// <summary>Connection failures and our own time limit; the caller's cancellation still propagates.</summary>
    private static bool IsUnreachable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string Describe(Exception e) => e is OperationCanceledException ? "timed out" : e.Message;

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200];
}
