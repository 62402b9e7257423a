using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpaceTime.Cli.Tests;

/// <summary>
/// Clients with distinct loopback source addresses (127.0.0.2, 127.0.0.3...), so real processes see distinct clients
/// without a proxy in between, and a config folder with small rate limits.
/// </summary>
internal static class SharedStateClients
{
    public static HttpClient From(string sourceAddress, int port, string? token = SpacetimeProcess.AdminToken)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(sourceAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        return client;
    }

    /// <summary>
    /// The shipped config with the test environment's limits lowered: <paramref name="perMinute"/> per endpoint, no
    /// burst, banned after 3 rejections; <paramref name="trustedProxies"/> in test.json.
    /// </summary>
    public static string WriteConfig(string folder, int perMinute, params string[] trustedProxies)
    {
        var config = Directory.CreateDirectory(Path.Combine(folder, "config")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "config")))
        {
            File.Copy(file, Path.Combine(config, Path.GetFileName(file)), overwrite: true);
        }

        var security = JsonNode.Parse(File.ReadAllText(Path.Combine(config, "security_test.json")))!;
        var limits = security["rate_limiting"]!;
        limits["default_requests_per_minute"] = perMinute;
        limits["global_requests_per_minute"] = 100_000;
        limits["burst_multiplier"] = 1;
        limits["ban_after_violations"] = 3;
        limits["violation_window_minutes"] = 5;
        limits["ban_duration_minutes"] = 60;
        File.WriteAllText(Path.Combine(config, "security_test.json"), security.ToJsonString());
        var environment = JsonNode.Parse(File.ReadAllText(Path.Combine(config, "test.json")))!;
        environment["trusted_proxies"] = new JsonArray([.. trustedProxies.Select(p => (JsonNode)p)]);
        File.WriteAllText(Path.Combine(config, "test.json"), environment.ToJsonString());
        return config;
    }

    public static async Task<string> IssueAsync(HttpClient admin, string path, string role = "admin", string subject = "e2e")
    {
        using var response = await admin.PostAsJsonAsync(path, new { subject, role, ttl = "1h" }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return body.GetProperty("token").GetString()!;
    }

    public static HttpClient WithToken(this HttpClient client, string token)
    {
        var copy = new HttpClient { BaseAddress = client.BaseAddress };
        copy.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return copy;
    }

    /// <summary>Sends until the answer has <paramref name="status"/>; returns the time it took. Fails at <paramref name="timeout"/>.</summary>
    public static async Task<TimeSpan> UntilStatusAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode status, string what, TimeSpan timeout)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            // "In force within the timeout" is about requests sent after it: one sent before may be answered later
            // (a loaded machine), with the state it was sent into.
            var sent = started.Elapsed;
            using (var response = await send())
            {
                if (response.StatusCode == status)
                {
                    return started.Elapsed;
                }

                Assert.True(sent < timeout, $"{what}: still {(int)response.StatusCode} for a request sent {sent.TotalSeconds:F2} s after (limit {timeout.TotalSeconds:F1} s)");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>GETs <paramref name="path"/> and returns its JSON; fails the test, naming the answer, unless it is a success.</summary>
    public static async Task<JsonElement> JsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return body;
    }
}
