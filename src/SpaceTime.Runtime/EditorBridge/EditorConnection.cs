using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace SpaceTime.Runtime.EditorBridge;

/// <summary>The original's connection states (their numbers are on the wire).</summary>
public enum EditorConnectionState
{
    Disconnected = 0,
    Connecting = 1,
    Connected = 2,
    CircuitBreakerOpen = 3,
}

/// <summary>What the editor speaks on a port.</summary>
public enum EditorProtocol
{
    /// <summary>Debug Adapter Protocol: <c>initialize</c> request, <c>response</c> with <c>success</c>.</summary>
    DebugAdapter,

    /// <summary>Language Server Protocol: JSON-RPC <c>initialize</c>, then the <c>initialized</c> notification.</summary>
    LanguageServer,
}

public sealed record EditorConnectionStatus(string ServiceName, int Port, int State, string StateName, int RetryCount, double? LastActivity, string? LastError);

/// <summary>
/// Keeps one connection to the Godot editor's debug adapter or language server: connects and performs the
/// protocol's handshake, watches the stream, reconnects with exponential back-off, and opens a circuit breaker
/// after too many consecutive failures (half-opening for one trial after a cool-down).
/// </summary>
public sealed class EditorConnection(EditorProtocol protocol, string host, int port, EditorBridgeOptions options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private EditorConnectionState _state;
    private int _retryCount;
    private int _consecutiveFailures;
    private DateTimeOffset? _lastActivity;
    private string? _lastError;

    public EditorProtocol Protocol { get; } = protocol;

    public int Port { get; } = port;

    public string ServiceName => Protocol == EditorProtocol.DebugAdapter ? "Debug Adapter" : "Language Server";

    public EditorConnectionState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Raised on every state change.</summary>
    public event Action<EditorConnection, EditorConnectionState>? StateChanged;

    public EditorConnectionStatus GetStatus()
    {
        lock (_lock)
        {
            return new EditorConnectionStatus(ServiceName, Port, (int)_state, StateName(_state), _retryCount,
                _lastActivity is { } at ? Math.Round(at.ToUnixTimeMilliseconds() / 1000.0, 3) : null, _lastError);
        }
    }

    public static string StateName(EditorConnectionState state) => state switch
    {
        EditorConnectionState.Disconnected => "DISCONNECTED",
        EditorConnectionState.Connecting => "CONNECTING",
        EditorConnectionState.Connected => "CONNECTED",
        _ => "CIRCUIT_BREAKER_OPEN",
    };

    /// <summary>Connects, stays connected, and reconnects until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            SetState(EditorConnectionState.Connecting);
            try
            {
                using var client = new TcpClient();
                using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    connectTimeout.CancelAfter(TimeSpan.FromMilliseconds(options.CommandTimeoutMs));
                    await client.ConnectAsync(host, Port, connectTimeout.Token);
                    await HandshakeAsync(client.GetStream(), connectTimeout.Token);
                }

                lock (_lock)
                {
                    _consecutiveFailures = 0;
                    _retryCount = 0;
                    _lastError = null;
                    _lastActivity = time.GetUtcNow();
                }

                SetState(EditorConnectionState.Connected);
                await WatchAsync(client.GetStream(), cancellationToken);
                Fail("the editor closed the connection");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException or System.Text.Json.JsonException)
            {
                Fail(e is OperationCanceledException ? "timed out" : e.Message);
            }

            await WaitBeforeRetryAsync(cancellationToken);
        }

        SetState(EditorConnectionState.Disconnected);
    }

    private async Task HandshakeAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (Protocol == EditorProtocol.DebugAdapter)
        {
            await ContentLengthFraming.WriteAsync(stream, new JsonObject
            {
                ["seq"] = 1,
                ["type"] = "request",
                ["command"] = "initialize",
                ["arguments"] = new JsonObject
                {
                    ["clientID"] = "spacetime",
                    ["clientName"] = "SpaceTime",
                    ["adapterID"] = "godot",
                    ["linesStartAt1"] = true,
                    ["columnsStartAt1"] = true,
                    ["pathFormat"] = "path",
                },
            }, cancellationToken);
            while (await ContentLengthFraming.ReadAsync(stream, cancellationToken) is { } message)
            {
                if ((string?)message["type"] == "response" && (string?)message["command"] == "initialize")
                {
                    if (message["success"]?.GetValue<bool>() == true)
                    {
                        return;
                    }

                    throw new InvalidDataException($"the debug adapter refused initialize: {(string?)message["message"]}");
                }
            }

            throw new IOException("the debug adapter closed the connection during the handshake");
        }

        await ContentLengthFraming.WriteAsync(stream, new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = 1,
            ["method"] = "initialize",
            ["params"] = new JsonObject
            {
                ["processId"] = Environment.ProcessId,
                ["clientInfo"] = new JsonObject { ["name"] = "SpaceTime" },
                ["rootUri"] = null,
                ["capabilities"] = new JsonObject(),
            },
        }, cancellationToken);
        while (await ContentLengthFraming.ReadAsync(stream, cancellationToken) is { } message)
        {
            if (message["method"] is not null || !(message["id"] is JsonValue id && id.TryGetValue<int>(out var number) && number == 1))
            {
                continue; // a notification or a request from the server
            }

            if (message["error"] is { } error)
            {
                throw new InvalidDataException($"the language server refused initialize: {(string?)error["message"]}");
            }

            await ContentLengthFraming.WriteAsync(stream, new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "initialized", ["params"] = new JsonObject() }, cancellationToken);
            return;
        }

        throw new IOException("the language server closed the connection during the handshake");
    }

    /// <summary>Reads whatever the editor sends, noting activity, until the stream ends.</summary>
    private async Task WatchAsync(Stream stream, CancellationToken cancellationToken)
    {
        while (await ContentLengthFraming.ReadAsync(stream, cancellationToken) is not null)
        {
            lock (_lock)
            {
                _lastActivity = time.GetUtcNow();
            }
        }
    }

    private void Fail(string reason)
    {
        lock (_lock)
        {
            _consecutiveFailures++;
            _retryCount++;
            _lastError = reason;
        }

        SetState(EditorConnectionState.Disconnected);
    }

    private async Task WaitBeforeRetryAsync(CancellationToken cancellationToken)
    {
        int failures;
        lock (_lock)
        {
            failures = _consecutiveFailures;
        }

        TimeSpan delay;
        if (failures >= options.MaxRetries)
        {
            SetState(EditorConnectionState.CircuitBreakerOpen);
            delay = TimeSpan.FromMilliseconds(options.BreakerCooldownMs);
            lock (_lock)
            {
                // Half-open after the cool-down: one trial; another failure opens the breaker again.
                _consecutiveFailures = options.MaxRetries - 1;
            }
        }
        else
        {
            delay = TimeSpan.FromMilliseconds(options.InitialBackoffMs * Math.Pow(2, Math.Max(0, failures - 1)));
        }

        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void SetState(EditorConnectionState state)
    {
        bool changed;
        lock (_lock)
        {
            changed = _state != state;
            _state = state;
        }

        if (changed)
        {
            StateChanged?.Invoke(this, state);
        }
    }
}
