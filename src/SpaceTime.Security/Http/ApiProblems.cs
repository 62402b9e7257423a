using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace SpaceTime.Security.Http;

/// <summary>
/// Error responses as <c>application/problem+json</c> that also carry the original API's <c>error</c>
/// (reason phrase) and <c>message</c> fields, which existing clients read.
/// </summary>
public static class ApiProblems
{
    public static ProblemHttpResult Create(int status, string message, IDictionary<string, object?>? extensions = null)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["error"] = ReasonPhrases.GetReasonPhrase(status),
            ["message"] = message,
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            fields[key] = value;
        }

        return TypedResults.Problem(detail: message, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status), extensions: fields);
    }

    public static ProblemHttpResult BadRequest(string message) => Create(StatusCodes.Status400BadRequest, message);

    public static ProblemHttpResult NotFound(string message) => Create(StatusCodes.Status404NotFound, message);

    public static ProblemHttpResult Conflict(string message) => Create(StatusCodes.Status409Conflict, message);

    public static ProblemHttpResult Unprocessable(string message, IDictionary<string, object?>? extensions = null) =>
        Create(StatusCodes.Status422UnprocessableEntity, message, extensions);

    /// <summary>Adds <c>error</c>/<c>message</c> to problem details the framework writes itself (bad JSON, 404, 405...).</summary>
    public static void AddLegacyFields(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Extensions.TryAdd("error", ReasonPhrases.GetReasonPhrase(status));
        // Only a bad-request exception's text is safe to echo; anything else could leak internals.
        if (context.Exception is BadHttpRequestException bad)
        {
            problem.Detail ??= bad.InnerException is System.Text.Json.JsonException json
                ? $"{bad.Message} {json.Message}"
                : bad.Message;
        }

        problem.Extensions.TryAdd("message", problem.Detail ?? problem.Title ?? ReasonPhrases.GetReasonPhrase(status));
    }
}
