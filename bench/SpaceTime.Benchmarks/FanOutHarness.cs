using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using SpaceTime.Engine.Simulation;
using SpaceTime.Runtime.Telemetry;

namespace SpaceTime.Benchmarks;

/// <summary>
/// Telemetry fan-out: a real `spacetime serve` child process, N WebSocket clients subscribed to `fps` at 10 Hz.
/// Reports delivery latency (receive time minus the server's timestamp), messages received against those expected,
/// messages the server dropped, and the server's resident memory.
/// </summary>
internal static partial class FanOutHarness
{
    private const string Token = "bench-admin-token-3c9e1f7a5d2b8e4f6a0c9d3b7e1f5a2c";
    private const int IntervalMs = 100;

    public static async Task<int> RunAsync(TimeSpan duration, int[] clientCounts)
    {
        Console.WriteLine($"fan-out: fps every {IntervalMs} ms for {duration.TotalSeconds:F0} s per run; {Environment.ProcessorCount} cores");
        Console.WriteLine("clients | received / expected | latency p50 ms | p99 ms | max ms | server dropped | server RSS MB");
        foreach (var clients in clientCounts)
        {
            await RunOnceAsync(clients, duration);
        }

        return 0;
    }

    private static async Task RunOnceAsync(int clientCount, TimeSpan duration)
    {
        var data = Directory.CreateTempSubdirectory("spacetime-fanout-");
        var telemetryPort = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "spacetime.dll"), "serve", "--http-port", "0", "--telemetry-port", telemetryPort.ToString(CultureInfo.InvariantCulture), "--discovery-port", "0", "--data-dir", data.FullName })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["API_TOKEN"] = Token;
        info.Environment["SpaceTime__Telemetry__MaxConnections"] = "5000";
        info.Environment["SpaceTime__Telemetry__MaxConnectionsPerAddress"] = "5000";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__SpaceTime"] = "Information";
        using var server = Process.Start(info)!;
        var apiPort = new TaskCompletionSource<int>();
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ListeningPattern().Match(e.Data) is { Success: true } m)
            {
                apiPort.TrySetResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var port = await apiPort.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var url = new Uri($"ws://127.0.0.1:{telemetryPort}/telemetry");
            var latencies = new List<double>[clientCount];
            var clients = new TelemetryClient[clientCount];
            for (var i = 0; i < clientCount; i++)
            {
                clients[i] = await TelemetryClient.ConnectAsync(url, Token, CancellationToken.None);
                await clients[i].SendAsync(new { command = "unsubscribe", events = TelemetryMessages.Streams }, CancellationToken.None);
                await clients[i].SendAsync(new { command = "configure", fps_interval_ms = IntervalMs }, CancellationToken.None);
                await clients[i].SendAsync(new { command = "subscribe", events = new[] { TelemetryMessages.Fps } }, CancellationToken.None);
                latencies[i] = [];
            }

            using var stop = new CancellationTokenSource();
            var measuringFrom = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeMilliseconds() / 1000.0;
            var readers = clients.Select((c, i) => ReadAsync(c, latencies[i], measuringFrom, stop.Token)).ToArray();
            await Task.Delay(duration + TimeSpan.FromSeconds(1));
            await stop.CancelAsync();
            await Task.WhenAll(readers);

            var all = latencies.SelectMany(l => l).Order().ToArray();
            var expected = clientCount * duration.TotalSeconds * 1000 / IntervalMs;
            var (dropped, rss) = await ScrapeAsync(port);
            double P(double q) => Percentiles.NearestRank(all, q);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{clientCount,7} | {all.Length,8} / {expected,8:F0} | {P(0.5),14:F2} | {P(0.99),6:F2} | {(all.Length > 0 ? all[^1] : 0),6:F1} | {dropped,14:F0} | {rss / (1024 * 1024),13:F1}"));
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            data.Delete(recursive: true);
        }
    }

    private static async Task ReadAsync(TelemetryClient client, List<double> latencies, double measuringFrom, CancellationToken stop)
    {
        try
        {
            while (await client.ReceiveAsync(stop) is { } message)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
                if (message.Event == TelemetryMessages.Fps && message.Timestamp >= measuringFrom)
                {
                    latencies.Add((now - message.Timestamp) * 1000);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            // Aborted by the cancellation.
        }
    }

    private static async Task<(double Dropped, double Rss)> ScrapeAsync(int apiPort)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{apiPort}/metrics"));
        double Read(string name) => MetricPattern(name).Match(text) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
        return (Read("spacetime_telemetry_dropped_messages_total"), Read("spacetime_memory_bytes"));
    }

    private static Regex MetricPattern(string name) => new($"^{name} ([0-9.e+]+)$", RegexOptions.Multiline);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"HTTP API listening on http://[^:]+:(\d+)")]
    private static partial Regex ListeningPattern();
}
