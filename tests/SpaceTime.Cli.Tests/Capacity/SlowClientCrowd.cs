using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SpaceTime.Cli.Tests.Capacity;

/// <summary>
/// A slowloris: connections from one loopback address (127.0.0.x, so the server can tell them from the test's own
/// client on 127.0.0.1) that start a request and then send its headers a byte at a time, never finishing. A connection
/// the server closes is opened again at once, as a real attacker would.
/// </summary>
internal sealed class SlowClientCrowd : IAsyncDisposable
{
    private static readonly byte[] RequestStart = Encoding.ASCII.GetBytes("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    private static readonly byte[] Dribble = "a"u8.ToArray();

    private readonly IPAddress _from;
    private readonly int _port;
    private readonly Socket?[] _sockets;
    private readonly CancellationTokenSource _stop = new();
    private Task? _dribbling;
    private long _opened;

    private SlowClientCrowd(IPAddress from, int port, int count)
    {
        _from = from;
        _port = port;
        _sockets = new Socket?[count];
    }

    /// <summary>Connections opened so far, reopened ones included.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>Opens <paramref name="count"/> slow connections from <paramref name="from"/> to 127.0.0.1:<paramref name="port"/> and keeps them dribbling.</summary>
    public static async Task<SlowClientCrowd> StartAsync(IPAddress from, int port, int count = 200)
    {
        var crowd = new SlowClientCrowd(from, port, count);
        for (var i = 0; i < count; i++)
        {
            crowd._sockets[i] = await crowd.OpenAsync();
        }

        crowd._dribbling = crowd.DribbleAsync();
        return crowd;
    }

    private async Task<Socket?> OpenAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(_from, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port), _stop.Token);
            await socket.SendAsync(RequestStart, SocketFlags.None, _stop.Token);
            Interlocked.Increment(ref _opened);
            return socket;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>One more header byte on every connection every 500 ms; a closed one is replaced.</summary>
    private async Task DribbleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                for (var i = 0; i < _sockets.Length; i++)
                {
                    if (_sockets[i] is { } socket && await TrySendAsync(socket))
                    {
                        continue;
                    }

                    _sockets[i]?.Dispose();
                    _sockets[i] = await OpenAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task<bool> TrySendAsync(Socket socket)
    {
        try
        {
            // A server that closed the connection shows it as readable with nothing to read (or a 503/408 to read).
            if (socket.Poll(0, SelectMode.SelectRead))
            {
                return false;
            }

            await socket.SendAsync(Dribble, SocketFlags.None, _stop.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_dribbling is not null)
        {
            await _dribbling;
        }

        foreach (var socket in _sockets)
        {
            socket?.Dispose();
        }

        _stop.Dispose();
    }
}
