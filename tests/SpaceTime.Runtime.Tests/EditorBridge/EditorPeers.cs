using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SpaceTime.Runtime.EditorBridge;

namespace SpaceTime.Runtime.Tests.EditorBridge;

/// <summary>
/// A minimal debug adapter on loopback: reads Content-Length framed DAP requests and answers <c>initialize</c>
/// (with success or a refusal), keeping each connection open until the peer or the test closes it.
/// </summary>
internal sealed class DapPeer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly bool _succeed;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Lock _lock = new();
    private readonly Task _accepting;
    private int _initializeRequests;

    private DapPeer(int port, bool succeed)
    {
        _succeed = succeed;
        _listener = new TcpListener(IPAddress.Loopback, port);
        // A restarted peer must get its port back while old connections linger in TIME_WAIT.
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public int InitializeRequests => Volatile.Read(ref _initializeRequests);

    /// <summary>Starts a peer on <paramref name="port"/> (0 for any free port).</summary>
    public static DapPeer Start(int port = 0, bool succeed = true) => new(port, succeed);

    /// <summary>Stops listening and drops every connection, as an editor that quits does.</summary>
    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        lock (_lock)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_lock)
                {
                    _clients.Add(client);
                }

                sessions.Add(ServeAsync(client));
            }
        }
        finally
        {
            await Task.WhenAll(sessions);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            while (await ContentLengthFraming.ReadAsync(stream, _stop.Token) is { } request)
            {
                if ((string?)request["type"] != "request")
                {
                    continue;
                }

                var command = (string?)request["command"];
                if (command == "initialize")
                {
                    Interlocked.Increment(ref _initializeRequests);
                }

                var response = new JsonObject
                {
                    ["seq"] = 1,
                    ["type"] = "response",
                    ["request_seq"] = (int?)request["seq"] ?? 0,
                    ["success"] = command != "initialize" || _succeed,
                    ["command"] = command,
                    ["body"] = new JsonObject(),
                };
                if (command == "initialize" && !_succeed)
                {
                    response["message"] = "refused by the test peer";
                }

                await ContentLengthFraming.WriteAsync(stream, response, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidDataException)
        {
            // The bridge or the test closed the connection.
        }
        finally
        {
            client.Dispose();
        }
    }
}

/// <summary>A real language server (<c>clangd</c>) on a TCP port through <c>socat</c>, one clangd per connection.</summary>
internal sealed class ClangdOverSocat : IDisposable
{
    private readonly Process _socat;
    private bool _disposed;

    private ClangdOverSocat(int port)
    {
        Port = port;
        var info = new ProcessStartInfo("socat")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork");
        info.ArgumentList.Add("EXEC:clangd --log=error");
        _socat = Process.Start(info) ?? throw new InvalidOperationException("could not start socat");
        // clangd logs to stderr; drain both pipes so it never blocks on a full one.
        _socat.OutputDataReceived += (_, _) => { };
        _socat.ErrorDataReceived += (_, _) => { };
        _socat.BeginOutputReadLine();
        _socat.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>Starts socat and waits (up to 10 s) until it accepts connections.</summary>
    public static async Task<ClangdOverSocat> StartAsync(int port)
    {
        var server = new ClangdOverSocat(port);
        try
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return server;
                }
                catch (SocketException) when (watch.Elapsed < TimeSpan.FromSeconds(10) && !server._socat.HasExited)
                {
                    await Task.Delay(20);
                }
            }
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Kills socat and every clangd it started.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_socat.HasExited)
        {
            _socat.Kill(entireProcessTree: true);
            _socat.WaitForExit(10_000);
        }

        _socat.Dispose();
    }
}
