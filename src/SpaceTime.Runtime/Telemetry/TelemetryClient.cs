using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace SpaceTime.Runtime.Telemetry;

/// <summary>A telemetry message as received: the raw JSON and its envelope fields.</summary>
public sealed record TelemetryEnvelope(string Raw, string Type, string Event, JsonElement Data, double Timestamp);

/// <summary>Client side of the telemetry protocol: connect (with a bearer token), send commands, read messages.</summary>
public sealed class TelemetryClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    private TelemetryClient()
    {
    }

    public WebSocketState State => _socket.State;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseReason => _socket.CloseStatusDescription;

    public static async Task<TelemetryClient> ConnectAsync(Uri url, string? token, CancellationToken cancellationToken)
    {
        var client = new TelemetryClient();
        if (!string.IsNullOrEmpty(token))
        {
            client._socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        }

        try
        {
            await client._socket.ConnectAsync(url, cancellationToken);
        }
        catch
        {
            client._socket.Dispose();
            throw;
        }

        return client;
    }

    public Task SendAsync(object command, CancellationToken cancellationToken) =>
        _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(command, TelemetryMessages.Json), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>The next message; null once the server has closed the connection (see <see cref="CloseStatus"/>).</summary>
    public async Task<TelemetryEnvelope?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            if (count == _buffer.Length)
            {
                throw new InvalidDataException("telemetry message larger than 64 KB");
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(count), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                }

                return null;
            }

            count += result.Count;
            if (!result.EndOfMessage)
            {
                continue;
            }

            var raw = Encoding.UTF8.GetString(_buffer, 0, count);
            using var document = JsonDocument.Parse(raw);
            var root = document.RootElement;
            return new TelemetryEnvelope(
                raw,
                root.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "",
                root.TryGetProperty("event", out var name) ? name.GetString() ?? "" : "",
                root.TryGetProperty("data", out var data) ? data.Clone() : default,
                root.TryGetProperty("timestamp", out var ts) && ts.TryGetDouble(out var t) ? t : 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
    }
}
