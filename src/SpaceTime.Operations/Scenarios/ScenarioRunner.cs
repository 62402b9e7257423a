using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpaceTime.Operations.Scenarios;

/// <summary>One step's outcome: passed or not, why, and what it measured.</summary>
public sealed record StepReport(int Index, string Name, string Action, bool Passed, string Message, double DurationMs, JsonObject? Measurements);

public sealed record ScenarioReport(string Name, bool Passed, int StepsPassed, int StepsFailed, double DurationSeconds, IReadOnlyList<StepReport> Steps);

/// <summary>A scenario file that is not well formed; the message names the step.</summary>
public sealed class ScenarioFormatException(string message) : Exception(message);

/// <summary>
/// Runs a scenario file against a running game over its HTTP API: load a scene, pause, send input, step, expect
/// conditions on any GET endpoint, measure the tick rate, snapshot. Every step is reported; a failed step does not
/// stop the run (later steps still report), so one run shows everything that is wrong.
/// </summary>
/// <remarks>
/// Actions: <c>load_scene {scene_path}</c>, <c>pause</c>, <c>resume</c>, <c>step {ticks}</c>,
/// <c>step_until {condition, max_ticks}</c>, <c>input {path, body}</c> (POST to an /input endpoint),
/// <c>vr_input {body}</c>, <c>set_node {path, properties}</c>, <c>expect {get, checks}</c>,
/// <c>measure {seconds, min_tick_rate, avg_tick_rate, max_frame_time_variance_ms, max_tick_ms}</c>, <c>snapshot {name}</c>.
/// A check is <c>{path, equals | approx + tolerance | min / max | not_null}</c> over the JSON the GET returned
/// (paths like <c>position.y</c> or <c>entries[0].level</c>).
/// </remarks>
public sealed class ScenarioRunner(HttpClient http, TimeProvider? time = null)
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(200);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public static JsonObject Load(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new ScenarioFormatException($"{file}: expected a JSON object with \"steps\"");
        }
        catch (JsonException e)
        {
            throw new ScenarioFormatException($"{file}: not valid JSON: {e.Message}");
        }
    }

    public async Task<ScenarioReport> RunAsync(JsonObject scenario, CancellationToken cancellationToken)
    {
        var steps = scenario["steps"] as JsonArray ?? throw new ScenarioFormatException("the scenario has no \"steps\" array");
        var started = _time.GetTimestamp();
        var reports = new List<StepReport>();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i] as JsonObject ?? throw new ScenarioFormatException($"step {i + 1} is not an object");
            var action = step["action"]?.GetValue<string>() ?? throw new ScenarioFormatException($"step {i + 1} has no \"action\"");
            var name = step["name"]?.GetValue<string>() ?? action;
            var stepStarted = _time.GetTimestamp();
            bool passed;
            string message;
            JsonObject? measurements = null;
            try
            {
                (passed, message, measurements) = await RunStepAsync(action, step, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                // Without the game no later step can say anything useful: report this one and stop.
                reports.Add(new StepReport(i + 1, name, action, false, $"the game did not answer: {e.Message}; {steps.Count - i - 1} later steps not run",
                    Math.Round(_time.GetElapsedTime(stepStarted).TotalMilliseconds, 1), null));
                break;
            }

            reports.Add(new StepReport(i + 1, name, action, passed, message, Math.Round(_time.GetElapsedTime(stepStarted).TotalMilliseconds, 1), measurements));
        }

        var failed = reports.Count(r => !r.Passed) + (steps.Count - reports.Count);
        return new ScenarioReport(scenario["name"]?.GetValue<string>() ?? "scenario", failed == 0, reports.Count(r => r.Passed), failed,
            Math.Round(_time.GetElapsedTime(started).TotalSeconds, 3), reports);
    }

    private async Task<(bool, string, JsonObject?)> RunStepAsync(string action, JsonObject step, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case "load_scene":
                return await PostAsync("/scene", new JsonObject { ["scene_path"] = Required(step, "scene_path").DeepClone() }, r => $"loaded {r?["scene"]} ({r?["node_count"]} nodes)", cancellationToken);
            case "pause":
                return await PostAsync("/time/pause", null, r => $"paused at tick {r?["tick"]}", cancellationToken);
            case "resume":
                return await PostAsync("/time/resume", null, r => $"running from tick {r?["tick"]}", cancellationToken);
            case "step":
                return await PostAsync("/time/step", new JsonObject { ["ticks"] = Required(step, "ticks").DeepClone() }, r => $"at tick {r?["tick"]}", cancellationToken);
            case "step_until":
                return await PostAsync("/time/step_until", new JsonObject { ["condition"] = Required(step, "condition").DeepClone(), ["max_ticks"] = Required(step, "max_ticks").DeepClone() },
                    r => $"held after {r?["ticks_stepped"]} ticks", cancellationToken);
            case "input":
                var path = Required(step, "path").GetValue<string>();
                if (!path.StartsWith("/input/", StringComparison.Ordinal))
                {
                    throw new ScenarioFormatException($"input path must start with /input/, not '{path}'");
                }

                return await PostAsync(path, step["body"]?.DeepClone() ?? new JsonObject(), _ => $"sent {path}", cancellationToken);
            case "vr_input":
                return await PostAsync("/input/vr", Required(step, "body").DeepClone(), r => $"VR input from tick {r?["applies_from_tick"]}", cancellationToken);
            case "set_node":
                return await SendAsync(HttpMethod.Patch, "/scene/node", new JsonObject { ["path"] = Required(step, "path").DeepClone(), ["properties"] = Required(step, "properties").DeepClone() },
                    _ => "set", cancellationToken);
            case "snapshot":
                return await PostAsync("/world/snapshots", new JsonObject { ["name"] = step["snapshot_name"]?.DeepClone() ?? step["name"]?.DeepClone() },
                    r => $"snapshot {r?["id"]} at tick {r?["tick"]} ({r?["state_hash"]})", cancellationToken);
            case "expect":
                return await ExpectAsync(step, cancellationToken);
            case "measure":
                return await MeasureAsync(step, cancellationToken);
            default:
                throw new ScenarioFormatException($"unknown action '{action}' (load_scene, pause, resume, step, step_until, input, vr_input, set_node, expect, measure, snapshot)");
        }
    }

    private Task<(bool, string, JsonObject?)> PostAsync(string path, JsonNode? body, Func<JsonNode?, string> describe, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body, describe, cancellationToken);

    private async Task<(bool, string, JsonObject?)> SendAsync(HttpMethod method, string path, JsonNode? body, Func<JsonNode?, string> describe, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, Relative(path));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = text.Length > 0 ? JsonNode.Parse(text) : null;
        return response.IsSuccessStatusCode
            ? (true, describe(json), null)
            : (false, $"{method} {path}: {(int)response.StatusCode} {json?["message"] ?? json?["detail"] ?? text}", null);
    }

    private async Task<(bool, string, JsonObject?)> ExpectAsync(JsonObject step, CancellationToken cancellationToken)
    {
        var path = Required(step, "get").GetValue<string>();
        var checks = Required(step, "checks") as JsonArray ?? throw new ScenarioFormatException("\"checks\" must be an array");
        using var response = await http.GetAsync(Relative(path), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return (false, $"GET {path}: {(int)response.StatusCode} {text}", null);
        }

        var json = JsonNode.Parse(text);
        var failures = new List<string>();
        var passes = new List<string>();
        foreach (var check in checks.OfType<JsonObject>())
        {
            var at = Required(check, "path").GetValue<string>();
            var value = Select(json, at);
            var (ok, description) = Evaluate(check, value);
            (ok ? passes : failures).Add($"{at} {description} (got {value?.ToJsonString() ?? "null"})");
        }

        return failures.Count == 0 ? (true, string.Join("; ", passes), null) : (false, string.Join("; ", failures), null);
    }

    private static (bool Ok, string Description) Evaluate(JsonObject check, JsonNode? value)
    {
        if (check.ContainsKey("equals"))
        {
            return (JsonNode.DeepEquals(Normalise(value), Normalise(check["equals"])), $"== {check["equals"]?.ToJsonString() ?? "null"}");
        }

        if (check["not_null"] is not null)
        {
            return (value is not null, "is present");
        }

        var number = value is JsonValue v && v.TryGetValue<double>(out var d) ? d : (double?)null;
        if (check["approx"] is { } approx)
        {
            var target = approx.GetValue<double>();
            var tolerance = check["tolerance"]?.GetValue<double>() ?? 1e-3;
            return (number is { } n && Math.Abs(n - target) <= tolerance, $"≈ {target} ± {tolerance}");
        }

        var min = check["min"]?.GetValue<double>();
        var max = check["max"]?.GetValue<double>();
        if (min is null && max is null)
        {
            throw new ScenarioFormatException($"check on '{check["path"]}' needs equals, approx, min/max or not_null");
        }

        return (number is { } x && (min is null || x >= min) && (max is null || x <= max), $"in [{min?.ToString(CultureInfo.InvariantCulture) ?? "-∞"}, {max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}]");
    }

    /// <summary>Numbers compare by value (1 equals 1.0).</summary>
    private static JsonNode? Normalise(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) ? JsonValue.Create(d) : node?.DeepClone();

    /// <summary>Follows "a.b[2].c" through a JSON document; null when any part is missing.</summary>
    public static JsonNode? Select(JsonNode? root, string path)
    {
        var node = root;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part;
            var index = (int?)null;
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0 && part.EndsWith(']'))
            {
                name = part[..bracket];
                index = int.Parse(part[(bracket + 1)..^1], CultureInfo.InvariantCulture);
            }

            if (name.Length > 0)
            {
                node = node is JsonObject o ? o[name] : null;
            }

            if (index is { } i)
            {
                node = node is JsonArray a && i >= 0 && i < a.Count ? a[i] : null;
            }
        }

        return node;
    }

    /// <summary>Samples /performance for a while (the world should be running): tick rate min/average, frame-time variance, worst tick.</summary>
    private async Task<(bool, string, JsonObject?)> MeasureAsync(JsonObject step, CancellationToken cancellationToken)
    {
        var seconds = step["seconds"]?.GetValue<double>() ?? 3;
        if (seconds is <= 0 or > 600)
        {
            throw new ScenarioFormatException("measure \"seconds\" must be in (0, 600]");
        }

        var rates = new List<double>();
        var worstTick = 0.0;
        var started = _time.GetTimestamp();
        while (_time.GetElapsedTime(started).TotalSeconds < seconds)
        {
            await Task.Delay(SampleInterval, _time, cancellationToken);
            var performance = await http.GetFromJsonAsync<JsonElement>(Relative("/performance"), cancellationToken);
            rates.Add(performance.GetProperty("fps").GetDouble());
            worstTick = Math.Max(worstTick, performance.GetProperty("tick_max_ms").GetDouble());
        }

        // The first samples cover a window that began before the measurement (and may include a pause or a load).
        var window = rates.Count > 5 ? rates.Skip(rates.Count / 5).ToList() : rates;
        var frameTimes = window.Where(r => r > 0).Select(r => 1000 / r).ToList();
        var mean = frameTimes.Count > 0 ? frameTimes.Average() : double.PositiveInfinity;
        var deviation = frameTimes.Count > 1 ? Math.Sqrt(frameTimes.Sum(t => (t - mean) * (t - mean)) / (frameTimes.Count - 1)) : 0;
        var measured = new JsonObject
        {
            ["samples"] = window.Count,
            ["min_tick_rate"] = Math.Round(window.Min(), 2),
            ["avg_tick_rate"] = Math.Round(window.Average(), 2),
            ["frame_time_avg_ms"] = Math.Round(mean, 3),
            ["frame_time_variance_ms"] = Math.Round(deviation, 3),
            ["max_tick_ms"] = Math.Round(worstTick, 3),
        };
        var failures = new List<string>();
        void Check(string key, string measure, bool atLeast)
        {
            if (step[key] is { } limit)
            {
                var value = measured[measure]!.GetValue<double>();
                var bound = limit.GetValue<double>();
                if (atLeast ? value < bound : value > bound)
                {
                    failures.Add($"{measure} {value} is {(atLeast ? "under" : "over")} {bound}");
                }
            }
        }

        Check("min_tick_rate", "min_tick_rate", atLeast: true);
        Check("avg_tick_rate", "avg_tick_rate", atLeast: true);
        Check("max_frame_time_variance_ms", "frame_time_variance_ms", atLeast: false);
        Check("max_tick_ms", "max_tick_ms", atLeast: false);
        var summary = $"min {measured["min_tick_rate"]}/s, avg {measured["avg_tick_rate"]}/s, frame-time σ {measured["frame_time_variance_ms"]} ms, worst tick {measured["max_tick_ms"]} ms";
        return failures.Count == 0 ? (true, summary, measured) : (false, $"{string.Join("; ", failures)} ({summary})", measured);
    }

    private static JsonNode Required(JsonObject step, string key) =>
        step[key] ?? throw new ScenarioFormatException($"step '{step["name"] ?? step["action"]}' needs \"{key}\"");

    /// <summary>
    /// Paths relative to the base URL, so a game reached through a manager (<c>http://host:8090/godot/</c>) keeps its
    /// prefix: an absolute path would replace it.
    /// </summary>
    private static string Relative(string path) => path.TrimStart('/');
}
