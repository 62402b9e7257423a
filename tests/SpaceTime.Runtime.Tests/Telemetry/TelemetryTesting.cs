using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using SpaceTime.Runtime.Telemetry;

namespace SpaceTime.Runtime.Tests.Telemetry;

/// <summary>
/// The runtime in process with its telemetry listener on a free loopback port. The API is an in-memory test server,
/// but telemetry is a real Kestrel listener, so these tests speak real WebSockets.
/// </summary>
public class TelemetryRuntimeFixture : RuntimeApiFixture
{
    /// <summary>Periods and limits the tests here rely on; subclasses add or override.</summary>
    protected virtual IReadOnlyDictionary<string, string> TelemetrySettings => new Dictionary<string, string>
    {
        ["SpaceTime:Telemetry:FpsIntervalMs"] = "100",
        ["SpaceTime:Telemetry:VrTrackingIntervalMs"] = "50",
        ["SpaceTime:Telemetry:AuthTimeoutSeconds"] = "2",
    };

    protected sealed override IReadOnlyDictionary<string, string> ExtraSettings => TelemetrySettings;

    /// <summary>The port the telemetry listener bound (the host starts on first use).</summary>
    public int TelemetryPort => Services.GetRequiredService<TelemetryServer>().Port ?? throw new InvalidOperationException("telemetry is off");

    public TelemetryHub Hub => Services.GetRequiredService<TelemetryHub>();

    public Uri TelemetryUrl(string pathAndQuery = "/telemetry") => new($"ws://127.0.0.1:{TelemetryPort}{pathAndQuery}");

    /// <summary>A real HTTP client for the telemetry port (for its <c>/metrics</c>).</summary>
    public HttpClient CreateTelemetryHttpClient(string? token = AdminToken)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{TelemetryPort}") };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>The telemetry port's <c>/metrics</c> text, read as admin.</summary>
    public async Task<string> ReadTelemetryMetricsAsync()
    {
        using var http = CreateTelemetryHttpClient();
        return await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
    }

    public Task<TelemetryClient> ConnectAsync(string? token = AdminToken, string pathAndQuery = "/telemetry") =>
        TelemetryClient.ConnectAsync(TelemetryUrl(pathAndQuery), token, TestContext.Current.CancellationToken);
}

/// <summary>Waiting for telemetry messages with a deadline.</summary>
internal static class TelemetryTesting
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The next message (skipping others) that <paramref name="match"/> accepts; fails the test at the deadline or on close.</summary>
    public static async Task<TelemetryEnvelope> NextAsync(this TelemetryClient client, Func<TelemetryEnvelope, bool> match, string what, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var skipped = new List<string>();
        try
        {
            while (true)
            {
                var message = await client.ReceiveAsync(deadline.Token)
                    ?? throw new Xunit.Sdk.XunitException($"the server closed the connection ({client.CloseStatus} {client.CloseReason}) while waiting for {what}");
                if (match(message))
                {
                    return message;
                }

                skipped.Add(message.Event);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException && deadline.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"timed out after {(timeout ?? DefaultTimeout).TotalSeconds:F0} s waiting for {what}; saw: {string.Join(", ", skipped.TakeLast(30))}");
        }
    }

    public static Task<TelemetryEnvelope> NextEventAsync(this TelemetryClient client, string name, TimeSpan? timeout = null) =>
        client.NextAsync(m => m.Type == "event" && m.Event == name, $"a '{name}' event", timeout);

    /// <summary>Reads until the server closes the connection; fails if it is still open at the deadline.</summary>
    public static async Task<(WebSocketCloseStatus? Status, string? Reason)> WaitForCloseAsync(this TelemetryClient client, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var seen = new List<string>();
        try
        {
            while (await client.ReceiveAsync(deadline.Token) is { } message)
            {
                seen.Add(message.Event);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException && deadline.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"the connection was still open after {(timeout ?? DefaultTimeout).TotalSeconds:F0} s; saw: {string.Join(", ", seen)}");
        }

        return (client.CloseStatus, client.CloseReason);
    }
}
