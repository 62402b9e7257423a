using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace SpaceTime.Runtime.Tests;

/// <summary>Wire-level helpers: raw JSON bodies in, parsed JSON (and problem details) out.</summary>
internal static class RuntimeHttp
{
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string uri, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(uri, TestContext.Current.CancellationToken);
        return await response.ReadJsonAsync(expected);
    }

    /// <summary>Sends <paramref name="json"/> verbatim as <c>application/json</c>; null sends no body at all.</summary>
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string uri, string? json = null)
    {
        var request = new HttpRequestMessage(method, uri);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string uri, string? json = null) =>
        client.SendJsonAsync(HttpMethod.Post, uri, json);

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"expected {(int)expected} {expected}, got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>Reads an error: problem+json with the status, and the legacy <c>error</c> (reason phrase) and <c>message</c> fields.</summary>
    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.ReadJsonAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.Equal(ReasonPhrases.GetReasonPhrase((int)expected), problem.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("message").GetString()), "problem has an empty message");
        return problem;
    }

    public static string Str(this JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException($"'{name}' is null in {element}");

    public static double Num(this JsonElement element, string name) => element.GetProperty(name).GetDouble();
}
