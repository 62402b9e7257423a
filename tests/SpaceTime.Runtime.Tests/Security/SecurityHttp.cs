using System.Net;
using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>Security-specific wire helpers: issuing tokens, and checking 401/403 problem bodies.</summary>
internal static class SecurityHttp
{
    public sealed record Token(string Value, string Jti, string Role, string Subject);

    /// <summary><c>POST /auth/token</c> with an admin client; fails the test unless it answers 200.</summary>
    public static async Task<Token> IssueTokenAsync(this HttpClient admin, string role, string? subject = null, string? ttl = null)
    {
        var body = new Dictionary<string, string?> { ["role"] = role, ["subject"] = subject ?? $"{role}-{Guid.NewGuid():N}", ["ttl"] = ttl };
        using var response = await admin.PostJsonAsync("/auth/token", JsonSerializer.Serialize(body.Where(p => p.Value is not null).ToDictionary()));
        var json = await response.ReadJsonAsync();
        return new Token(json.Str("token"), json.Str("jti"), json.Str("role"), json.Str("subject"));
    }

    /// <summary>A 401 problem with the given <c>reason</c> and a <c>WWW-Authenticate: Bearer ...</c> challenge.</summary>
    public static async Task<JsonElement> AssertUnauthorizedAsync(this HttpResponseMessage response, string reason)
    {
        var problem = await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Unauthorized", problem.Str("error"));
        Assert.Equal(reason, problem.Str("reason"));
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.StartsWith("Bearer", response.Headers.GetValues("WWW-Authenticate").Single(), StringComparison.Ordinal);
        return problem;
    }

    /// <summary>A 403 problem naming the permission the role lacks.</summary>
    public static async Task AssertForbiddenAsync(this HttpResponseMessage response, string permission, string role)
    {
        var problem = await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(permission, problem.Str("required_permission"));
        Assert.Equal(role, problem.Str("your_role"));
    }

    public static Task<HttpResponseMessage> GetWithAuthorizationAsync(this HttpClient client, string uri, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = null;
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Reads the audit log's lines as JSON objects.</summary>
    public static IReadOnlyList<JsonElement> ReadAuditLines(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<JsonElement>();
        while (reader.ReadLine() is { } line)
        {
            using var document = JsonDocument.Parse(line);
            lines.Add(document.RootElement.Clone());
        }

        return lines;
    }
}
