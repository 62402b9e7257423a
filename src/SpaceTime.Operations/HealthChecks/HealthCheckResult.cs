using System.Text.Json.Serialization;

namespace SpaceTime.Operations.HealthChecks;

[JsonConverter(typeof(JsonStringEnumConverter<CheckStatus>))]
public enum CheckStatus
{
    [JsonStringEnumMemberName("pass")]
    Pass,

    [JsonStringEnumMemberName("warn")]
    Warn,

    [JsonStringEnumMemberName("fail")]
    Fail,

    [JsonStringEnumMemberName("skip")]
    Skip,
}

/// <summary>One check's outcome; <see cref="Details"/> holds what an operator needs to act on it (never a secret).</summary>
public sealed record HealthCheckResult(string Name, CheckStatus Status, string Message, IReadOnlyDictionary<string, object?> Details, DateTimeOffset Timestamp);

/// <summary>The documents' health-check report: <c>{timestamp,total_checks,passed,failed,warnings,skipped,duration_seconds,checks}</c>.</summary>
public sealed record HealthCheckReport(
    [property: JsonPropertyOrder(0)] DateTimeOffset Timestamp,
    [property: JsonPropertyOrder(6)] double DurationSeconds,
    [property: JsonPropertyOrder(7)] IReadOnlyList<HealthCheckResult> Checks)
{
    [JsonPropertyOrder(1)]
    public int TotalChecks => Checks.Count;

    [JsonPropertyOrder(2)]
    public int Passed => Count(CheckStatus.Pass);

    [JsonPropertyOrder(3)]
    public int Failed => Count(CheckStatus.Fail);

    [JsonPropertyOrder(4)]
    public int Warnings => Count(CheckStatus.Warn);

    [JsonPropertyOrder(5)]
    public int Skipped => Count(CheckStatus.Skip);

    /// <summary>The report as the documents' JSON (snake_case).</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Healthy when nothing failed (warnings and skipped checks do not fail a deployment).</summary>
    [JsonIgnore]
    public bool Healthy => Failed == 0;

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
    };

    private int Count(CheckStatus status) => Checks.Count(c => c.Status == status);
}
