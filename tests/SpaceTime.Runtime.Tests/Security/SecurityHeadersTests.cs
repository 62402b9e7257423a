using System.Net;
using System.Net.Http.Headers;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>The test environment with CORS allowed for one origin.</summary>
public sealed class CorsRuntimeFixture() : ConfiguredRuntimeFixture(
    "test",
    settings: new Dictionary<string, string> { ["CORS_ALLOWED_ORIGINS"] = "https://app.example.com" },
    scene: "none");

/// <summary>Security headers on every response, CORS, and the request size limit.</summary>
public sealed class SecurityHeadersTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    public static TheoryData<string, string, bool, int> Responses => new()
    {
        { "GET", "/health", false, 200 },
        { "GET", "/web/scene_manager.html", false, 200 },
        { "GET", "/web/missing.html", false, 404 },
        { "GET", "/scene", false, 401 },
        { "GET", "/no-such-endpoint", true, 404 },
        { "GET", "/status", true, 200 },
        { "DELETE", "/status", true, 405 },
        { "POST", "/scene", true, 400 },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task Response_AnyStatus_CarriesSecurityHeadersButNoHstsOverHttp(string method, string path, bool authenticated, int status)
    {
        var client = authenticated ? runtime.CreateClient() : runtime.CreateAnonymousClient();

        using var response = await client.SendJsonAsync(new HttpMethod(method), path, method == "POST" ? "{ broken" : null);

        Assert.Equal(status, (int)response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Response_Forbidden_CarriesSecurityHeaders()
    {
        var guest = runtime.CreateClient((await runtime.CreateClient().IssueTokenAsync("guest")).Value);

        using var response = await guest.GetAsync("/status", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Preflight_CorsNotConfigured_NoAllowOrigin()
    {
        using var response = await SendPreflightAsync(runtime.CreateAnonymousClient(), "https://app.example.com");
        using var get = await SendWithOriginAsync(runtime.CreateClient(), "https://app.example.com");

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(get.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task PostScene_BodyOverMaxRequestSize_Returns413WithMaxSize()
    {
        using var content = new ByteArrayContent(new byte[(1024 * 1024) + 1]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await runtime.CreateClient().PostAsync("/scene", content, TestContext.Current.CancellationToken);

        var problem = await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(1048576, problem.GetProperty("max_size_bytes").GetInt64());
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task PostScene_BodyOverMaxRequestSizeWithoutToken_Returns413BeforeAuthentication()
    {
        using var content = new ByteArrayContent(new byte[2 * 1024 * 1024]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await runtime.CreateAnonymousClient().PostAsync("/scene", content, TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task PostScene_BodyJustUnderMaxRequestSize_IsNot413()
    {
        var padding = new string(' ', (1024 * 1024) - 64);
        using var response = await runtime.CreateClient().PostJsonAsync("/scene", $$"""{"scene_path":"res://vr_main.tscn"}{{padding}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    internal static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        string Header(string name) =>
            response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : throw new Xunit.Sdk.XunitException($"{name} missing on {(int)response.StatusCode}");

        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.Equal("DENY", Header("X-Frame-Options"));
        Assert.Equal("1; mode=block", Header("X-XSS-Protection"));
        Assert.Equal("default-src 'self'; frame-ancestors 'none'", Header("Content-Security-Policy"));
        Assert.Equal("strict-origin-when-cross-origin", Header("Referrer-Policy"));
        Assert.Contains("camera=()", Header("Permissions-Policy"), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS over plain http");
        Assert.False(response.Headers.Contains("Server"), "Server header");
    }

    internal static Task<HttpResponseMessage> SendPreflightAsync(HttpClient client, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/scene");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    internal static Task<HttpResponseMessage> SendWithOriginAsync(HttpClient client, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("Origin", origin);
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}

public sealed class CorsTests(CorsRuntimeFixture runtime) : IClassFixture<CorsRuntimeFixture>
{
    [Fact]
    public async Task Preflight_AllowedOriginWithoutToken_GetsAllowOrigin()
    {
        using var response = await SecurityHeadersTests.SendPreflightAsync(runtime.CreateAnonymousClient(), "https://app.example.com");

        Assert.True(response.IsSuccessStatusCode, $"preflight answered {(int)response.StatusCode}");
        Assert.Equal("https://app.example.com", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        SecurityHeadersTests.AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Preflight_OtherOrigin_NoAllowOrigin()
    {
        using var response = await SecurityHeadersTests.SendPreflightAsync(runtime.CreateAnonymousClient(), "https://evil.example.net");

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Get_AllowedOrigin_GetsAllowOriginAndExposedRateLimitHeaders()
    {
        using var allowed = await SecurityHeadersTests.SendWithOriginAsync(runtime.CreateClient(), "https://app.example.com");
        using var other = await SecurityHeadersTests.SendWithOriginAsync(runtime.CreateClient(), "https://evil.example.net");

        Assert.Equal("https://app.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Retry-After", string.Join(",", allowed.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.OrdinalIgnoreCase);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }
}

/// <summary>Security headers on a 429, from a runtime of its own (so no other test shares its <c>/health</c> bucket).</summary>
public sealed class RateLimitedHeadersTests(HealthRateLimitFixture runtime) : IClassFixture<HealthRateLimitFixture>
{
    [Fact]
    public async Task Response_429_CarriesSecurityHeaders()
    {
        var client = runtime.CreateClient();
        var limited = await Poll.UntilAsync(
            () => client.GetAsync("/auth/status", TestContext.Current.CancellationToken),
            r => r.StatusCode == HttpStatusCode.TooManyRequests,
            "a 429 from /auth/status (global limit 4 per minute)");

        using (limited)
        {
            SecurityHeadersTests.AssertSecurityHeaders(limited);
        }
    }
}
