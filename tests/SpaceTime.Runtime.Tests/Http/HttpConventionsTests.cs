using System.Net;
using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Http;

/// <summary>What every route shares: problem+json errors and an OpenAPI document.</summary>
public sealed class HttpConventionsTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task GetOpenApi_Document_ListsTheApiPaths()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");

        Assert.StartsWith("3.", document.Str("openapi"), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/health", "/status", "/scene", "/scene/load", "/scene/history", "/scenes", "/state/player", "/input/teleport", "/performance" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI document lacks {path}");
        }

        Assert.True(paths.GetProperty("/scene").TryGetProperty("put", out _));
    }

    [Fact]
    public async Task Get_UnknownRoute_Returns404Problem()
    {
        using var response = await _client.GetAsync("/no/such/route", TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_SceneRoute_Returns405Problem()
    {
        using var response = await _client.DeleteAsync("/scene", TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task PostTeleport_WrongJsonType_Returns400ProblemNamingTheError()
    {
        using var response = await _client.PostJsonAsync("/input/teleport", """{"x":"six","z":1}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(JsonValueKind.String, problem.GetProperty("detail").ValueKind);
    }

    [Fact]
    public async Task PostScene_MalformedJson_Returns400WithoutServerInternals()
    {
        using var response = await _client.PostJsonAsync("/scene", "{not json");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.DoesNotContain("   at ", problem.Str("message"), StringComparison.Ordinal);
        Assert.False(problem.TryGetProperty("exception", out _));
    }

    [Theory]
    [InlineData("/scene/history?limit=abc")]
    [InlineData("/scene/dump?depth=deep")]
    [InlineData("/scene/history?limit=1.5")]
    public async Task Get_UnparsableQueryValue_Returns400Problem(string uri)
    {
        using var response = await _client.GetAsync(uri, TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }
}
