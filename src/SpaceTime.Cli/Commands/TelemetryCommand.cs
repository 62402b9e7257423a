using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SpaceTime.Runtime.Telemetry;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime telemetry</c>: a live view of a running game's telemetry stream.</summary>
internal static class TelemetryCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Telemetry endpoint.", DefaultValueFactory = _ => "ws://127.0.0.1:8081/telemetry" };
        var token = new Option<string?>("--token") { Description = "Bearer token (readonly role or above). Env: SPACETIME_TOKEN." };
        var filter = new Option<string?>("--filter") { Description = $"Comma-separated streams to receive: {string.Join(", ", TelemetryMessages.Streams)}." };
        var json = new Option<bool>("--json") { Description = "Print each message as one JSON line instead of the live view." };
        var log = new Option<string?>("--log") { Description = "Also append every message (JSON lines) to this file." };
        var count = new Option<int?>("--count") { Description = "Exit after this many messages." };
        var command = new Command("telemetry", "Connect to a running game's telemetry WebSocket and show fps, frame time, memory, tracking and events live.")
        {
            url, token, filter, json, log, count,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("ws" or "wss"))
            {
                throw new ArgumentException($"--url '{parse.GetValue(url)}' must be a ws:// or wss:// URL", "url");
            }

            var streams = parse.GetValue(filter)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            var unknown = streams.Except(TelemetryMessages.Streams).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException($"--filter names unknown stream(s) {string.Join(", ", unknown)}; known: {string.Join(", ", TelemetryMessages.Streams)}", "filter");
            }

            await using var client = await TelemetryClient.ConnectAsync(endpoint, parse.GetValue(token) ?? CliEnvironment.Get("SPACETIME_TOKEN"), cancellationToken);
            if (streams.Length > 0)
            {
                await client.SendAsync(new { command = "unsubscribe", events = TelemetryMessages.Streams }, cancellationToken);
                await client.SendAsync(new { command = "subscribe", events = streams }, cancellationToken);
            }

            await using var logFile = parse.GetValue(log) is { } path ? new StreamWriter(path, append: true) { AutoFlush = true } : null;
            var view = parse.GetValue(json) || Console.IsOutputRedirected ? null : new LiveView();
            var limit = parse.GetValue(count);
            var received = 0;
            try
            {
                while (await client.ReceiveAsync(cancellationToken) is { } message)
                {
                    if (logFile is not null)
                    {
                        await logFile.WriteLineAsync(message.Raw);
                    }

                    if (view is null)
                    {
                        Console.WriteLine(message.Raw);
                    }
                    else
                    {
                        view.Show(message);
                    }

                    if (limit is { } max && ++received >= max)
                    {
                        return 0;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }

            await Console.Error.WriteLineAsync($"spacetime: telemetry connection closed by the server: {client.CloseStatus} {client.CloseReason}");
            return client.CloseStatus == System.Net.WebSockets.WebSocketCloseStatus.NormalClosure ? 0 : CliErrors.Failure;
        }));
        return command;
    }

    /// <summary>Redraws a small dashboard in place on a terminal.</summary>
    private sealed class LiveView
    {
        private readonly Queue<string> _events = new();
        private string _fps = "waiting for fps...";
        private string _tracking = "waiting for vr_tracking...";
        private string _peer = "";

        public void Show(TelemetryEnvelope message)
        {
            var d = message.Data;
            switch (message.Event)
            {
                case TelemetryMessages.Fps:
                    _fps = string.Create(CultureInfo.InvariantCulture,
                        $"fps {Num(d, "fps"),7:F1}   frame {Num(d, "frame_time_ms"),6:F2} ms   physics {Num(d, "physics_time_ms"),7:F4} ms   memory {Num(d, "memory_mb"),7:F1} MB   dropped ticks {Num(d, "dropped_ticks"):F0}");
                    break;
                case TelemetryMessages.VrTracking:
                    _tracking = $"headset {Pose(d, "headset")}   left {Pose(d, "left_controller")}   right {Pose(d, "right_controller")}";
                    break;
                case TelemetryMessages.Connected:
                    _peer = $"connected as {Str(d, "subject")} ({Str(d, "role")}), peer {Str(d, "peer_id")}, server {Str(d, "server_version")}";
                    break;
                default:
                    _events.Enqueue($"{DateTimeOffset.FromUnixTimeMilliseconds((long)(message.Timestamp * 1000)):HH:mm:ss} {message.Event} {d}");
                    while (_events.Count > 8)
                    {
                        _events.Dequeue();
                    }

                    break;
            }

            Console.Write("\u001b[H\u001b[2J");
            Console.WriteLine($"SpaceTime telemetry   {_peer}");
            Console.WriteLine(_fps);
            Console.WriteLine(_tracking);
            Console.WriteLine("events:");
            foreach (var e in _events)
            {
                Console.WriteLine($"  {e}");
            }
        }

        private static double Num(JsonElement d, string name) => d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v) && v.TryGetDouble(out var x) ? x : 0;

        private static string Str(JsonElement d, string name) => d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v) ? v.ToString() : "";

        private static string Pose(JsonElement d, string name) =>
            d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("position", out var pos)
                ? string.Join(", ", pos.EnumerateArray().Select(v => v.GetDouble().ToString("F2", CultureInfo.InvariantCulture)))
                : "-";
    }
}
