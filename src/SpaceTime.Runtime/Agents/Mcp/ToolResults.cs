using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelContextProtocol.Protocol;

namespace SpaceTime.Runtime.Agents.Mcp;

/// <summary>
/// Turns what an HTTP handler returned into a tool result: the response body as structured content, a short text,
/// and problem details (status, message) as an error result — so a tool says exactly what the endpoint says.
/// </summary>
public static class ToolResults
{
    public static CallToolResult From(IResult result, JsonSerializerOptions json, Func<JsonElement, string> summarize)
    {
        if (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        if (result is ProblemHttpResult problem)
        {
            var details = JsonSerializer.SerializeToElement(problem.ProblemDetails, json);
            var message = problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "failed";
            return Error($"{problem.StatusCode} {problem.ProblemDetails.Title}: {message}", details);
        }

        var value = result is IValueHttpResult { Value: { } v } ? JsonSerializer.SerializeToElement(v, v.GetType(), json) : JsonSerializer.SerializeToElement(new { status = "ok" }, json);
        if (value.ValueKind != JsonValueKind.Object)
        {
            value = JsonSerializer.SerializeToElement(new { result = value }, json);
        }

        return new CallToolResult { Content = [new TextContentBlock { Text = summarize(value) }], StructuredContent = value };
    }

    public static CallToolResult Error(string text, JsonElement? details = null) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = text }],
        StructuredContent = details,
    };

    /// <summary>A property of the structured result as text, or "?" (for summaries).</summary>
    public static string Text(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText() : "?";
}
